package org.densephrases.model.text;

/**
 * An answer located in a passage's context tokens: {@code start..end} inclusive, indices into
 * {@link EncodedPassage#context()}. {@code exact} when the tokens begin and end exactly at the answer's characters
 * (false when the answer cuts through a word piece, e.g. "1990" in "1990s": the span then covers the whole token).
 *
 * @param start the first context token index (at least 0)
 * @param end the last context token index, inclusive (at least {@code start})
 * @param exact true when the span's characters match the answer exactly
 */
public record TokenSpan(int start, int end, boolean exact) {
  /**
   * Checks the bounds.
   *
   * @throws IllegalArgumentException when {@code start < 0} or {@code end < start}
   */
  public TokenSpan {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad token span [" + start + ", " + end + "]");
    }
  }

  /** {@return the number of tokens in the span ({@code end - start + 1})} */
  public int length() {
    return end - start + 1;
  }
}
