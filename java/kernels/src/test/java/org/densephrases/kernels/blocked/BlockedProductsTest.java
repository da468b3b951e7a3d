package org.densephrases.kernels.blocked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.densephrases.kernels.SeedExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The blocked kernel against its scalar reference, bit for bit: odd dimensions, row counts that are no multiple of
 * the panel or slice, point counts that are no multiple of 4, offsets and strides (PQ sub-vectors), duplicate rows
 * (exact ties: the lowest row wins), and against a plain double-precision L2 argmin.
 */
class BlockedProductsTest {
  @RegisterExtension final SeedExtension seeds = new SeedExtension();

  private static final int[] DIMS = {1, 3, 4, 7, 16, 17, 33, 64, 100, 385};
  private static final int[] COUNTS = {1, 2, 5, 16, 63, 64, 65, 100, 130, 256, 257};

  @Test
  void simdRunsHere() {
    // The build runs with the Vector API module (pom's dp.jvm.flags); the SIMD path must be the one tested.
    assertTrue(BlockedProducts.simd(), "the SIMD kernel is not in use");
  }

  @Test
  void argmaxIsBitwiseTheScalarReference() {
    Random r = seeds.random();
    for (int dim : DIMS) {
      for (int count : COUNTS) {
        int n = 1 + r.nextInt(23);
        float[] c = gaussian(r, count * dim);
        if (count > 3) { // duplicate rows: exact ties
          System.arraycopy(c, 0, c, (count - 1) * dim, dim);
          System.arraycopy(c, dim, c, (count / 2) * dim, dim);
        }
        ProductTable t = ProductTable.l2(c, count, dim);
        int stride = dim + r.nextInt(5);
        int off = r.nextInt(7);
        float[] x = gaussian(r, off + n * stride);
        // some points equal to a row (of a duplicated pair), some exactly between two
        for (int i = 0; i < n; i += 3) {
          System.arraycopy(c, r.nextInt(count) * dim, x, off + i * stride, dim);
        }
        int[] simd = new int[n + 2];
        int[] ref = new int[n + 2];
        BlockedProducts.argmax(t, x, off, stride, n, simd, 1);
        BlockedProducts.argmaxScalar(t, x, off, stride, n, ref, 1);
        for (int i = 0; i < n; i++) {
          assertEquals(ref[1 + i], simd[1 + i], "dim " + dim + " count " + count + " point " + i);
        }
        if (count > 3) {
          int dup = count - 1; // a copy of row 0: row 0 must win where the copy is the nearest
          for (int i = 0; i < n; i++) {
            assertTrue(simd[1 + i] != dup, "the higher of two equal rows won, dim " + dim + " count " + count);
          }
        }
      }
    }
  }

  @Test
  void theJitCompiledKernelStaysBitwiseTheScalarReference() {
    // enough calls for C2 to compile argmax4/argmax1 (the tests above mostly run interpreted or C1 code)
    Random r = seeds.random();
    int dim = 19;
    int count = 130;
    int n = 7;
    float[] c = gaussian(r, count * dim);
    ProductTable t = ProductTable.l2(c, count, dim);
    int[] simd = new int[n];
    int[] ref = new int[n];
    for (int rep = 0; rep < 20_000; rep++) {
      float[] x = gaussian(r, n * dim);
      BlockedProducts.argmax(t, x, 0, dim, n, simd, 0);
      if (rep % 100 == 0) {
        BlockedProducts.argmaxScalar(t, x, 0, dim, n, ref, 0);
        assertEquals(java.util.Arrays.toString(ref), java.util.Arrays.toString(simd), "rep " + rep);
      }
    }
  }

  @Test
  void productsAreBitwiseTheScalarReference() {
    Random r = seeds.random();
    for (int dim : DIMS) {
      for (int count : COUNTS) {
        int n = 1 + r.nextInt(11);
        float[] w = gaussian(r, count * dim);
        float[] bias = r.nextBoolean() ? null : gaussian(r, count);
        ProductTable t = ProductTable.of(w, 0, count, dim, bias);
        float[] x = gaussian(r, n * dim);
        int outStride = count + r.nextInt(3);
        float[] a = new float[2 + n * outStride];
        float[] b = new float[2 + n * outStride];
        java.util.Arrays.fill(a, 42f);
        java.util.Arrays.fill(b, 42f);
        BlockedProducts.products(t, x, 0, dim, n, a, 2, outStride);
        BlockedProducts.productsScalar(t, x, 0, dim, n, b, 2, outStride);
        for (int k = 0; k < a.length; k++) {
          assertEquals(Float.floatToRawIntBits(b[k]), Float.floatToRawIntBits(a[k]),
              "dim " + dim + " count " + count + " at " + k + " (42 = must stay untouched)");
        }
      }
    }
  }

  @Test
  void argmaxIsTheNearestCentroidInL2() {
    Random r = seeds.random();
    for (int dim : new int[] {5, 64, 97}) {
      int k = 77;
      int n = 301;
      float[] c = gaussian(r, k * dim);
      float[] x = gaussian(r, n * dim);
      int[] got = new int[n];
      BlockedProducts.argmax(ProductTable.l2(c, k, dim), x, 0, dim, n, got, 0);
      for (int i = 0; i < n; i++) {
        double best = Double.POSITIVE_INFINITY;
        double second = Double.POSITIVE_INFINITY;
        int arg = -1;
        for (int j = 0; j < k; j++) {
          double s = 0;
          for (int d = 0; d < dim; d++) {
            double v = (double) x[i * dim + d] - c[j * dim + d];
            s += v * v;
          }
          if (s < best) {
            second = best;
            best = s;
            arg = j;
          } else if (s < second) {
            second = s;
          }
        }
        if (second - best > 1e-4 * (1 + best)) { // not a near tie: float rounding cannot flip it
          assertEquals(arg, got[i], "dim " + dim + " point " + i);
        }
      }
    }
  }

  @Test
  void nanAndInfinitePointsGiveRowZeroOrAFiniteWinner() {
    int dim = 3;
    float[] c = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    ProductTable t = ProductTable.l2(c, 3, dim);
    float[] x = {Float.NaN, 0, 0, 1, 1, 1, Float.NaN, Float.NaN, Float.NaN, 2, 2, 2, 1.1f, 1, 1};
    int[] simd = new int[5];
    int[] ref = new int[5];
    BlockedProducts.argmax(t, x, 0, dim, 5, simd, 0);
    BlockedProducts.argmaxScalar(t, x, 0, dim, 5, ref, 0);
    assertEquals(0, ref[0]);
    assertEquals(java.util.Arrays.toString(ref), java.util.Arrays.toString(simd));
  }

  private static float[] gaussian(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
