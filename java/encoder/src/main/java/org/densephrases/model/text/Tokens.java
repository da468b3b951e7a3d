package org.densephrases.model.text;

/**
 * WordPiece tokens of one text, without special tokens. {@code charStart[i]}/{@code charEnd[i]} delimit token i in the
 * text as Java (UTF-16) indices, end exclusive; a sub-word token covers only its part of the word.
 */
public record Tokens(long[] ids, int[] charStart, int[] charEnd) {
  public Tokens {
    if (ids.length != charStart.length || ids.length != charEnd.length) {
      throw new IllegalArgumentException("ids, charStart and charEnd differ in length");
    }
  }

  public int size() {
    return ids.length;
  }

  /** The first {@code n} tokens (all when n >= size()). */
  public Tokens truncate(int n) {
    if (n >= ids.length) {
      return this;
    }
    return new Tokens(java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(charStart, n),
        java.util.Arrays.copyOf(charEnd, n));
  }
}
