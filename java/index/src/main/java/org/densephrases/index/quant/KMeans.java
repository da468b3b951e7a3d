package org.densephrases.index.quant;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.scan.ScanTable;
import org.densephrases.kernels.scan.VectorScanner;

/**
 * Lloyd's k-means (L2), deterministic for a seed. The assignment step, the costly one, runs on the kernels' flat
 * scan with k = 1: nearest in L2 is {@code argmax x.c - |c|^2/2}, so each centroid becomes the row
 * {@code [c, -|c|^2/2]} of an FP32 table of dimension dim+1 and each point the query {@code [x, 1]}. Any backend
 * (SIMD Java, CUDA) then does the (point)(centroid) products with its fused top-1.
 *
 * <p>Empty clusters are refilled by splitting the largest one (its centroid nudged apart in two copies), as faiss
 * does, so that no centroid is wasted.
 */
public final class KMeans {
  /** Initialisation of the centroids. */
  public enum Init {
    /** k distinct points of the data, chosen at random. Cheap at any size. */
    RANDOM,
    /** k-means++ (D^2 sampling): better starts, one sequential pass over the data per centroid. */
    PLUS_PLUS
  }

  /** Points per {@link #assign} scan call: bounds the (chunk)(dim+1) query buffer. */
  static final int CHUNK = 2048;

  private KMeans() {}

  /**
   * Trains k centroids on (n)(dim) points.
   *
   * @return (k)(dim) centroids
   */
  public static float[] train(float[] data, int n, int dim, int k, int iterations, Init init, long seed,
      VectorScanner scanner) {
    Checks.checkDim(dim);
    Checks.require(k >= 1, "k must be >= 1, got " + k);
    Checks.require(n >= k, "k-means needs at least k = " + k + " points, got " + n);
    Checks.require(iterations >= 0, "iterations must be >= 0");
    Checks.checkLength("data", data, n, dim);
    Random r = new Random(seed);
    float[] c = init == Init.PLUS_PLUS ? plusPlus(data, n, dim, k, r) : randomInit(data, n, dim, k, r);
    int[] assign = new int[n];
    for (int it = 0; it < iterations; it++) {
      assign(c, k, dim, data, n, assign, scanner);
      update(data, n, dim, k, assign, c, r);
    }
    return c;
  }

