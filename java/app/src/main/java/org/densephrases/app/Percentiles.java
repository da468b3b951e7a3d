package org.densephrases.app;

/** Latency percentiles of eval-open and the benchmarks. */
public final class Percentiles {
  private Percentiles() {}

  /**
   * The nearest-rank p-quantile.
   *
   * @param sorted values in ascending order
   * @param p the quantile, 0 &lt; p &lt;= 1
   * @return the quantile; NaN when {@code sorted} is empty
   */
  public static double of(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
