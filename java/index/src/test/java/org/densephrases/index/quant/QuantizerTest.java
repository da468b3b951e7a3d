package org.densephrases.index.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.densephrases.index.Synthetic;
import org.densephrases.kernels.Parallel;
import org.junit.jupiter.api.Test;

class QuantizerTest {

  @Test
  void kmeansAssignMatchesScalarL2() {
    Random r = new Random(1);
    int n = 3001;
    int dim = 13;
    int k = 37;
    float[] x = Synthetic.gaussian(r, n * dim, 1f);
    float[] c = Synthetic.gaussian(r, k * dim, 1f);
    int[] fast = new int[n];
    int[] slow = new int[n];
    KMeans.assign(c, k, dim, x, n, fast);
    KMeans.assignScalar(c, k, dim, x, n, slow);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      if (fast[i] != slow[i]) {
        // only a near tie may differ (float rounding of x.c - |c|^2/2 against the float distance)
        float a = KMeans.distance(x, i, c, fast[i], dim);
        float b = KMeans.distance(x, i, c, slow[i], dim);
        assertEquals(b, a, 1e-4f * Math.max(1f, b), "point " + i);
        differ++;
      }
    }
    assertTrue(differ < 5, differ + " assignments differ");
  }

  @Test
  void kmeansFindsPlantedClustersAndIsDeterministic() {
    Random r = new Random(2);
    int dim = 16;
    int n = 4000;
    float[] x = Synthetic.clustered(r, n, dim, 10, 0.05f);
    for (KMeans.Init init : KMeans.Init.values()) {
      float[] c1 = KMeans.train(x, n, dim, 10, 15, init, 7);
      float[] c2 = KMeans.train(x, n, dim, 10, 15, init, 7);
      assertArrayEquals(c1, c2, "same seed, same centroids");
      int[] a = new int[n];
      KMeans.assign(c1, 10, dim, x, n, a);
      double mse = KMeans.meanSquaredError(x, n, dim, c1, a);
      // noise variance per point = dim * sigma^2 = 0.04; two clusters sharing a centroid cost ~dim/2 = 8 for their
      // points. k-means++ finds all 10; random starts may leave one or two pairs merged (a local minimum).
      assertTrue(mse < (init == KMeans.Init.PLUS_PLUS ? 0.2 : 4.0), init + ": mse " + mse);
    }
    assertThrows(IllegalArgumentException.class, () -> KMeans.train(x, 5, dim, 10, 1, KMeans.Init.RANDOM, 1));
  }

  @Test
  void kmeansRefillsEmptyClusters() {
    // 50 copies of 3 points, 6 clusters: random init picks duplicates, the split must leave no centroid unused
    int dim = 4;
    int n = 150;
    float[] x = new float[n * dim];
    for (int i = 0; i < n; i++) {
      x[i * dim + (i % 3)] = 1f + (i % 2) * 0.1f;
    }
    float[] c = KMeans.train(x, n, dim, 6, 10, KMeans.Init.RANDOM, 3);
    for (float v : c) {
      assertTrue(Float.isFinite(v));
    }
  }

  @Test
  void sq8ErrorIsAtMostHalfAStepInsideTheTrainedRange() {
    Random r = new Random(3);
    int dim = 31;
    int n = 2000;
    float[] x = Synthetic.clustered(r, n, dim, 5, 0.5f);
    ScalarQuantizer sq = ScalarQuantizer.train(x, n, dim);
    byte[] code = new byte[dim];
    for (int i = 0; i < n; i++) {
      sq.encode(x, i * dim, code, 0);
      for (int d = 0; d < dim; d++) {
        float err = Math.abs(x[i * dim + d] - sq.decode(code[d], d));
        assertTrue(err <= sq.scale()[d] * 0.5001f + 1e-6f, "error " + err + " step " + sq.scale()[d]);
      }
    }
    // outside the range: clipped to the end code, not wrapped around
    float[] far = new float[dim];
    java.util.Arrays.fill(far, 1e6f);
    sq.encode(far, 0, code, 0);
    assertEquals(127, code[0]);
    java.util.Arrays.fill(far, -1e6f);
    sq.encode(far, 0, code, 0);
    assertEquals(-128, code[0]);
    // the kernel view decodes the same values
    byte[] codes = new byte[dim];
    sq.encode(x, 0, codes, 0);
    var v = sq.view(java.lang.foreign.MemorySegment.ofArray(codes), 1);
    assertEquals(sq.decode(codes[5], 5), v.get(0, 5));
  }

  static double pqRelativeError(ProductQuantizer pq, float[] x, int n, int dim) {
    byte[] codes = new byte[n * pq.m()];
    pq.encode(x, n, codes);
    float[] y = new float[dim];
    double err = 0;
    double norm = 0;
    for (int i = 0; i < n; i++) {
      pq.decode(codes, i * pq.m(), y, 0);
      for (int d = 0; d < dim; d++) {
        double e = x[i * dim + d] - y[d];
        err += e * e;
        norm += (double) x[i * dim + d] * x[i * dim + d];
      }
    }
    return err / norm;
  }

  @Test
  void pqReconstructionErrorIsBoundedAndFallsWithM() {
    Random r = new Random(4);
    int dim = 32;
    int n = 6000;
    float[] x = Synthetic.clustered(r, n, dim, 20, 0.2f);
    double prev = Double.MAX_VALUE;
    for (int m : new int[] {4, 8, 16}) {
      ProductQuantizer pq = ProductQuantizer.train(x, n, dim, m, 8, 5);
      double e = pqRelativeError(pq, x, n, dim);
      assertTrue(e < prev, "m=" + m + ": error " + e + " not below " + prev);
      prev = e;
    }
    // 16 bytes for 32 dims of 20 clusters + noise 0.2 (noise energy ~4% of the total): well under the noise
    assertTrue(prev < 0.03, "relative error " + prev);
    assertThrows(IllegalArgumentException.class, () -> ProductQuantizer.train(x, n, dim, 5, 1, 1));
  }

  @Test
  void pqTrainsOnFewerThan256Points() {
    Random r = new Random(5);
    float[] x = Synthetic.gaussian(r, 100 * 8, 1f);
    ProductQuantizer pq = ProductQuantizer.train(x, 100, 8, 2, 5, 1);
    assertTrue(pqRelativeError(pq, x, 100, 8) < 1e-9, "every training point is a centroid");
  }

  @Test
  void opqRotationIsOrthogonalAndLowersPqError() {
    Random r = new Random(6);
    int dim = 16;
    int n = 3000;
    int m = 4;
    // anisotropic data with correlated dimensions: variance concentrated in a few random directions, which plain PQ
    // splits badly across subspaces
    float[] z = new float[n * dim];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        z[i * dim + d] = (float) (r.nextGaussian() * (d < 4 ? 3.0 : 0.1));
      }
    }
    float[] rot = randomOrthogonal(r, dim);
    float[] x = new float[n * dim];
    Opq.rotate(rot, dim, z, n, x);
    ProductQuantizer plain = ProductQuantizer.train(x, n, dim, m, 8, 1);
    double plainErr = pqRelativeError(plain, x, n, dim);
    Opq.Result opq = Opq.train(x, n, dim, m, 4, 8, 1);
    float[] rr = opq.rotation();
    for (int a = 0; a < dim; a++) {
      for (int b = 0; b < dim; b++) {
        float dot = 0;
        for (int j = 0; j < dim; j++) {
          dot += rr[a * dim + j] * rr[b * dim + j];
        }
        assertEquals(a == b ? 1f : 0f, dot, 1e-4f, "R R^T at " + a + "," + b);
      }
    }
    float[] y = new float[n * dim];
    Opq.rotate(rr, dim, x, n, y);
    double opqErr = pqRelativeError(opq.pq(), y, n, dim); // |Rx - y| = |x - R^T y|: same error in either space
    assertTrue(opqErr < plainErr * 0.9, "OPQ error " + opqErr + " vs plain PQ " + plainErr);
  }

  static float[] randomOrthogonal(Random r, int dim) {
    double[] a = new double[dim * dim];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextGaussian();
    }
    double[] q = Opq.polar(a, dim);
    float[] f = new float[dim * dim];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) q[i];
    }
    return f;
  }

  @Test
  void kmeansPqAndOpqDoNotDependOnTheThreadCount() {
    Random r = new Random(7);
    int dim = 32;
    int n = 20000; // enough work for several chunks per call
    float[] x = Synthetic.clustered(r, n, dim, 60, 0.3f);
    float[] a = KMeans.train(x, n, dim, 64, 3, KMeans.Init.RANDOM, 9, 1);
    float[] b = KMeans.train(x, n, dim, 64, 3, KMeans.Init.RANDOM, 9, Parallel.threads());
    assertArrayEquals(a, b);
    ProductQuantizer p1 = ProductQuantizer.train(x, n, dim, 8, 3, 9, 1);
    ProductQuantizer pn = ProductQuantizer.train(x, n, dim, 8, 3, 9, Parallel.threads());
    assertArrayEquals(p1.codebooks(), pn.codebooks());
    byte[] c1 = new byte[n * 8];
    byte[] cn = new byte[n * 8];
    p1.encode(x, 0, n, c1, 0, 1);
    p1.encode(x, 0, n, cn, 0, Parallel.threads());
    assertArrayEquals(c1, cn);
    float[] xs = java.util.Arrays.copyOf(x, 3000 * dim);
    Opq.Result o1 = Opq.train(xs, 3000, dim, 8, 2, 2, 9, 1);
    Opq.Result on = Opq.train(xs, 3000, dim, 8, 2, 2, 9, Parallel.threads());
    assertArrayEquals(o1.rotation(), on.rotation());
    // the blocked rotation is bitwise the one-row rotation a search applies to its query
    float[] y = new float[n * dim];
    Opq.rotate(o1.rotation(), dim, x, n, y);
    float[] row = new float[dim];
    for (int i = 0; i < n; i += 997) {
      Opq.rotateRow(o1.rotation(), dim, x, i * dim, row, 0);
      assertArrayEquals(row, java.util.Arrays.copyOfRange(y, i * dim, (i + 1) * dim), "row " + i);
    }
  }

  /**
   * The fast assignment (blocked SIMD kernel, points split over threads) against a plain double-precision L2
   * argmin, lowest index on ties: odd dims, centroid counts that are no multiple of the kernel's blocks (4 x 16
   * lanes, panels of 64), duplicated centroids (exact ties) and points sitting on centroids. Only near ties (within
   * float rounding of the distances) may differ, and a duplicated centroid's higher copy never wins.
   */
  @Test
  void fastAssignmentEqualsAPlainScalarReference() {
    Random r = new Random(8);
    for (int dim : new int[] {1, 3, 7, 17, 63, 65, 131, 385}) {
      for (int k : new int[] {1, 2, 13, 64, 65, 129, 250}) {
        int n = 1 + r.nextInt(4000 / (1 + dim / 64));
        float[] c = Synthetic.gaussian(r, k * dim, 1f);
        int dupOf = -1;
        int dup = -1;
        if (k >= 3) { // the last centroid copies a random earlier one
          dupOf = r.nextInt(k - 1);
          dup = k - 1;
          System.arraycopy(c, dupOf * dim, c, dup * dim, dim);
        }
        float[] x = Synthetic.gaussian(r, n * dim, 1f);
        for (int i = 0; i < n; i += 7) { // points on a centroid (on the duplicated one too)
          int j = i % 14 == 0 && dup >= 0 ? dup : r.nextInt(k);
          System.arraycopy(c, j * dim, x, i * dim, dim);
        }
        int[] got = new int[n];
        KMeans.assign(c, k, dim, x, n, got);
        for (int i = 0; i < n; i++) {
          double[] dist = new double[k];
          int best = 0;
          for (int j = 0; j < k; j++) {
            double s = 0;
            for (int d = 0; d < dim; d++) {
              double v = (double) x[i * dim + d] - c[j * dim + d];
              s += v * v;
            }
            dist[j] = s;
            if (s < dist[best]) {
              best = j;
            }
          }
          String where = "dim " + dim + " k " + k + " point " + i;
          assertTrue(got[i] != dup, "the higher copy of a duplicated centroid won: " + where);
          if (got[i] != best) {
            double scale = 0;
            for (int d = 0; d < dim; d++) {
              scale += (double) x[i * dim + d] * x[i * dim + d];
            }
            // x.c - |c|^2/2 in float: rounding of order 1e-6 x (|x|^2 + |c|^2) on the distance
            double tol = 1e-5 * (1 + scale + dim);
            assertEquals(dist[best], dist[got[i]], tol, "not a near tie: " + where);
          }
        }
      }
    }
  }

  @Test
  void pqEncodingIsTheNearestSubCentroidPerSubspace() {
    Random r = new Random(9);
    int dim = 36;
    int m = 12; // dsub 3
    int n = 777;
    float[] x = Synthetic.clustered(r, 3000, dim, 30, 0.3f);
    ProductQuantizer pq = ProductQuantizer.train(x, 3000, dim, m, 3, 1);
    byte[] codes = new byte[n * m];
    pq.encode(x, n, codes);
    int dsub = dim / m;
    float[] books = pq.codebooks();
    for (int i = 0; i < n; i++) {
      for (int s = 0; s < m; s++) {
        double best = Double.POSITIVE_INFINITY;
        double chosen = 0;
        for (int j = 0; j < ProductQuantizer.KSUB; j++) {
          double dd = 0;
          for (int d = 0; d < dsub; d++) {
            double v = (double) x[i * dim + s * dsub + d] - books[(s * ProductQuantizer.KSUB + j) * dsub + d];
            dd += v * v;
          }
          best = Math.min(best, dd);
          if (j == Byte.toUnsignedInt(codes[i * m + s])) {
            chosen = dd;
          }
        }
        assertEquals(best, chosen, 1e-5 * (1 + best), "point " + i + " subspace " + s);
      }
    }
  }
}
