package org.densephrases.model.eval;

/**
 * The best span of one window: maximise {@code start[i] + end[j]} over {@code from <= i <= j < to},
 * {@code j - i < maxLength}, and {@code allowedStart[i - from]} when given. Ties go to the earlier start, then the
 * shorter span. O(n * maxLength).
 */
public final class BestSpan {
  private BestSpan() {}

  /**
   * start/end are window positions (inclusive); score is start[i] + end[j].
   *
   * @param start the first token's window position
   * @param end the last token's window position (inclusive, at least {@code start})
   * @param score {@code start[start] + end[end]}
   */
  public record Span(int start, int end, float score) {}

  /**
   * Returns null when the range is empty or no start is allowed.
   * Finds the highest-scoring span {@code [i, j]} with {@code from <= i <= j < to} and {@code j - i < maxLength}.
   *
   * @param start start logits by window position
   * @param end end logits by window position
   * @param from the first position a span may use (inclusive)
   * @param to one past the last position a span may use
   * @param maxLength the most tokens in a span (at least 1)
   * @param allowedStart whether a span may start at {@code from + i}, for i in [0, to - from) (ends are not
   *     restricted); null allows every start
   * @return the best span, or null
   * @throws IllegalArgumentException when {@code maxLength < 1}, the range lies outside the arrays, or
   *     {@code allowedStart} is too short
   */
  public static Span find(float[] start, float[] end, int from, int to, int maxLength, boolean[] allowedStart) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
    }
    if (from < 0 || to > start.length || to > end.length) {
      throw new IllegalArgumentException("range [" + from + ", " + to + ") outside score arrays of length "
          + start.length + "/" + end.length);
    }
    if (allowedStart != null && allowedStart.length < to - from) {
      throw new IllegalArgumentException("allowedStart has " + allowedStart.length + " entries for " + (to - from)
          + " positions");
    }
    int bi = -1;
    int bj = -1;
    float best = Float.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      if (allowedStart != null && !allowedStart[i - from]) {
        continue;
      }
      int last = Math.min(to, i + maxLength);
      for (int j = i; j < last; j++) {
        float s = start[i] + end[j];
        if (s > best || bi < 0) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    return bi < 0 ? null : new Span(bi, bj, best);
  }
}
