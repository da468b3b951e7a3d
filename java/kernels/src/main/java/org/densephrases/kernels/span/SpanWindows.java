package org.densephrases.kernels.span;

import org.densephrases.kernels.TopKSelector;

/**
 * What the Java span scorers share: the partner window of a candidate and the per-question top-k of spans. Kept
 * in one place so the scalar reference and the SIMD version cannot drift apart on the boundaries.
 */
final class SpanWindows {
  private SpanWindows() {}

  /**
   * The partner window of candidate token c, inclusive, as {@code {lo, hi}}: START_TO_END searches ends in
   * {@code [c, min(c + L, docEnd))}, END_TO_START searches starts in {@code (max(c - L, docStart - 1), c]}. Both
   * hold c itself (a one-token phrase) and never cross the document of c.
   */
  static long[] window(TokenTable table, long c, int maxLen, Direction dir, long[] out) {
    long[] starts = table.docStarts();
    int doc = table.docOf(c);
    if (dir == Direction.START_TO_END) {
      out[0] = c;
      out[1] = Math.min(c + maxLen, starts[doc + 1]) - 1;
    } else {
      out[0] = Math.max(c - maxLen + 1, starts[doc]);
      out[1] = c;
    }
    return out;
  }

  /**
   * Fills rows {@code qi} of the top arrays from the candidate scores of that question: the k best spans,
   * descending; padding (score -infinity) never enters, so missing slots stay (-1, -1, -infinity).
   *
   * @param other (question)(K) best partner of each candidate
   * @param score (question)(K) span score of each candidate
   */
  static void selectTop(SpanQuery q, int qi, long[] other, float[] score, TopKSelector sel, long[] topStart,
      long[] topEnd, float[] topScore) {
    int kc = q.candidatesPerQuestion();
    int k = q.k();
    long[] cand = q.candidates();
    sel.reset(k);
    for (int j = qi * kc, end = j + kc; j < end; j++) {
      float s = score[j];
      if (s > sel.threshold()) {
        sel.offer(s, j);
      }
    }
    int off = qi * k;
    sel.drainDescending(topScore, topStart, off); // topStart temporarily holds candidate slots
    for (int r = off; r < off + k; r++) {
      int slot = (int) topStart[r];
      if (slot < 0) {
        topEnd[r] = -1;
        continue;
      }
      long c = cand[slot];
      boolean cIsStart = q.direction() == Direction.START_TO_END;
      topStart[r] = cIsStart ? c : other[slot];
      topEnd[r] = cIsStart ? other[slot] : c;
    }
  }
}
