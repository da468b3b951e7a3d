package org.densephrases.index.quant;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.blocked.BlockedProducts;
import org.densephrases.kernels.blocked.ProductTable;
import org.densephrases.kernels.scan.PqCodes;

/**
 * PQ with m sub-quantizers of 8 bits: the vector is cut into m sub-vectors of dsub = dim/m dimensions, each replaced
 * by the nearest of 256 centroids trained by k-means on that subspace of a sample. Codebooks are (m)(256)(dsub), the
 * layout of the kernels' {@link PqCodes}. Encoding is the blocked nearest-centroid search of {@link KMeans#assign}
 * per subspace (one L2 {@link ProductTable} per subspace, made once), read straight from the full vectors with a
 * stride: groups of points stay in cache while all m subspaces are encoded.
 */
public final class ProductQuantizer {
  /** Centroids per sub-quantizer (8-bit codes). */
  public static final int KSUB = 256;
  private final int dim;
  private final int m;
  private final int dsub;
  private final float[] codebooks;
  private final ProductTable[] tables; // per subspace, for encoding

  /**
   * A quantizer from trained codebooks.
   *
   * @param dim the vector dimension, a multiple of {@code m}
   * @param m sub-quantizers (bytes per code)
   * @param codebooks (m)(256)(dim / m) centroids (copied)
   * @throws IllegalArgumentException when the sizes do not fit together
   */
  public ProductQuantizer(int dim, int m, float[] codebooks) {
    Checks.checkDim(dim);
    Checks.checkRange("m", m, 1, KernelLimits.MAX_PQ_M);
    Checks.require(dim % m == 0, "dim " + dim + " is not a multiple of m " + m);
    Checks.checkLength("codebooks", codebooks, (long) m * KSUB, dim / m);
    this.dim = dim;
    this.m = m;
    this.dsub = dim / m;
    this.codebooks = codebooks.clone();
    this.tables = new ProductTable[m];
    for (int s = 0; s < m; s++) {
      float[] book = java.util.Arrays.copyOfRange(this.codebooks, s * KSUB * dsub, (s + 1) * KSUB * dsub);
      tables[s] = ProductTable.l2(book, KSUB, dsub);
    }
  }

  /**
   * Trains the m codebooks on (n)(dim) sample vectors. With fewer than 256 points, points are repeated.
   *
   * @param sample (n)(dim) training vectors
   * @param n the number of vectors
   * @param dim the dimension, a multiple of {@code m}
   * @param m sub-quantizers
   * @param iterations Lloyd iterations of each sub-quantizer
   * @param seed the training seed
   * @return the trained quantizer
   */
  public static ProductQuantizer train(float[] sample, int n, int dim, int m, int iterations, long seed) {
    return train(sample, n, dim, m, iterations, seed, Parallel.threads());
  }

  /**
   * {@link #train(float[], int, int, int, int, long)} on at most {@code threads} threads; same result.
   *
   * @param sample (n)(dim) training vectors
   * @param n the number of vectors
   * @param dim the dimension, a multiple of {@code m}
   * @param m sub-quantizers
   * @param iterations Lloyd iterations of each sub-quantizer
   * @param seed the training seed
   * @param threads the most threads to use
   * @return the trained quantizer (the same whatever {@code threads})
   */
  public static ProductQuantizer train(float[] sample, int n, int dim, int m, int iterations, long seed,
      int threads) {
    Checks.checkDim(dim);
    Checks.checkRange("m", m, 1, KernelLimits.MAX_PQ_M);
    Checks.require(dim % m == 0, "PQ needs dim (" + dim + ") to be a multiple of m (" + m + ")");
    Checks.require(n >= 1, "PQ training needs at least one vector");
    Checks.checkLength("sample", sample, n, dim);
    int dsub = dim / m;
    float[] books = new float[m * KSUB * dsub];
    float[] sub = new float[n * dsub];
    for (int s = 0; s < m; s++) {
      for (int i = 0; i < n; i++) {
        System.arraycopy(sample, i * dim + s * dsub, sub, i * dsub, dsub);
      }
      float[] c;
      if (n >= KSUB) {
        c = KMeans.train(sub, n, dsub, KSUB, iterations, KMeans.Init.RANDOM, seed + s, threads);
      } else {
        c = new float[KSUB * dsub];
        for (int j = 0; j < KSUB; j++) {
          System.arraycopy(sub, (j % n) * dsub, c, j * dsub, dsub);
        }
      }
      System.arraycopy(c, 0, books, s * KSUB * dsub, KSUB * dsub);
    }
    return new ProductQuantizer(dim, m, books);
  }

