package org.densephrases.index.quant;

import org.densephrases.kernels.Checks;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.blocked.BlockedProducts;
import org.densephrases.kernels.blocked.ProductTable;

/**
 * OPQ (Ge et al. 2013, the non-parametric variant): an orthogonal rotation R applied before PQ so that the
 * sub-quantizers see subspaces that PQ encodes well. Alternates (1) train PQ on the rotated sample R x and
 * reconstruct it as y; (2) the Procrustes step, R = argmax over orthogonal R of tr(R M) with M = sum x y^T, which is
 * the transpose of M's orthogonal polar factor (computed by Higham's scaled Newton iteration, no SVD needed).
 * Inner products are preserved by the rotation: q.x = (Rq).(Rx), so a search rotates the query once.
 *
 * <p>Rotations are the blocked products of {@link BlockedProducts} ({@link #rotate}, many rows, on threads) or the
 * same FMA chain in plain Java ({@link #rotateRow}, one row): bitwise the same result either way.
 */
public final class Opq {
  /**
   * The rotation (dim)(dim) row-major, y = R x, and the PQ trained in the rotated space.
   *
   * @param rotation (dim)(dim) row-major
   * @param pq the product quantizer of the rotated space
   */
  public record Result(float[] rotation, ProductQuantizer pq) {}

  private Opq() {}

  /**
   * Trains OPQ on all threads: alternates PQ training in the rotated space with the orthogonal Procrustes update of the
   * rotation.
   *
   * @param sample (n)(dim) training vectors
   * @param n the number of vectors
   * @param dim the dimension, a multiple of {@code m}
   * @param m PQ sub-quantizers
   * @param opqIterations alternations of rotation and PQ
   * @param pqIterations Lloyd iterations of each PQ training
   * @param seed the training seed
   * @return the rotation and the PQ
   */
  public static Result train(float[] sample, int n, int dim, int m, int opqIterations, int pqIterations, long seed) {
    return train(sample, n, dim, m, opqIterations, pqIterations, seed, Parallel.threads());
  }

  /**
   * {@link #train(float[], int, int, int, int, int, long)} on at most {@code threads} threads; same result.
   *
   * @param sample (n)(dim) training vectors
   * @param n the number of vectors
   * @param dim the dimension, a multiple of {@code m}
   * @param m PQ sub-quantizers
   * @param opqIterations alternations of rotation and PQ
   * @param pqIterations Lloyd iterations of each PQ training
   * @param seed the training seed
   * @param threads the most threads to use
   * @return the rotation and the PQ
   */
  public static Result train(float[] sample, int n, int dim, int m, int opqIterations, int pqIterations, long seed,
      int threads) {
    Checks.checkLength("sample", sample, n, dim);
    Checks.require(opqIterations >= 1, "OPQ needs at least one iteration");
    float[] r = identity(dim);
    float[] y = new float[n * dim];
    byte[] codes = new byte[n * m];
    for (int it = 0; it < opqIterations; it++) {
      rotate(r, dim, sample, n, y, threads);
      ProductQuantizer pq = ProductQuantizer.train(y, n, dim, m, Math.min(pqIterations, 4), seed + 7919L * it,
          threads);
      pq.encode(y, 0, n, codes, 0, threads);
      for (int i = 0; i < n; i++) {
        pq.decode(codes, i * m, y, i * dim);
      }
      double[] p = polar(crossProducts(sample, y, n, dim, threads), dim);
      for (int a = 0; a < dim; a++) {
        for (int b = 0; b < dim; b++) {
          r[a * dim + b] = (float) p[b * dim + a]; // R = polar(M)^T
        }
      }
    }
    rotate(r, dim, sample, n, y, threads);
    return new Result(r, ProductQuantizer.train(y, n, dim, m, pqIterations, seed, threads));
  }

  /**
   * M[a][b] = sum_i x_i[a] y_i[b] in double, summed over i in order for every entry; rows of M are split over
   * threads (each thread streams the points once for its rows), so the result does not depend on the split.
   */
  static double[] crossProducts(float[] x, float[] y, int n, int dim, int threads) {
    double[] mm = new double[dim * dim];
    int rowsPer = 16; // 16 rows of M (dim doubles each) stay in L1/L2 while the points stream by
    Parallel.forEach((dim + rowsPer - 1) / rowsPer, threads, ch -> {
      int a0 = ch * rowsPer;
      int a1 = Math.min(dim, a0 + rowsPer);
      for (int i = 0; i < n; i++) {
        int yi = i * dim;
        for (int a = a0; a < a1; a++) {
          double xa = x[i * dim + a];
          int row = a * dim;
          for (int b = 0; b < dim; b++) {
            mm[row + b] += xa * y[yi + b];
          }
        }
      }
    });
    return mm;
  }

  /**
   * out_i = R x_i for (n)(dim) rows x, on all threads.
   *
   * @param r (dim)(dim) rotation
   * @param dim the number of floats per vector
   * @param x (n)(dim) rows
   * @param n the number of rows
   * @param out receives (n)(dim) rotated rows
   */
  public static void rotate(float[] r, int dim, float[] x, int n, float[] out) {
    rotate(r, dim, x, n, out, Parallel.threads());
  }

  /**
   * out_i = R x_i for (n)(dim) rows x, on at most {@code threads} threads; bitwise {@link #rotateRow} per row.
   *
   * @param r (dim)(dim) rotation
   * @param dim the number of floats per vector
   * @param x (n)(dim) rows
   * @param n the number of rows
   * @param out receives (n)(dim) rotated rows
   * @param threads the most threads to use
   */
  public static void rotate(float[] r, int dim, float[] x, int n, float[] out, int threads) {
    rotate(ProductTable.of(r, 0, dim, dim, null), x, 0, n, out, 0, threads);
  }

