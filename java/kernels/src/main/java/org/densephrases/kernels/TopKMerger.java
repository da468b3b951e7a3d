package org.densephrases.kernels;

import java.util.function.LongUnaryOperator;

/**
 * Merges the top-k lists of several searches of the same questions (shards of a dump, chunks of a source) into one
 * top-k per question, with one {@link TopKSelector} per question. Each list's ids are local to what it searched, so
 * {@link #add} maps them to global ids. Missing slots (id -1) are skipped; ties at the k-th place keep the pair
 * offered first.
 */
public final class TopKMerger {
  private final TopKSelector[] selectors;
  private final int k;

  /**
   * For {@code queries} questions, keeping {@code k} (1..MAX_K) pairs each.
   *
   * @param queries the number of questions
   * @param k pairs kept per question
   */
  public TopKMerger(int queries, int k) {
    Checks.require(queries >= 0, "queries must be >= 0");
    this.k = k;
    this.selectors = new TopKSelector[queries];
    for (int q = 0; q < queries; q++) {
      selectors[q] = new TopKSelector(k);
    }
  }

  /**
   * Offers every filled pair of {@code top} (same questions, any k), its ids mapped by {@code toGlobal}.
   *
   * @param top a partial result
   * @param toGlobal maps its ids to global ids
   */
  public void add(TopK top, LongUnaryOperator toGlobal) {
    Checks.require(top.numQueries() == selectors.length,
        "top-k of " + top.numQueries() + " questions, merger of " + selectors.length);
    for (int q = 0; q < selectors.length; q++) {
      TopKSelector s = selectors[q];
      for (int j = 0; j < top.k(); j++) {
        long id = top.id(q, j);
        if (id >= 0) {
          float score = top.score(q, j);
          if (score > s.threshold()) {
            s.offer(score, toGlobal.applyAsLong(id));
          }
        }
      }
    }
  }

  /**
   * The merged top-k, descending per question, missing slots (-infinity, -1); empties the merger.
   *
   * @return the merged result
   */
  public TopK result() {
    float[] scores = new float[selectors.length * k];
    long[] ids = new long[selectors.length * k];
    for (int q = 0; q < selectors.length; q++) {
      selectors[q].drainDescending(scores, ids, q * k);
    }
    return new TopK(selectors.length, k, scores, ids);
  }
}
