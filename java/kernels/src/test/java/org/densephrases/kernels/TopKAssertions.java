package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks of top-k results the faiss way: scores must match within tolerance rank by rank, ids must be valid and
 * unique and must score what they claim, but tied ids may come back in any order.
 */
public final class TopKAssertions {
  private TopKAssertions() {}

  /** Something a query may return: its id, its exact (double) score, and the float error allowed on it. */
  public record Expected(long id, double score, double tol) {}

  /**
   * Checks one query's row {@code scores/ids[off .. off + k)} against all its valid candidates (exact scores).
   *
   * @return the largest tolerance among the candidates (useful to compare two backends rank by rank)
   */
  public static double assertTopK(String what, List<Expected> all, int k, float[] scores, long[] ids, int off) {
    Map<Long, Expected> byId = new HashMap<>();
    for (Expected e : all) {
      byId.put(e.id(), e);
    }
    int filled = Math.min(k, all.size());
    double maxTol = all.stream().mapToDouble(Expected::tol).max().orElse(0);
    double[] sorted = all.stream().mapToDouble(Expected::score).sorted().toArray();
    Set<Long> seen = new HashSet<>();
    for (int r = 0; r < k; r++) {
      float s = scores[off + r];
      long id = ids[off + r];
      String at = what + " rank " + r;
      if (r >= filled) {
        assertEquals(-1L, id, at + ": a missing slot must hold id -1 (only " + filled + " candidates)");
        assertEquals(Float.NEGATIVE_INFINITY, s, at + ": a missing slot must hold -infinity");
        continue;
      }
      Expected e = byId.get(id);
      if (e == null) {
        fail(at + ": id " + id + " is not a valid candidate of this query");
      }
      assertTrue(seen.add(id), at + ": id " + id + " comes back twice");
      if (r > 0) {
        assertTrue(s <= scores[off + r - 1], at + ": scores not descending: " + scores[off + r - 1] + " then " + s);
      }
      assertEquals(e.score(), s, e.tol(), at + ": score of id " + id + " is off its exact value");
      double rankExact = sorted[sorted.length - 1 - r];
      assertEquals(rankExact, s, maxTol, at + ": score is not the " + r + "-th best exact score");
    }
    return maxTol;
  }

  /** Rank by rank, two backends' rows agree within {@code tol} and fill the same number of slots. */
  public static void assertSameScores(String what, float[] ref, float[] got, int off, int k, double tol) {
    for (int r = 0; r < k; r++) {
      float a = ref[off + r];
      float b = got[off + r];
      if (a == Float.NEGATIVE_INFINITY || b == Float.NEGATIVE_INFINITY) {
        assertEquals(a, b, what + " rank " + r + ": one backend filled the slot and the other did not");
      } else {
        assertEquals(a, b, tol, what + " rank " + r + ": score differs from the scalar reference");
      }
    }
  }

  /** The candidates sorted by exact score, best first (for messages and boundary checks). */
  public static Expected[] sortedBest(List<Expected> all) {
    Expected[] a = all.toArray(new Expected[0]);
    Arrays.sort(a, Comparator.comparingDouble(Expected::score).reversed());
    return a;
  }
}