  /**
   * The rotation as a table for {@link #rotate(ProductTable, float[], int, int, float[], int, int)}.
   *
   * @param r (dim)(dim) rotation
   * @param dim the number of floats per vector
   * @return the rotation packed for {@link BlockedProducts}-ordered products
   */
  public static ProductTable table(float[] r, int dim) {
    return ProductTable.of(r, 0, dim, dim, null);
  }

  /**
   * Rotates n rows at x[xOff ..] into out[outOff ..] with a {@link #table}, on at most {@code threads} threads.
   *
   * @param rt the rotation as a table
   * @param x the rows' array
   * @param xOff where row 0 starts
   * @param n the number of rows
   * @param out receives the rotated rows
   * @param outOff where in {@code out} row 0 goes
   * @param threads the most threads to use
   */
  public static void rotate(ProductTable rt, float[] x, int xOff, int n, float[] out, int outOff, int threads) {
    int dim = rt.dim();
    int tasks = threads <= 1 ? 1 : Parallel.tasksFor((long) n * dim * dim, (n + 3) / 4);
    if (tasks <= 1) {
      BlockedProducts.products(rt, x, xOff, dim, n, out, outOff, dim);
      return;
    }
    int per = ((n + tasks - 1) / tasks + 3) & ~3;
    Parallel.forEach((n + per - 1) / per, threads, ch -> {
      int from = ch * per;
      int rows = Math.min(per, n - from);
      BlockedProducts.products(rt, x, xOff + from * dim, dim, rows, out, outOff + from * dim, dim);
    });
  }

  /**
   * out = R x for one row: {@code fma(R[a][b], x[b], s)} over b in order, the chain of {@link BlockedProducts},
   * so a query rotated here matches the index vectors rotated by {@link #rotate} bit for bit.
   *
   * @param r (dim)(dim) rotation
   * @param dim the number of floats per vector
   * @param x the row's array
   * @param xOff where the row starts
   * @param out receives the rotated row
   * @param outOff where in {@code out} it goes
   */
  public static void rotateRow(float[] r, int dim, float[] x, int xOff, float[] out, int outOff) {
    for (int a = 0; a < dim; a++) {
      float s = 0;
      int row = a * dim;
      for (int b = 0; b < dim; b++) {
        s = Math.fma(x[xOff + b], r[row + b], s);
      }
      out[outOff + a] = s;
    }
  }

  static float[] identity(int dim) {
    float[] r = new float[dim * dim];
    for (int i = 0; i < dim; i++) {
      r[i * dim + i] = 1f;
    }
    return r;
  }

  /** The orthogonal factor U V^T of a = U S V^T, (dim)(dim) row-major, by scaled Newton iteration. */
  static double[] polar(double[] a, int dim) {
    double[] q = a.clone();
    double norm = frobenius(q);
    if (norm == 0) {
      double[] id = new double[dim * dim];
      for (int i = 0; i < dim; i++) {
        id[i * dim + i] = 1;
      }
      return id;
    }
    for (int i = 0; i < dim; i++) { // a tiny ridge keeps a rank-deficient M invertible
      q[i * dim + i] += norm * 1e-9;
    }
    for (int it = 0; it < 100; it++) {
      double[] inv = inverse(q, dim);
      double gamma = Math.sqrt(frobenius(inv) / frobenius(q));
      double diff = 0;
      double[] next = new double[dim * dim];
      for (int i = 0; i < dim; i++) {
        for (int j = 0; j < dim; j++) {
          double v = 0.5 * (gamma * q[i * dim + j] + inv[j * dim + i] / gamma);
          next[i * dim + j] = v;
          double dd = v - q[i * dim + j];
          diff += dd * dd;
        }
      }
      q = next;
      if (Math.sqrt(diff) < 1e-12 * Math.sqrt(dim)) {
        break;
      }
    }
    return q;
  }

  static double frobenius(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** Gauss-Jordan inverse with partial pivoting. */
  static double[] inverse(double[] a, int n) {
    double[] m = a.clone();
    double[] inv = new double[n * n];
    for (int i = 0; i < n; i++) {
      inv[i * n + i] = 1;
    }
    for (int col = 0; col < n; col++) {
      int piv = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r * n + col]) > Math.abs(m[piv * n + col])) {
          piv = r;
        }
      }
      if (m[piv * n + col] == 0) {
        throw new ArithmeticException("singular matrix in the OPQ Procrustes step");
      }
      if (piv != col) {
        swapRows(m, n, piv, col);
        swapRows(inv, n, piv, col);
      }
      double d = m[col * n + col];
      for (int j = 0; j < n; j++) {
        m[col * n + j] /= d;
        inv[col * n + j] /= d;
      }
      for (int r = 0; r < n; r++) {
        if (r == col) {
          continue;
        }
        double f = m[r * n + col];
        if (f == 0) {
          continue;
        }
        for (int j = 0; j < n; j++) {
          m[r * n + j] -= f * m[col * n + j];
          inv[r * n + j] -= f * inv[col * n + j];
        }
      }
    }
    return inv;
  }

  private static void swapRows(double[] m, int n, int a, int b) {
    for (int j = 0; j < n; j++) {
      double t = m[a * n + j];
      m[a * n + j] = m[b * n + j];
      m[b * n + j] = t;
    }
  }
}
