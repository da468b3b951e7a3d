package org.densephrases.model.encode;

/**
 * One encoded paragraph: what the dump writer needs (java/index's {@code DocumentInput} is built from it, which
 * checks the offsets), kept here so that the encoder does not depend on the index module.
 *
 * @param id the corpus document id
 * @param title the title
 * @param text the text the character offsets point into
 * @param vectors (token)(dim) one vector per context token, each from the window that gives the token most context
 * @param filterScores (token) filter score = max(start logit, end logit) of the filter head
 * @param charStart (token) first character of each token (UTF-16 index into {@code text})
 * @param charEnd (token) one past the last character of each token
 */
public record EncodedDocument(
    String id, String title, String text, float[] vectors, float[] filterScores, int[] charStart, int[] charEnd) {
  /** {@return the number of context tokens (vectors) in the document} */
  public int numTokens() {
    return charStart.length;
  }
}
