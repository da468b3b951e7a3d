package org.densephrases.model.text;

/**
 * One model input cut from a passage: {@code [CLS] title [SEP] context[first .. first+count) [SEP]}.
 *
 * <p>Token types are 0 for {@code [CLS] title [SEP]} and 1 for the context and its {@code [SEP]} (BERT's sentence-pair
 * convention). Only context positions {@code contextOffset .. contextOffset+count-1} are phrase start/end candidates.
 *
 * @param ids (length) token ids
 * @param typeIds (length) token types
 * @param contextOffset position in this window of the first context token ({@code 2 + title tokens})
 * @param firstContextToken index into the passage's context tokens of that first token
 * @param count context tokens in this window
 * @param maxContext (count) true where this window gives the token its most context of all windows (BERT's
 *     {@code _check_is_max_context}): keep a token's vector from that window only when windows overlap
 */
public record PassageWindow(long[] ids, long[] typeIds, int contextOffset, int firstContextToken, int count,
    boolean[] maxContext) {

  /** {@return the window length in tokens, special and title tokens included} */
  public int length() {
    return ids.length;
  }

  /**
   * Window position of passage context token {@code t}, or -1 when this window does not hold it.
   *
   * @param t a context token index into the passage
   * @return its window position, or -1
   */
  public int positionOf(int t) {
    return t >= firstContextToken && t < firstContextToken + count ? contextOffset + t - firstContextToken : -1;
  }

  /**
   * Passage context-token index at window position {@code pos}, or -1 for special and title positions.
   *
   * @param pos a window position, 0 to {@link #length()} - 1
   * @return the context token index there, or -1
   */
  public int contextTokenAt(int pos) {
    return pos >= contextOffset && pos < contextOffset + count ? firstContextToken + pos - contextOffset : -1;
  }

  /**
   * {start, end} window positions of a span, or null unless both ends lie in this window.
   *
   * @param span a span of passage context tokens
   * @return a new {start, end} pair of window positions, or null
   */
  public int[] locate(TokenSpan span) {
    int s = positionOf(span.start());
    int e = positionOf(span.end());
    return s < 0 || e < 0 ? null : new int[] {s, e};
  }
}
