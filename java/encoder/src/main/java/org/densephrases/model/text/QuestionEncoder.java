package org.densephrases.model.text;

/**
 * Questions as model inputs: {@code [CLS] question [SEP]}, token type 0, cut to {@code maxLength} tokens (the
 * [SEP] is kept). DensePhrases uses 64. The question encoders read the [CLS] position.
 */
public final class QuestionEncoder {
  private final Tokenizer tokenizer;
  private final int maxLength;

  public QuestionEncoder(Tokenizer tokenizer, int maxLength) {
    if (maxLength < 3) {
      throw new IllegalArgumentException("question maxLength must be >= 3, got " + maxLength);
    }
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
  }

  /** Token ids of the question; token types are all 0. */
  public long[] encode(String question) {
    Tokens t = tokenizer.tokenize(question).truncate(maxLength - 2);
    long[] ids = new long[t.size() + 2];
    ids[0] = tokenizer.clsId();
    System.arraycopy(t.ids(), 0, ids, 1, t.size());
    ids[ids.length - 1] = tokenizer.sepId();
    return ids;
  }
}
