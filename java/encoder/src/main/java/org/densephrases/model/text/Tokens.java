package org.densephrases.model.text;

/**
 * WordPiece tokens of one text, without special tokens. {@code charStart[i]}/{@code charEnd[i]} delimit token i in the
 * text as Java (UTF-16) indices, end exclusive; a sub-word token covers only its part of the word.
 *
 * @param ids the token ids
 * @param charStart each token's first character
 * @param charEnd one past each token's last character
 */
public record Tokens(long[] ids, int[] charStart, int[] charEnd) {
  /**
   * Checks that the three arrays have one entry per token.
   *
   * @throws IllegalArgumentException when their lengths differ
   */
  public Tokens {
    if (ids.length != charStart.length || ids.length != charEnd.length) {
      throw new IllegalArgumentException("ids, charStart and charEnd differ in length");
    }
  }

  /** {@return the number of tokens} */
  public int size() {
    return ids.length;
  }

  /**
   * The first {@code n} tokens (all when n >= size()).
   *
   * @param n the most tokens to keep
   * @return the first {@code n} tokens, or this when there are no more
   */
  public Tokens truncate(int n) {
    if (n >= ids.length) {
      return this;
    }
    return new Tokens(java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(charStart, n),
        java.util.Arrays.copyOf(charEnd, n));
  }
}
