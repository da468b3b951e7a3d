package org.densephrases.kernels.span;

import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.ScalarDots;
import org.densephrases.kernels.SimdDots;
import org.densephrases.kernels.TopKSelector;

/**
 * Span scoring with the Vector API. A candidate's window is a run of consecutive tokens, hence consecutive rows of
 * the dump: it is scored against the partner-side query four rows at a time ({@link SimdDots#scoreRows}, straight
 * from the segment for INT8 and FP32), then the candidate's own row against its own side. Candidates are visited
 * in token order and split over {@link Parallel} threads when the call is large; the top-k per question runs
 * afterwards on the caller (K is at most 8192, so it is cheap).
 *
 * <p>Same semantics as {@link ScalarSpanScorer}; scores may differ from it in the last bits (another summation
 * order), but equal rows always score bitwise equal here, so exact ties still go to the nearest partner.
 */
public final class SimdSpanScorer extends SpanScorer {
  /** A scorer on the shared {@link org.densephrases.kernels.Parallel} pool. */
  public SimdSpanScorer() {}


  @Override
  protected SpanResult compute(TokenTable table, SpanQuery q) {
    EncodedVectors v = table.tokens();
    int dim = q.dim();
    int nq = q.numQuestions();
    int kc = q.candidatesPerQuestion();
    int maxLen = q.maxAnswerLength();

    // Prepared queries (question)(dim) and biases (question), shared read-only by the tasks.
    float[] ws = new float[nq * dim];
    float[] we = new float[nq * dim];
    float[] bs = new float[nq];
    float[] be = new float[nq];
    for (int qi = 0; qi < nq; qi++) {
      bs[qi] = ScalarDots.prepare(v, q.qStart(), qi * dim, ws, qi * dim);
      be[qi] = ScalarDots.prepare(v, q.qEnd(), qi * dim, we, qi * dim);
    }

    long[] other = new long[nq * kc]; // (question)(K)
    float[] score = new float[nq * kc]; // (question)(K)
    int[] order = tokenOrder(q.candidates(), table.numTokens(), other, score);
    int total = order.length;
    long work = (long) total * (maxLen + 1) * dim;
    int tasks = Parallel.tasksFor(work, Math.max(1, total));
    Parallel.forEach(tasks, t -> {
      int from = (int) ((long) total * t / tasks);
      int to = (int) ((long) total * (t + 1) / tasks);
      scoreCandidates(table, q, ws, we, bs, be, order, from, to, other, score);
    });

    int k = q.k();
    long[] topStart = new long[nq * k];
    long[] topEnd = new long[nq * k];
    float[] topScore = new float[nq * k];
    TopKSelector sel = new TopKSelector(k);
    for (int qi = 0; qi < nq; qi++) {
      SpanWindows.selectTop(q, qi, other, score, sel, topStart, topEnd, topScore);
    }
    return new SpanResult(nq, kc, k, other, score, topStart, topEnd, topScore);
  }

  /**
   * The non-padding candidate slots of all questions, sorted by token id (padding slots get their -1 / -infinity
   * here). Windows are read from memory in ascending address order then: on a dense candidate set that is close
   * to one forward sweep, which the hardware prefetchers and the TLB handle far better than random windows (it
   * halved the benchmark's span time); on a sparse one it costs a sort of Q x K longs.
   */
  static int[] tokenOrder(long[] cand, long numTokens, long[] other, float[] score) {
    int total = cand.length;
    int slotBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, total - 1));
    boolean packable = numTokens <= (Long.MAX_VALUE >>> slotBits);
    long[] keys = new long[total];
    int n = 0;
    for (int j = 0; j < total; j++) {
      if (cand[j] == -1) {
        other[j] = -1;
        score[j] = Float.NEGATIVE_INFINITY;
      } else {
        keys[n++] = packable ? cand[j] << slotBits | j : j;
      }
    }
    int[] order = new int[n];
    if (packable) {
      java.util.Arrays.sort(keys, 0, n);
      long mask = (1L << slotBits) - 1;
      for (int i = 0; i < n; i++) {
        order[i] = (int) (keys[i] & mask);
      }
    } else { // more than 2^63 / slots tokens cannot happen with int-sized arrays; kept for safety
      for (int i = 0; i < n; i++) {
        order[i] = (int) keys[i];
      }
    }
    return order;
  }

  /** Scores the candidate slots order[from .. to) (question-major slot numbers), writing other[] and score[]. */
  private static void scoreCandidates(TokenTable table, SpanQuery q, float[] ws, float[] we, float[] bs,
      float[] be, int[] order, int from, int to, long[] other, float[] score) {
    EncodedVectors v = table.tokens();
    int dim = q.dim();
    int kc = q.candidatesPerQuestion();
    int maxLen = q.maxAnswerLength();
    boolean cIsStart = q.direction() == Direction.START_TO_END;
    long[] cand = q.candidates();
    float[] scratch = new float[SimdDots.scratchFloats(dim)];
    float[] partner = new float[maxLen]; // (window) partner-side scores
    float[] own = new float[1];
    long[] win = new long[2];
    for (int o = from; o < to; o++) {
      int j = order[o];
      long c = cand[j];
      int qi = j / kc;
      int qOff = qi * dim;
      SpanWindows.window(table, c, maxLen, q.direction(), win);
      long lo = win[0];
      int n = (int) (win[1] - lo + 1);
      float[] wp = cIsStart ? we : ws;
      float bp = cIsStart ? be[qi] : bs[qi];
      SimdDots.scoreRows(v, lo, n, wp, qOff, bp, partner, 0, scratch);
      // Nearest first: ends ascending from the start candidate (block index 0), starts descending from the end
      // candidate (block index n - 1); strict > keeps the first of equal scores.
      int ci = cIsStart ? 0 : n - 1;
      int step = cIsStart ? 1 : -1;
      int best = ci;
      float bestScore = partner[ci];
      for (int r = ci + step; r >= 0 && r < n; r += step) {
        if (partner[r] > bestScore) {
          bestScore = partner[r];
          best = r;
        }
      }
      SimdDots.scoreRows(v, c, 1, cIsStart ? ws : we, qOff, cIsStart ? bs[qi] : be[qi], own, 0, scratch);
      other[j] = lo + best;
      score[j] = own[0] + bestScore;
    }
  }
}
