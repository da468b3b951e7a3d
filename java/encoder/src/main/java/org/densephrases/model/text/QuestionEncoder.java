package org.densephrases.model.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Questions as model inputs: {@code [CLS] question [SEP]}, token type 0, cut to {@code maxLength} tokens (the
 * [SEP] is kept). DensePhrases uses 64. The question encoders read the [CLS] position.
 */
public final class QuestionEncoder {
  private final Tokenizer tokenizer;
  private final int maxLength;

  /**
   * An encoder for one tokenizer and question length.
   *
   * @param tokenizer the tokenizer of the question encoder
   * @param maxLength the most tokens per question, [CLS] and [SEP] included (at least 3)
   * @throws IllegalArgumentException when {@code maxLength < 3}
   */
  public QuestionEncoder(Tokenizer tokenizer, int maxLength) {
    if (maxLength < 3) {
      throw new IllegalArgumentException("question maxLength must be >= 3, got " + maxLength);
    }
    this.tokenizer = tokenizer;
    this.maxLength = maxLength;
  }

  /**
   * Token ids of the question; token types are all 0.
   *
   * @param question the question text
   * @return {@code [CLS] question [SEP]} ids, at most {@code maxLength} of them
   */
  public long[] encode(String question) {
    Tokens t = tokenizer.tokenize(question).truncate(maxLength - 2);
    long[] ids = new long[t.size() + 2];
    ids[0] = tokenizer.clsId();
    System.arraycopy(t.ids(), 0, ids, 1, t.size());
    ids[ids.length - 1] = tokenizer.sepId();
    return ids;
  }

  /**
   * Encodes questions in length-sorted batches (little padding) with {@code forward}, which maps a padded batch to
   * {qStart, qEnd}, each (batch)(dim); the rows come back in the questions' order. What every engine shares.
   *
   * @return {qStart, qEnd}, each (question)(dim)
   * @param qs the questions
   * @param batchSize the most questions per forward call (at least 1)
   * @param dim the width of each output row
   * @param forward maps a padded batch to {qStart, qEnd}, each (batch)(dim)
   */
  public float[][] encodeAll(List<String> qs, int batchSize, int dim, Function<Batch, float[][]> forward) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    int nq = qs.size();
    float[][] out = {new float[nq * dim], new float[nq * dim]};
    List<long[]> ids = new ArrayList<>(nq);
    for (String q : qs) {
      ids.add(encode(q));
    }
    Integer[] order = new Integer[nq];
    for (int i = 0; i < nq; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
    for (int b = 0; b < nq; b += batchSize) {
      int n = Math.min(nq, b + batchSize) - b;
      List<long[]> rows = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        rows.add(ids.get(order[b + k]));
      }
      float[][] enc = forward.apply(Batch.pad(rows, null, tokenizer.padId()));
      for (int side = 0; side < 2; side++) {
        for (int k = 0; k < n; k++) {
          System.arraycopy(enc[side], k * dim, out[side], order[b + k] * dim, dim);
        }
      }
    }
    return out;
  }
}
