package org.densephrases.kernels;

import java.util.Arrays;

/**
 * Keeps the k largest (score, id) pairs offered to it: a bounded binary min-heap whose root is the weakest pair
 * kept. A scan compares each score with {@link #threshold()} and calls {@link #offer} only for the few that beat
 * it, so the cost per rejected row is one comparison and nothing of size N is ever materialised.
 *
 * <p>Only scores strictly greater than -infinity are kept: NaN and -infinity never enter (a NaN would break the
 * heap order, and -infinity is what a missing slot holds, so keeping it would make a real pair look missing). Ties
 * at the threshold keep the pair that came first; ties in the output come in any order.
 *
 * <p>Not thread-safe: each thread fills its own selector and the results are merged with {@link #addAll}.
 * Reusable: {@link #reset} empties it without allocating when k fits the capacity.
 */
public final class TopKSelector {
  private float[] scores; // heap: scores[0] is the smallest kept
  private long[] ids;
  private int k;
  private int size;

  /**
   * A selector keeping the k best pairs.
   *
   * @param k pairs kept, 1 to {@link KernelLimits#MAX_K}
   */
  public TopKSelector(int k) {
    Checks.checkK(k);
    this.scores = new float[k];
    this.ids = new long[k];
    this.k = k;
  }

  /**
   * Empties the selector and sets a new k (1..MAX_K).
   *
   * @param newK pairs kept from now on
   */
  public void reset(int newK) {
    Checks.checkK(newK);
    if (newK > scores.length) {
      scores = new float[newK];
      ids = new long[newK];
    }
    k = newK;
    size = 0;
  }

  /** {@return pairs kept at most} */
  public int k() {
    return k;
  }

  /** {@return pairs kept now} */
  public int size() {
    return size;
  }

  /**
   * The score a pair must beat to enter: -infinity while fewer than k pairs are kept, then the smallest kept
   * score. {@code if (s > threshold()) offer(s, id)} is the intended fast path (it also drops NaN).
   *
   * @return -infinity, or the smallest kept score once k pairs are kept
   */
  public float threshold() {
    return size < k ? Float.NEGATIVE_INFINITY : scores[0];
  }

  /**
   * Offers one pair; returns whether it was kept.
   *
   * @param score the pair's score (NaN is never kept)
   * @param id the pair's id
   * @return true when it was kept
   */
  public boolean offer(float score, long id) {
    if (!(score > threshold())) { // also rejects NaN
      return false;
    }
    if (size < k) {
      siftUp(size++, score, id);
    } else {
      siftDown(0, score, id, size);
    }
    return true;
  }

  /**
   * Offers every pair another selector holds (merging the per-thread results of one query).
   *
   * @param other another selector (unchanged)
   */
  public void addAll(TopKSelector other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.scores[i], other.ids[i]);
    }
  }

  /**
   * Writes the kept pairs in descending score to {@code outScores/outIds[off .. off + k)}, filling the slots beyond
   * {@link #size()} with (-infinity, -1), and empties the selector.
   *
   * @param outScores receives the scores
   * @param outIds receives the ids
   * @param off where the k slots start
   */
  public void drainDescending(float[] outScores, long[] outIds, int off) {
    // Heap sort in place: popping the minimum to the end of the shrinking heap leaves the array descending.
    for (int n = size; n > 1; n--) {
      float s = scores[n - 1];
      long id = ids[n - 1];
      scores[n - 1] = scores[0];
      ids[n - 1] = ids[0];
      siftDown(0, s, id, n - 1);
    }
    System.arraycopy(scores, 0, outScores, off, size);
    System.arraycopy(ids, 0, outIds, off, size);
    Arrays.fill(outScores, off + size, off + k, Float.NEGATIVE_INFINITY);
    Arrays.fill(outIds, off + size, off + k, -1L);
    size = 0;
  }

  private void siftUp(int pos, float s, long id) {
    while (pos > 0) {
      int parent = (pos - 1) >>> 1;
      if (scores[parent] <= s) {
        break;
      }
      scores[pos] = scores[parent];
      ids[pos] = ids[parent];
      pos = parent;
    }
    scores[pos] = s;
    ids[pos] = id;
  }

  /** Places (s, id) at pos of the heap [0, n) and moves it down until both children are >= s. */
  private void siftDown(int pos, float s, long id, int n) {
    while (true) {
      int child = 2 * pos + 1;
      if (child >= n) {
        break;
      }
      if (child + 1 < n && scores[child + 1] < scores[child]) {
        child++;
      }
      if (scores[child] >= s) {
        break;
      }
      scores[pos] = scores[child];
      ids[pos] = ids[child];
      pos = child;
    }
    scores[pos] = s;
    ids[pos] = id;
  }
}
