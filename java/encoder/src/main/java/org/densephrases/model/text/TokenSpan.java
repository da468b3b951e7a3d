package org.densephrases.model.text;

/**
 * An answer located in a passage's context tokens: {@code start..end} inclusive, indices into
 * {@link EncodedPassage#context()}. {@code exact} when the tokens begin and end exactly at the answer's characters
 * (false when the answer cuts through a word piece, e.g. "1990" in "1990s": the span then covers the whole token).
 */
public record TokenSpan(int start, int end, boolean exact) {
  public TokenSpan {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad token span [" + start + ", " + end + "]");
    }
  }

  public int length() {
    return end - start + 1;
  }
}
