package org.densephrases.kernels.span;

import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.ScalarDots;
import org.densephrases.kernels.SimdDots;
import org.densephrases.kernels.TopKSelector;

/**
 * Span scoring with the Vector API. A candidate's window is a run of consecutive tokens, hence consecutive rows of
 * the dump: it is decoded in one go into a float scratch block (window)(dim), scored against the partner-side
 * query four rows at a time ({@link SimdDots#dots}), and the candidate's own row, which sits at one end of the
 * same block, against its own side. Candidates are split over {@link Parallel} threads when the call is large;
 * the top-k per question runs afterwards on the caller (K is at most 8192, so it is cheap).
 *
 * <p>Same semantics as {@link ScalarSpanScorer}; scores may differ from it in the last bits (another summation
 * order), but equal rows always score bitwise equal here, so exact ties still go to the nearest partner.
 */
public final class SimdSpanScorer extends SpanScorer {

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
    int total = nq * kc;
    long work = (long) total * (maxLen + 1) * dim;
    int tasks = Parallel.tasksFor(work, total);
    Parallel.forEach(tasks, t -> {
      int from = (int) ((long) total * t / tasks);
      int to = (int) ((long) total * (t + 1) / tasks);
      scoreCandidates(table, q, ws, we, bs, be, from, to, other, score);
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

  /** Scores the flat candidate slots [from, to) (question-major), writing other[] and score[] there. */
  private static void scoreCandidates(TokenTable table, SpanQuery q, float[] ws, float[] we, float[] bs,
      float[] be, int from, int to, long[] other, float[] score) {
    EncodedVectors v = table.tokens();
    int dim = q.dim();
    int kc = q.candidatesPerQuestion();
    int maxLen = q.maxAnswerLength();
    boolean cIsStart = q.direction() == Direction.START_TO_END;
    long[] cand = q.candidates();
    float[] rows = new float[maxLen * dim]; // (window)(dim) decoded rows
    float[] partner = new float[maxLen]; // (window) partner-side scores
    long[] win = new long[2];
    for (int j = from; j < to; j++) {
      long c = cand[j];
      if (c == -1) {
        other[j] = -1;
        score[j] = Float.NEGATIVE_INFINITY;
        continue;
      }
      int qi = j / kc;
      int qOff = qi * dim;
      SpanWindows.window(table, c, maxLen, q.direction(), win);
      long lo = win[0];
      int n = (int) (win[1] - lo + 1);
      SimdDots.decodeRaw(v, lo, n, rows);
      float[] wp = cIsStart ? we : ws;
      float bp = cIsStart ? be[qi] : bs[qi];
      SimdDots.dots(rows, 0, n, dim, wp, qOff, bp, partner, 0);
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
      float own = cIsStart
          ? bs[qi] + SimdDots.dot(rows, ci * dim, ws, qOff, dim)
          : be[qi] + SimdDots.dot(rows, ci * dim, we, qOff, dim);
      other[j] = lo + best;
      score[j] = own + bestScore;
    }
  }
}
