package org.densephrases.kernels;

/**
 * The k best (score, id) pairs of each query, (query)(k) row-major, descending score within a row; ties may come
 * in any order. Missing slots (fewer than k candidates) hold score -infinity and id -1.
 *
 * @param numQueries the number of queries
 * @param k slots per query
 * @param scores (query)(k) scores
 * @param ids (query)(k) ids
 */
public record TopK(int numQueries, int k, float[] scores, long[] ids) {
  /**
   * Checks the array lengths.
   *
   * @throws IllegalArgumentException when an array is not {@code numQueries * k} long
   */
  public TopK {
    Checks.require(scores.length == (long) numQueries * k, "scores length mismatch");
    Checks.require(ids.length == (long) numQueries * k, "ids length mismatch");
  }

  /**
   * A result with every slot missing.
   *
   * @param numQueries the number of queries
   * @param k slots per query
   * @return scores -infinity, ids -1
   */
  public static TopK empty(int numQueries, int k) {
    float[] s = new float[numQueries * k];
    long[] id = new long[numQueries * k];
    java.util.Arrays.fill(s, Float.NEGATIVE_INFINITY);
    java.util.Arrays.fill(id, -1L);
    return new TopK(numQueries, k, s, id);
  }

  /**
   * {@return the score at that rank}
   *
   * @param query the query, 0 to {@link #numQueries()} - 1
   * @param rank the rank, 0 for the best
   */
  public float score(int query, int rank) {
    return scores[query * k + rank];
  }

  /**
   * {@return the id at that rank, or -1 for a missing slot}
   *
   * @param query the query, 0 to {@link #numQueries()} - 1
   * @param rank the rank, 0 for the best
   */
  public long id(int query, int rank) {
    return ids[query * k + rank];
  }

  /**
   * Number of filled (id != -1) slots of a query.
   *
   * @param query the query, 0 to {@link #numQueries()} - 1
   * @return the number of filled slots
   */
  public int filled(int query) {
    int n = 0;
    for (int r = 0; r < k; r++) {
      if (ids[query * k + r] >= 0) {
        n++;
      }
    }
    return n;
  }
}
