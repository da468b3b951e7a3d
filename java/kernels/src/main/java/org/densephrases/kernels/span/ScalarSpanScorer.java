package org.densephrases.kernels.span;

import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.ScalarDots;
import org.densephrases.kernels.TopKSelector;

/**
 * The reference span scorer: one candidate at a time, one partner at a time, plain loops. Every other backend is
 * tested against it.
 *
 * <p>A start candidate i scans its ends j = i, i+1, ... and keeps the first maximum (strict {@code >}), which is
 * the nearest of tied partners; the mirror direction scans starts j, j-1, ... the same way.
 */
public final class ScalarSpanScorer extends SpanScorer {
  /** The reference scorer (stateless). */
  public ScalarSpanScorer() {}


  @Override
  protected SpanResult compute(TokenTable table, SpanQuery q) {
    EncodedVectors v = table.tokens();
    int dim = q.dim();
    int nq = q.numQuestions();
    int kc = q.candidatesPerQuestion();
    int maxLen = q.maxAnswerLength();
    boolean cIsStart = q.direction() == Direction.START_TO_END;
    long[] cand = q.candidates();

    long[] other = new long[nq * kc]; // (question)(K)
    float[] score = new float[nq * kc]; // (question)(K)
    float[] ws = new float[dim]; // prepared start query
    float[] we = new float[dim]; // prepared end query
    long[] win = new long[2];
    for (int qi = 0; qi < nq; qi++) {
      float bs = ScalarDots.prepare(v, q.qStart(), qi * dim, ws, 0);
      float be = ScalarDots.prepare(v, q.qEnd(), qi * dim, we, 0);
      // The candidate's own side and the partner's side.
      float[] wc = cIsStart ? ws : we;
      float bc = cIsStart ? bs : be;
      float[] wp = cIsStart ? we : ws;
      float bp = cIsStart ? be : bs;
      for (int j = qi * kc; j < (qi + 1) * kc; j++) {
        long c = cand[j];
        if (c == -1) {
          other[j] = -1;
          score[j] = Float.NEGATIVE_INFINITY;
          continue;
        }
        SpanWindows.window(table, c, maxLen, q.direction(), win);
        // Walk away from the candidate so that the first maximum found is the nearest one.
        long step = cIsStart ? 1 : -1;
        long far = cIsStart ? win[1] : win[0];
        long best = c;
        float bestScore = bp + ScalarDots.rawDot(v, c, wp, 0);
        for (long p = c + step; p != far + step; p += step) {
          float s = bp + ScalarDots.rawDot(v, p, wp, 0);
          if (s > bestScore) {
            bestScore = s;
            best = p;
          }
        }
        other[j] = best;
        float own = bc + ScalarDots.rawDot(v, c, wc, 0);
        score[j] = own + bestScore;
      }
    }

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
}