  /** {@return the vector dimension} */
  public int dim() {
    return dim;
  }

  /** {@return the number of sub-quantizers (bytes per code)} */
  public int m() {
    return m;
  }

  /** {@return the dimension of each subspace, {@code dim / m}} */
  public int dsub() {
    return dsub;
  }

  /**
   * (m)(256)(dsub). Do not modify.
   *
   * @return the centroids, (m)(256)(dsub) row-major
   */
  public float[] codebooks() {
    return codebooks;
  }

  /**
   * Encodes (n)(dim) vectors into (n)(m) codes, on all threads.
   *
   * @param x (n)(dim) vectors
   * @param n the number of vectors
   * @param codes receives (n)(m) codes
   */
  public void encode(float[] x, int n, byte[] codes) {
    encode(x, 0, n, codes, 0, Parallel.threads());
  }

  /**
   * Encodes n vectors at x[xOff ..] (row i at xOff + i * dim) into codes[codesOff + i * m ..], on at most
   * {@code threads} threads (1: the caller's only). The codes do not depend on the thread count.
   *
   * @param x the vectors' array
   * @param xOff where vector 0 starts
   * @param n the number of vectors
   * @param codes receives the codes
   * @param codesOff where in {@code codes} vector 0's code goes
   * @param threads the most threads to use
   */
  public void encode(float[] x, int xOff, int n, byte[] codes, int codesOff, int threads) {
    Checks.require(n >= 0 && xOff >= 0 && (long) xOff + (long) n * dim <= x.length, "x too short");
    Checks.require(codesOff >= 0 && (long) codesOff + (long) n * m <= codes.length, "codes too short");
    int tasks = threads <= 1 ? 1 : Parallel.tasksFor((long) n * dim * KSUB, (n + GROUP - 1) / GROUP);
    if (tasks <= 1) {
      encodeRange(x, xOff, 0, n, codes, codesOff);
      return;
    }
    int per = ((n + tasks - 1) / tasks + GROUP - 1) / GROUP * GROUP;
    Parallel.forEach((n + per - 1) / per, threads, ch -> {
      int from = ch * per;
      encodeRange(x, xOff, from, Math.min(n, from + per), codes, codesOff);
    });
  }

  /** Points encoded together: 64 x dim floats stay in L1/L2 while the m subspaces are searched. */
  private static final int GROUP = 64;

  private void encodeRange(float[] x, int xOff, int from, int to, byte[] codes, int codesOff) {
    int[] a = new int[GROUP];
    for (int g = from; g < to; g += GROUP) {
      int rows = Math.min(GROUP, to - g);
      for (int s = 0; s < m; s++) {
        BlockedProducts.argmax(tables[s], x, xOff + g * dim + s * dsub, dim, rows, a, 0);
        for (int i = 0; i < rows; i++) {
          codes[codesOff + (g + i) * m + s] = (byte) a[i];
        }
      }
    }
  }

  /**
   * Decodes one (m) code at codes[off..] into out[outOff..outOff+dim).
   *
   * @param codes the codes' array
   * @param off where the code starts
   * @param out receives the decoded vector (the centroids of its sub-codes)
   * @param outOff where in {@code out} it goes
   */
  public void decode(byte[] codes, int off, float[] out, int outOff) {
    for (int s = 0; s < m; s++) {
      int c = Byte.toUnsignedInt(codes[off + s]);
      System.arraycopy(codebooks, (s * KSUB + c) * dsub, out, outOff + s * dsub, dsub);
    }
  }

  /**
   * Codes (count)(m) as kernel PQ codes.
   *
   * @param codes (count)(m) code bytes
   * @param count the number of codes
   * @return a view over {@code codes} (not copied) with this quantizer's codebooks
   */
  public PqCodes view(MemorySegment codes, long count) {
    return new PqCodes(codes, count, m, dim, codebooks);
  }
}
