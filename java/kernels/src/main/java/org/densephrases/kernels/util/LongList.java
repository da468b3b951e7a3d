package org.densephrases.kernels.util;

import java.util.Arrays;

/**
 * A growable long[] without boxing (a dump shard's metadata is millions of entries; a boxed list would triple it).
 * Not thread-safe.
 */
public final class LongList {
  private long[] a;
  private int n;

  /**
   * An empty list.
   *
   * @param initialCapacity the initial array size (at least 1 is used)
   */
  public LongList(int initialCapacity) {
    a = new long[Math.max(1, initialCapacity)];
  }

  /**
   * Appends a value, growing the array when full.
   *
   * @param v any long
   */
  public void add(long v) {
    if (n == a.length) {
      a = Arrays.copyOf(a, n * 2);
    }
    a[n++] = v;
  }

  /** {@return the number of values} */
  public int size() {
    return n;
  }

  /**
   * The backing array: entries [0, size()) are the list (it is replaced when the list grows).
   *
   * @return the backing array
   */
  public long[] data() {
    return a;
  }

  /** {@return a copy of the values} */
  public long[] toArray() {
    return Arrays.copyOf(a, n);
  }

  /** Empties the list (the array is kept). */
  public void clear() {
    n = 0;
  }
}
