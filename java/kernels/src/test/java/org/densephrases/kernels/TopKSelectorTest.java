package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TopKSelectorTest {
  @RegisterExtension final SeedExtension seeds = new SeedExtension();

  @Test
  void keepsTheKLargestInDescendingOrder() {
    Random r = seeds.random();
    for (int rep = 0; rep < 50; rep++) {
      int n = r.nextInt(3000);
      int k = 1 + r.nextInt(r.nextBoolean() ? 20 : KernelLimits.MAX_K);
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        scores[i] = r.nextInt(4) == 0 ? r.nextInt(10) : r.nextFloat(); // plenty of ties
      }
      TopKSelector sel = new TopKSelector(k);
      for (int i = 0; i < n; i++) {
        sel.offer(scores[i], i);
      }
      float[] outS = new float[k + 2];
      long[] outI = new long[k + 2];
      sel.drainDescending(outS, outI, 1);
      float[] sorted = scores.clone();
      Arrays.sort(sorted);
      boolean[] seen = new boolean[n];
      for (int rank = 0; rank < k; rank++) {
        if (rank < n) {
          assertEquals(sorted[n - 1 - rank], outS[1 + rank], "rank " + rank);
          int id = (int) outI[1 + rank];
          assertEquals(scores[id], outS[1 + rank], "id " + id + " must carry its own score");
          assertFalse(seen[id], "duplicate id " + id);
          seen[id] = true;
        } else {
          assertEquals(Float.NEGATIVE_INFINITY, outS[1 + rank]);
          assertEquals(-1L, outI[1 + rank]);
        }
      }
      assertEquals(0, sel.size(), "drain empties the selector");
    }
  }

  @Test
  void nanAndNegativeInfinityNeverEnter() {
    TopKSelector sel = new TopKSelector(3);
    assertFalse(sel.offer(Float.NaN, 1));
    assertFalse(sel.offer(Float.NEGATIVE_INFINITY, 2));
    assertTrue(sel.offer(-1e30f, 3));
    assertEquals(1, sel.size());
    assertEquals(Float.NEGATIVE_INFINITY, sel.threshold(), "not full: anything finite enters");
  }

  @Test
  void mergingPerThreadSelectorsGivesTheGlobalTopK() {
    Random r = seeds.random();
    TopKSelector a = new TopKSelector(10);
    TopKSelector b = new TopKSelector(10);
    TopKSelector all = new TopKSelector(10);
    for (int i = 0; i < 500; i++) {
      float s = r.nextFloat();
      (i % 2 == 0 ? a : b).offer(s, i);
      all.offer(s, i);
    }
    a.addAll(b);
    float[] s1 = new float[10];
    float[] s2 = new float[10];
    a.drainDescending(s1, new long[10], 0);
    all.drainDescending(s2, new long[10], 0);
    assertTrue(Arrays.equals(s1, s2));
  }

  @Test
  void resetReusesAndValidatesK() {
    TopKSelector sel = new TopKSelector(2);
    sel.offer(1f, 1);
    sel.reset(5);
    assertEquals(0, sel.size());
    assertEquals(5, sel.k());
    assertThrows(IllegalArgumentException.class, () -> sel.reset(0));
    assertThrows(IllegalArgumentException.class, () -> new TopKSelector(KernelLimits.MAX_K + 1));
  }
}
