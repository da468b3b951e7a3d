package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.densephrases.kernels.util.FloatList;
import org.densephrases.kernels.util.LongList;
import org.junit.jupiter.api.Test;

/** Merging per-shard top-k lists equals the top-k of all pairs, ids mapped to global ones; the growable lists. */
class TopKMergerTest {
  @Test
  void mergedShardsEqualTheTopKOfEverything() {
    Random r = new Random(7);
    int nq = 3;
    int k = 5;
    TopKMerger m = new TopKMerger(nq, k);
    List<List<float[]>> all = new ArrayList<>(); // per query: (score, global id)
    for (int q = 0; q < nq; q++) {
      all.add(new ArrayList<>());
    }
    long base = 0;
    for (int shard = 0; shard < 4; shard++) {
      int shardK = shard == 3 ? 2 : 4; // a small shard: fewer than k pairs, plus a missing slot
      float[] s = new float[nq * shardK];
      long[] id = new long[nq * shardK];
      for (int q = 0; q < nq; q++) {
        for (int j = 0; j < shardK; j++) {
          boolean missing = shard == 3 && j == 1;
          s[q * shardK + j] = missing ? Float.NEGATIVE_INFINITY : (float) Math.floor(r.nextGaussian() * 4);
          id[q * shardK + j] = missing ? -1 : j;
          if (!missing) {
            all.get(q).add(new float[] {s[q * shardK + j], base + j});
          }
        }
      }
      long b = base;
      m.add(new TopK(nq, shardK, s, id), local -> b + local);
      base += 100;
    }
    TopK got = m.result();
    for (int q = 0; q < nq; q++) {
      List<float[]> want = new ArrayList<>(all.get(q));
      want.sort(Comparator.comparingDouble((float[] p) -> -p[0]));
      for (int j = 0; j < k; j++) {
        assertEquals(want.get(j)[0], got.score(q, j), "query " + q + " rank " + j);
        long gid = got.id(q, j);
        float score = got.score(q, j);
        // ties may come in any order: the id must be one holding that score
        assertEquals(1, want.stream().filter(p -> p[0] == score && (long) p[1] == gid).count(), "id " + gid);
      }
    }
  }

  @Test
  void fewerPairsThanKLeaveMissingSlots() {
    TopKMerger m = new TopKMerger(1, 4);
    m.add(new TopK(1, 2, new float[] {3f, 1f}, new long[] {0, 1}), id -> id + 10);
    TopK t = m.result();
    assertArrayEquals(new float[] {3f, 1f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, t.scores());
    assertArrayEquals(new long[] {10, 11, -1, -1}, t.ids());
  }

  @Test
  void mismatchedQuestionCountIsRefused() {
    TopKMerger m = new TopKMerger(2, 3);
    assertThrows(IllegalArgumentException.class, () -> m.add(TopK.empty(3, 3), id -> id));
  }

  @Test
  void growableListsKeepEveryEntry() {
    LongList l = new LongList(1);
    FloatList f = new FloatList(1);
    for (int i = 0; i < 1000; i++) {
      l.add(i * 3L);
      f.add(i / 2f);
    }
    assertEquals(1000, l.size());
    assertEquals(2997L, l.toArray()[999]);
    assertEquals(499.5f, f.data()[999]);
    l.clear();
    f.clear();
    assertEquals(0, l.size());
    assertEquals(0, f.toArray().length);
  }
}
