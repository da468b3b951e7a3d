package org.densephrases.index.quant;

import java.util.Random;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.blocked.BlockedProducts;
import org.densephrases.kernels.blocked.ProductTable;

/**
 * Lloyd's k-means (L2), deterministic for a seed. The assignment step, the costly one, is a blocked
 * nearest-centroid search ({@link BlockedProducts#argmax} over an L2 {@link ProductTable}: nearest in L2 is
 * {@code argmax x.c - |c|^2/2}, ties to the lowest centroid), points split over {@link Parallel} threads. Its result
 * does not depend on the thread count or the blocking (see {@link BlockedProducts} for the exact arithmetic).
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

  private KMeans() {}

  /**
   * Trains k centroids on (n)(dim) points, on all {@link Parallel#threads()}.
   *
   * @return (k)(dim) centroids
   * @param data the points, row-major
   * @param n the number of points
   * @param dim the number of floats per vector
   * @param k the number of centroids, at most {@code n}
   * @param iterations Lloyd iterations after the initialisation
   * @param init how the centroids start
   * @param seed the seed of the initialisation
   */
  public static float[] train(float[] data, int n, int dim, int k, int iterations, Init init, long seed) {
    return train(data, n, dim, k, iterations, init, seed, Parallel.threads());
  }

  /**
   * {@link #train(float[], int, int, int, int, Init, long)} on at most {@code threads} threads; same result.
   *
   * @param data the points, row-major
   * @param n the number of points
   * @param dim the number of floats per vector
   * @param k the number of centroids, at most {@code n}
   * @param iterations Lloyd iterations after the initialisation
   * @param init how the centroids start
   * @param seed the seed of the initialisation
   * @param threads the most threads to use
   * @return (k)(dim) centroids
   */
  public static float[] train(float[] data, int n, int dim, int k, int iterations, Init init, long seed,
      int threads) {
    Checks.checkDim(dim);
    Checks.require(k >= 1, "k must be >= 1, got " + k);
    Checks.require(n >= k, "k-means needs at least k = " + k + " points, got " + n);
    Checks.require(iterations >= 0, "iterations must be >= 0");
    Checks.checkLength("data", data, n, dim);
    Random r = new Random(seed);
    float[] c = init == Init.PLUS_PLUS ? plusPlus(data, n, dim, k, r) : randomInit(data, n, dim, k, r);
    int[] assign = new int[n];
    for (int it = 0; it < iterations; it++) {
      assign(ProductTable.l2(c, k, dim), data, 0, dim, n, assign, 0, threads);
      update(data, n, dim, k, assign, c, r);
    }
    return c;
  }

  /**
   * For each of (n)(dim) points, the nearest (L2) of the (k)(dim) centroids; all threads.
   *
   * @param centroids (k)(dim) centroids
   * @param k the number of centroids
   * @param dim the number of floats per vector
   * @param data (n)(dim) points
   * @param n the number of points
   * @param out receives the centroid index of each point
   */
  public static void assign(float[] centroids, int k, int dim, float[] data, int n, int[] out) {
    Checks.checkLength("data", data, n, dim);
    Checks.checkLength("centroids", centroids, k, dim);
    Checks.require(out.length >= n, "out has " + out.length + " entries, fewer than the " + n + " points");
    assign(ProductTable.l2(centroids, k, dim), data, 0, dim, n, out, 0, Parallel.threads());
  }

  /**
   * For each of n points (point i at data[off + i * stride .. + table.dim())), the best row of an L2 table
   * ({@link ProductTable#l2}): out[outOff + i]. Points are split in blocks over at most {@code threads} threads;
   * the result does not depend on the split.
   *
   * @param table the centroids as an L2 table
   * @param data the points' array
   * @param off where point 0 starts
   * @param stride floats between consecutive points
   * @param n the number of points
   * @param out receives the best row of each point
   * @param outOff where in {@code out} point 0's result goes
   * @param threads the most threads to use
   */
  public static void assign(ProductTable table, float[] data, int off, int stride, int n, int[] out, int outOff,
      int threads) {
    long work = (long) n * table.count() * table.dim();
    int tasks = Parallel.tasksFor(work, (n + 3) / 4);
    if (tasks <= 1 || threads <= 1) {
      BlockedProducts.argmax(table, data, off, stride, n, out, outOff);
      return;
    }
    int per = ((n + tasks - 1) / tasks + 3) & ~3; // whole groups of 4 points per task
    int chunks = (n + per - 1) / per;
    Parallel.forEach(chunks, threads, ch -> {
      int from = ch * per;
      int m = Math.min(per, n - from);
      BlockedProducts.argmax(table, data, off + from * stride, stride, m, out, outOff + from);
    });
  }

  /** The plain scalar reference of {@link #assign}: the nearest centroid by squared L2 in float, first on ties. */
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

  /**
   * Squared L2 distance of point i to centroid j.
   *
   * @param data (n)(dim) points
   * @param i the point
   * @param c (k)(dim) centroids
   * @param j the centroid
   * @param dim the number of floats per vector
   * @return the squared distance
   */
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

  /**
   * Mean squared distance of the points to their assigned centroids (for tests and reports).
   *
   * @param data (n)(dim) points
   * @param n the number of points
   * @param dim the number of floats per vector
   * @param c the centroids
   * @param assign each point's centroid
   * @return the mean squared distance
   */
  public static double meanSquaredError(float[] data, int n, int dim, float[] c, int[] assign) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += distance(data, i, c, assign[i], dim);
    }
    return s / n;
  }
}
