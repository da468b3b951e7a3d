package org.densephrases.kernels.util;

import java.util.Arrays;

/**
 * A growable long[] without boxing (a dump shard's metadata is millions of entries; a boxed list would triple it).
 * Not thread-safe.
 */
public final class LongList {
  private long[] a;
  private int n;

  public LongList(int initialCapacity) {
    a = new long[Math.max(1, initialCapacity)];
  }

  public void add(long v) {
    if (n == a.length) {
      a = Arrays.copyOf(a, n * 2);
    }
    a[n++] = v;
  }

  public int size() {
    return n;
  }

  /** The backing array: entries [0, size()) are the list (it is replaced when the list grows). */
  public long[] data() {
    return a;
  }

  public long[] toArray() {
    return Arrays.copyOf(a, n);
  }

  public void clear() {
    n = 0;
  }
}
