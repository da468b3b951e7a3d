package org.densephrases.model.text;

/**
 * How a passage becomes model inputs: {@code [CLS] title [SEP] context-window [SEP]}.
 *
 * @param maxLength tokens per window including the three special tokens and the title (at most the model's
 *     positions, 512 for BERT)
 * @param stride context tokens between the starts of consecutive windows (BERT's run_squad {@code doc_stride}: the
 *     step, not the overlap; windows overlap by {@code contextPerWindow - stride} tokens)
 * @param maxTitleTokens the title is cut to this many tokens (0 = no title tokens, the segment stays empty)
 */
public record WindowConfig(int maxLength, int stride, int maxTitleTokens) {
  /** DensePhrases' defaults: 384 tokens, stride 128; titles cut at 32 tokens. */
  public static final WindowConfig DEFAULT = new WindowConfig(384, 128, 32);

  /**
   * Checks that the window has room for the special tokens, the title and some context.
   *
   * @throws IllegalArgumentException when {@code maxTitleTokens < 0}, {@code maxLength < maxTitleTokens + 4}, or
   *     {@code stride} is outside [1, {@code maxLength - 3 - maxTitleTokens}]
   */
  public WindowConfig {
    if (maxTitleTokens < 0) {
      throw new IllegalArgumentException("maxTitleTokens must be >= 0, got " + maxTitleTokens);
    }
    if (maxLength < maxTitleTokens + 4) {
      throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for context after 3 special "
          + "tokens and up to " + maxTitleTokens + " title tokens");
    }
    if (stride < 1 || stride > maxLength - 3 - maxTitleTokens) {
      throw new IllegalArgumentException("stride must be in [1, " + (maxLength - 3 - maxTitleTokens)
          + "] (the context tokens of a window with the longest title), got " + stride);
    }
  }
}
