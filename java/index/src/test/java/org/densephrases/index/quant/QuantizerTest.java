package org.densephrases.index.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.densephrases.index.Synthetic;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.ScalarBackend;
import org.densephrases.kernels.scan.VectorScanner;
import org.junit.jupiter.api.Test;

class QuantizerTest {
  static final VectorScanner SCAN = Backends.best().vectorScanner();

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
    KMeans.assign(c, k, dim, x, n, fast, SCAN);
    KMeans.assignScalar(c, k, dim, x, n, slow);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      if (fast[i] != slow[i]) {
        // only a near tie may differ (float rounding of the augmented inner product)
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
      float[] c1 = KMeans.train(x, n, dim, 10, 15, init, 7, SCAN);
      float[] c2 = KMeans.train(x, n, dim, 10, 15, init, 7, SCAN);
      assertArrayEquals(c1, c2, "same seed, same centroids");
      int[] a = new int[n];
      KMeans.assign(c1, 10, dim, x, n, a, SCAN);
      double mse = KMeans.meanSquaredError(x, n, dim, c1, a);
      // noise variance per point = dim * sigma^2 = 0.04; two clusters sharing a centroid cost ~dim/2 = 8 for their
      // points. k-means++ finds all 10; random starts may leave one or two pairs merged (a local minimum).
      assertTrue(mse < (init == KMeans.Init.PLUS_PLUS ? 0.2 : 4.0), init + ": mse " + mse);
    }
    assertThrows(IllegalArgumentException.class, () -> KMeans.train(x, 5, dim, 10, 1, KMeans.Init.RANDOM, 1, SCAN));
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
    float[] c = KMeans.train(x, n, dim, 6, 10, KMeans.Init.RANDOM, 3, SCAN);
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
    pq.encode(x, n, codes, SCAN);
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
      ProductQuantizer pq = ProductQuantizer.train(x, n, dim, m, 8, 5, SCAN);
      double e = pqRelativeError(pq, x, n, dim);
      assertTrue(e < prev, "m=" + m + ": error " + e + " not below " + prev);
      prev = e;
    }
    // 16 bytes for 32 dims of 20 clusters + noise 0.2 (noise energy ~4% of the total): well under the noise
    assertTrue(prev < 0.03, "relative error " + prev);
    assertThrows(IllegalArgumentException.class, () -> ProductQuantizer.train(x, n, dim, 5, 1, 1, SCAN));
  }

  @Test
  void pqTrainsOnFewerThan256Points() {
    Random r = new Random(5);
    float[] x = Synthetic.gaussian(r, 100 * 8, 1f);
    ProductQuantizer pq = ProductQuantizer.train(x, 100, 8, 2, 5, 1, SCAN);
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
    ProductQuantizer plain = ProductQuantizer.train(x, n, dim, m, 8, 1, SCAN);
    double plainErr = pqRelativeError(plain, x, n, dim);
    Opq.Result opq = Opq.train(x, n, dim, m, 4, 8, 1, SCAN);
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
  void scalarAndSimdBackendsTrainTheSameKMeans() {
    Random r = new Random(7);
    int dim = 8;
    int n = 1000;
    float[] x = Synthetic.clustered(r, n, dim, 6, 0.1f);
    float[] a = KMeans.train(x, n, dim, 6, 5, KMeans.Init.RANDOM, 9, ScalarBackend.INSTANCE.vectorScanner());
    float[] b = KMeans.train(x, n, dim, 6, 5, KMeans.Init.RANDOM, 9, SCAN);
    assertArrayEquals(a, b, 1e-4f);
  }
}
