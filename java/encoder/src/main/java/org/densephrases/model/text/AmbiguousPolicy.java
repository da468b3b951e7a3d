package org.densephrases.model.text;

/**
 * What training does with answers flagged {@code ambiguous_start} (the text occurs more than once in the context, and
 * the file's offset is merely its first occurrence, which can be the wrong one).
 */
public enum AmbiguousPolicy {
  /**
   * The default: a question whose only usable answers are ambiguous is left out of training (about 10.8% of the
   * reconstructed train set: 9,438 of 87,599). A wrong gold position teaches the model to point at the wrong
   * occurrence, which costs more than the lost examples. Evaluation is unaffected: it compares answer texts.
   */
  DROP,
  /** Keep ambiguous answers at their first occurrence. */
  FIRST_OCCURRENCE
}
