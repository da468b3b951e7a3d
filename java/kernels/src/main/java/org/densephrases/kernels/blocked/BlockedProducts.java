package org.densephrases.kernels.blocked;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.Checks;

/**
 * Many points against all rows of a {@link ProductTable}: the nearest-centroid search of k-means, IVF assignment and
 * PQ encoding ({@link #argmax}), and the dense products of a rotation ({@link #products}). The SIMD version works
 * like a small GEMM: 4 points x 4 vectors of table rows per inner step (16 independent FMA chains, each table load
 * shared by 4 points and each broadcast point value by 4 vectors), table rows packed in panels so every load is
 * contiguous. Single-threaded: callers split the points over threads.
 *
 * <p><b>Arithmetic, the contract of every implementation.</b> The score of point x against row r is
 * {@code s = bias[r]; for d = 0 .. dim-1: s = fma(x[d], w_r[d], s)} in float, in that order: each (point, row)
 * pair gets one chain, so the SIMD kernel (one lane per row) and the scalar loop ({@link Math#fma}) give bitwise the
 * same scores whatever the blocking. The argmax is the row with the largest score, ties to the lowest row number;
 * NaN scores never win; when no score exceeds -infinity the answer is row 0.
 *
 * <p>The SIMD version runs when {@link Backends#javaSimd()} says so (the Vector API is usable and
 * {@code -Ddensephrases.backend} is not {@code scalar}) and the vectors are wide enough for its tiles, otherwise the
 * scalar one ({@link #argmaxScalar}, {@link #productsScalar}, also the tests' reference).
 */
public final class BlockedProducts {
  private static final boolean SIMD = simdAvailable();

  private BlockedProducts() {}

  private static boolean simdAvailable() {
    if (!Backends.javaSimd()) {
      return false;
    }
    try {
      return SimdBlockedProducts.usable();
    } catch (LinkageError e) {
      return false;
    }
  }

  /**
   * Whether {@link #argmax} and {@link #products} run the SIMD kernel here.
   *
   * @return true when the Vector API path is used
   */
  public static boolean simd() {
    return SIMD;
  }

  /**
   * For each of n points (point i at x[xOff + i * xStride .. + dim)), the row with the largest score:
   * out[outOff + i].
   *
   * @param t the packed rows
   * @param x the points' array
   * @param xOff where point 0 starts
   * @param xStride floats between consecutive points
   * @param n the number of points
   * @param out receives each point's best row
   * @param outOff where in {@code out} point 0's result goes
   */
  public static void argmax(ProductTable t, float[] x, int xOff, int xStride, int n, int[] out, int outOff) {
    check(t, x, xOff, xStride, n);
    Checks.require(outOff >= 0 && (long) outOff + n <= out.length, "out too short");
    if (SIMD) {
      SimdBlockedProducts.argmax(t, x, xOff, xStride, n, out, outOff);
    } else {
      argmaxScalar(t, x, xOff, xStride, n, out, outOff);
    }
  }

  /**
   * Every score: out[outOff + i * outStride + r] for r in [0, count).
   *
   * @param t the packed rows
   * @param x the points' array
   * @param xOff where point 0 starts
   * @param xStride floats between consecutive points
   * @param n the number of points
   * @param out receives the scores
   * @param outOff where in {@code out} point 0's scores start
   * @param outStride floats between consecutive points' scores
   */
  public static void products(ProductTable t, float[] x, int xOff, int xStride, int n, float[] out, int outOff,
      int outStride) {
    check(t, x, xOff, xStride, n);
    Checks.require(outStride >= t.count || n <= 1, "outStride below the row count");
    Checks.require(n == 0 || outOff >= 0 && (long) outOff + (long) (n - 1) * outStride + t.count <= out.length,
        "out too short");
    if (SIMD) {
      SimdBlockedProducts.products(t, x, xOff, xStride, n, out, outOff, outStride);
    } else {
      productsScalar(t, x, xOff, xStride, n, out, outOff, outStride);
    }
  }

  private static void check(ProductTable t, float[] x, int xOff, int xStride, int n) {
    Checks.require(n >= 0, "n must be >= 0");
    Checks.require(xStride >= t.dim || n <= 1, "xStride below dim");
    Checks.require(n == 0 || xOff >= 0 && (long) xOff + (long) (n - 1) * xStride + t.dim <= x.length,
        "x too short");
  }

  /**
   * The scalar reference of {@link #argmax} (same scores bit for bit, same ties).
   *
   * @param t the packed rows
   * @param x the points' array
   * @param xOff where point 0 starts
   * @param xStride floats between consecutive points
   * @param n the number of points
   * @param out receives each point's best row
   * @param outOff where in {@code out} point 0's result goes
   */
  public static void argmaxScalar(ProductTable t, float[] x, int xOff, int xStride, int n, int[] out, int outOff) {
    for (int i = 0; i < n; i++) {
      int xi = xOff + i * xStride;
      float best = Float.NEGATIVE_INFINITY;
      int arg = 0;
      for (int r = 0; r < t.count; r++) {
        float s = score(t, x, xi, r);
        if (s > best) {
          best = s;
          arg = r;
        }
      }
      out[outOff + i] = arg;
    }
  }

  /**
   * The scalar reference of {@link #products}.
   *
   * @param t the packed rows
   * @param x the points' array
   * @param xOff where point 0 starts
   * @param xStride floats between consecutive points
   * @param n the number of points
   * @param out receives the scores
   * @param outOff where in {@code out} point 0's scores start
   * @param outStride floats between consecutive points' scores
   */
  public static void productsScalar(ProductTable t, float[] x, int xOff, int xStride, int n, float[] out, int outOff,
      int outStride) {
    for (int i = 0; i < n; i++) {
      int xi = xOff + i * xStride;
      for (int r = 0; r < t.count; r++) {
        out[outOff + i * outStride + r] = score(t, x, xi, r);
      }
    }
  }

  private static float score(ProductTable t, float[] x, int xi, int r) {
    float s = t.bias[r];
    for (int d = 0; d < t.dim; d++) {
      s = Math.fma(x[xi + d], t.w(r, d), s);
    }
    return s;
  }
}
