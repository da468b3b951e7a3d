package org.densephrases.kernels.blocked;

import org.densephrases.kernels.Checks;

/**
 * Rows w (count)(dim) and a bias per row, packed for {@link BlockedProducts}: panels of {@link #PANEL} rows, each
 * panel stored (dim)(PANEL) so that the kernel reads PANEL consecutive rows' values of one dimension as contiguous
 * lanes (the packing of a GEMM's B operand). The last panel is padded with zero rows whose bias is -infinity, so they
 * never win an argmax and are never stored by the product kernel. Immutable; safe to share between threads.
 */
public final class ProductTable {
  /** Rows per panel: 4 vectors of 16 floats (one 4 x 4 micro-kernel slice at 512 bits, two at 256 bits). */
  public static final int PANEL = 64;
  /** Row numbers are carried as floats in the SIMD argmax, exact up to 2^24. */
  public static final int MAX_ROWS = 1 << 24;

  final int count;
  final int dim;
  final int padded;
  final float[] panels; // (panel)(dim)(PANEL)
  final float[] bias; // (padded), -inf past count

  private ProductTable(int count, int dim, float[] panels, float[] bias) {
    this.count = count;
    this.dim = dim;
    this.padded = bias.length;
    this.panels = panels;
    this.bias = bias;
  }

  /**
   * Packs rows [0, count) of w (row r at w[wOff + r * dim]) with bias[r] (null: zero). The score of a point x
   * against row r is then {@code bias[r] + x . w_r}, summed as documented in {@link BlockedProducts}.
   *
   * @param w the rows' array
   * @param wOff where row 0 starts
   * @param count the number of rows
   * @param dim the number of floats per vector
   * @param bias one bias per row, or null for zero
   * @return the packed table
   */
  public static ProductTable of(float[] w, int wOff, int count, int dim, float[] bias) {
    Checks.checkDim(dim);
    Checks.require(count >= 1 && count <= MAX_ROWS, "rows must be in [1, 2^24], got " + count);
    Checks.require(wOff >= 0 && (long) wOff + (long) count * dim <= w.length, "w too short");
    Checks.require(bias == null || bias.length >= count, "bias too short");
    int padded = (count + PANEL - 1) / PANEL * PANEL;
    float[] p = new float[padded * dim];
    float[] b = new float[padded];
    for (int r = 0; r < padded; r++) {
      b[r] = r < count ? (bias == null ? 0f : bias[r]) : Float.NEGATIVE_INFINITY;
    }
    for (int r = 0; r < count; r++) {
      int base = r / PANEL * dim * PANEL + r % PANEL;
      for (int d = 0; d < dim; d++) {
        p[base + d * PANEL] = w[wOff + r * dim + d];
      }
    }
    return new ProductTable(count, dim, p, b);
  }

  /**
   * Nearest-centroid (L2) table of k centroids (k)(dim): bias {@code -|c|^2 / 2} (the norm summed in double), so that
   * the argmax of {@code x . c - |c|^2/2} is the centroid nearest to x: {@code |x - c|^2 = |x|^2 - 2 (x.c - |c|^2/2)}.
   *
   * @param centroids (k)(dim) centroids
   * @param k the number of centroids
   * @param dim the number of floats per vector
   * @return the packed table
   */
  public static ProductTable l2(float[] centroids, int k, int dim) {
    Checks.checkLength("centroids", centroids, k, dim);
    float[] bias = new float[k];
    for (int j = 0; j < k; j++) {
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        float v = centroids[j * dim + d];
        norm += (double) v * v;
      }
      bias[j] = (float) (-0.5 * norm);
    }
    return of(centroids, 0, k, dim, bias);
  }

  /** {@return the number of rows} */
  public int count() {
    return count;
  }

  /** {@return the dimension of every row and point} */
  public int dim() {
    return dim;
  }

  /** Row r's value at dimension d. */
  float w(int r, int d) {
    return panels[r / PANEL * dim * PANEL + d * PANEL + r % PANEL];
  }
}
