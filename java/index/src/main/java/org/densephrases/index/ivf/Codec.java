package org.densephrases.index.ivf;

import java.util.Locale;

/** How an IVF index stores its vectors. */
public enum Codec {
  /** One byte per dimension, per-dimension range ({@code dim} bytes per vector). */
  SQ8,
  /** Product quantization, m sub-quantizers x 8 bits ({@code m} bytes per vector), optionally after OPQ. */
  PQ;

  /**
   * Parses a codec name, case-insensitively.
   *
   * @param s {@code sq8} or {@code pq}
   * @return {@link #SQ8} or {@link #PQ}
   * @throws IllegalArgumentException when {@code s} names neither
   */
  public static Codec parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown codec '" + s + "': expected sq8 or pq");
    }
  }
}
