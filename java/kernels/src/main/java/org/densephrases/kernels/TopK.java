package org.densephrases.kernels;

/**
 * The k best (score, id) pairs of each query, (query)(k) row-major, descending score within a row; ties may come
 * in any order. Missing slots (fewer than k candidates) hold score -infinity and id -1.
 */
public record TopK(int numQueries, int k, float[] scores, long[] ids) {
  public TopK {
    Checks.require(scores.length == (long) numQueries * k, "scores length mismatch");
    Checks.require(ids.length == (long) numQueries * k, "ids length mismatch");
  }

  public static TopK empty(int numQueries, int k) {
    float[] s = new float[numQueries * k];
    long[] id = new long[numQueries * k];
    java.util.Arrays.fill(s, Float.NEGATIVE_INFINITY);
    java.util.Arrays.fill(id, -1L);
    return new TopK(numQueries, k, s, id);
  }

  public float score(int query, int rank) {
    return scores[query * k + rank];
  }

  public long id(int query, int rank) {
    return ids[query * k + rank];
  }

  /** Number of filled (id != -1) slots of a query. */
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