  /** For each of (n)(dim) points, the nearest (L2) of the (k)(dim) centroids. */
  public static void assign(float[] centroids, int k, int dim, float[] data, int n, int[] out, VectorScanner scanner) {
    Checks.checkLength("data", data, n, dim);
    Checks.checkLength("centroids", centroids, k, dim);
    if (dim + 1 > KernelLimits.MAX_DIM) {
      assignScalar(centroids, k, dim, data, n, out);
      return;
    }
    int d1 = dim + 1;
    float[] table = new float[k * d1];
    for (int j = 0; j < k; j++) {
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        float v = centroids[j * dim + d];
        table[j * d1 + d] = v;
        norm += (double) v * v;
      }
      table[j * d1 + dim] = (float) (-0.5 * norm);
    }
    int chunks = (n + CHUNK - 1) / CHUNK;
    try (ScanTable t = scanner.load(EncodedVectors.ofFloats(table, d1))) {
      // Chunks run in parallel: a flat scan splits its rows over threads, and a table of k centroids is too few
      // rows to split, so with many points and few centroids the parallelism has to come from the points.
      IntStream.range(0, chunks).parallel().forEach(ci -> {
        int from = ci * CHUNK;
        int m = Math.min(CHUNK, n - from);
        float[] q = new float[m * d1]; // (point)(dim+1): [x, 1]
        for (int i = 0; i < m; i++) {
          System.arraycopy(data, (from + i) * dim, q, i * d1, dim);
          q[i * d1 + dim] = 1f;
        }
        TopK top = scanner.search(t, q, m, 1);
        for (int i = 0; i < m; i++) {
          out[from + i] = (int) top.id(i, 0);
        }
      });
    }
  }

  static void assignScalar(float[] c, int k, int dim, float[] data, int n, int[] out) {
    for (int i = 0; i < n; i++) {
      float best = Float.POSITIVE_INFINITY;
      int arg = 0;
      for (int j = 0; j < k; j++) {
        float dist = 0;
        for (int d = 0; d < dim; d++) {
          float x = data[i * dim + d] - c[j * dim + d];
          dist += x * x;
        }
        if (dist < best) {
          best = dist;
          arg = j;
        }
      }
      out[i] = arg;
    }
  }

  /** Squared L2 distance of point i to centroid j. */
  public static float distance(float[] data, int i, float[] c, int j, int dim) {
    float s = 0;
    for (int d = 0; d < dim; d++) {
      float x = data[i * dim + d] - c[j * dim + d];
      s += x * x;
    }
    return s;
  }

  private static float[] randomInit(float[] data, int n, int dim, int k, Random r) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    float[] c = new float[k * dim];
    for (int j = 0; j < k; j++) { // partial Fisher-Yates: k distinct points
      int p = j + r.nextInt(n - j);
      int tmp = perm[j];
      perm[j] = perm[p];
      perm[p] = tmp;
      System.arraycopy(data, perm[j] * dim, c, j * dim, dim);
    }
    return c;
  }

  private static float[] plusPlus(float[] data, int n, int dim, int k, Random r) {
    float[] c = new float[k * dim];
    double[] minDist = new double[n];
    int first = r.nextInt(n);
    System.arraycopy(data, first * dim, c, 0, dim);
    double total = 0;
    for (int i = 0; i < n; i++) {
      minDist[i] = distance(data, i, c, 0, dim);
      total += minDist[i];
    }
    for (int j = 1; j < k; j++) {
      int pick;
      if (total <= 0) {
        pick = r.nextInt(n); // every point sits on a centroid already
      } else {
        double u = r.nextDouble() * total;
        pick = n - 1;
        for (int i = 0; i < n; i++) {
          u -= minDist[i];
          if (u < 0) {
            pick = i;
            break;
          }
        }
      }
      System.arraycopy(data, pick * dim, c, j * dim, dim);
      total = 0;
      for (int i = 0; i < n; i++) {
        minDist[i] = Math.min(minDist[i], distance(data, i, c, j, dim));
        total += minDist[i];
      }
    }
    return c;
  }

  private static void update(float[] data, int n, int dim, int k, int[] assign, float[] c, Random r) {
    double[] sum = new double[k * dim];
    int[] count = new int[k];
    for (int i = 0; i < n; i++) {
      int j = assign[i];
      count[j]++;
      for (int d = 0; d < dim; d++) {
        sum[j * dim + d] += data[i * dim + d];
      }
    }
    for (int j = 0; j < k; j++) {
      if (count[j] > 0) {
        for (int d = 0; d < dim; d++) {
          c[j * dim + d] = (float) (sum[j * dim + d] / count[j]);
        }
      }
    }
    // Split the largest cluster into each empty one: two copies of its centroid nudged in opposite directions.
    for (int j = 0; j < k; j++) {
      if (count[j] != 0) {
        continue;
      }
      int big = 0;
      for (int b = 1; b < k; b++) {
        if (count[b] > count[big]) {
          big = b;
        }
      }
      if (count[big] <= 1) {
        break; // nothing left to split
      }
      for (int d = 0; d < dim; d++) {
        float eps = (r.nextBoolean() ? 1f : -1f) / 1024f;
        float v = c[big * dim + d];
        c[j * dim + d] = v * (1 + eps) + eps * 1e-3f;
        c[big * dim + d] = v * (1 - eps) - eps * 1e-3f;
      }
      count[j] = count[big] / 2;
      count[big] -= count[j];
    }
  }

  /** Mean squared distance of the points to their assigned centroids (for tests and reports). */
  public static double meanSquaredError(float[] data, int n, int dim, float[] c, int[] assign) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += distance(data, i, c, assign[i], dim);
    }
    return s / n;
  }
}
