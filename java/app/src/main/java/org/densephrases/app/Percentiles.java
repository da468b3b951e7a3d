package org.densephrases.app;

/** Latency percentiles of the measuring verbs (eval-open, bench-scale). */
final class Percentiles {
  private Percentiles() {}

  /** The nearest-rank p-quantile (0 < p <= 1) of ascending {@code sorted}; NaN when empty. */
  static double of(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
