package org.densephrases.index.quant;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.scan.PqCodes;
import org.densephrases.kernels.scan.VectorScanner;

/**
 * PQ with m sub-quantizers of 8 bits: the vector is cut into m sub-vectors of dsub = dim/m dimensions, each replaced
 * by the nearest of 256 centroids trained by k-means on that subspace of a sample. Codebooks are (m)(256)(dsub), the
 * layout of the kernels' {@link PqCodes}. Encoding assigns each subspace with {@link KMeans#assign} (the kernel scan).
 */
public final class ProductQuantizer {
  public static final int KSUB = 256;
  private final int dim;
  private final int m;
  private final int dsub;
  private final float[] codebooks;

  public ProductQuantizer(int dim, int m, float[] codebooks) {
    Checks.checkDim(dim);
    Checks.checkRange("m", m, 1, KernelLimits.MAX_PQ_M);
    Checks.require(dim % m == 0, "dim " + dim + " is not a multiple of m " + m);
    Checks.checkLength("codebooks", codebooks, (long) m * KSUB, dim / m);
    this.dim = dim;
    this.m = m;
    this.dsub = dim / m;
    this.codebooks = codebooks.clone();
  }

  /** Trains the m codebooks on (n)(dim) sample vectors. With fewer than 256 points, points are repeated. */
  public static ProductQuantizer train(float[] sample, int n, int dim, int m, int iterations, long seed,
      VectorScanner scanner) {
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
        c = KMeans.train(sub, n, dsub, KSUB, iterations, KMeans.Init.RANDOM, seed + s, scanner);
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

  public int dim() {
    return dim;
  }

  public int m() {
    return m;
  }

  public int dsub() {
    return dsub;
  }

  /** (m)(256)(dsub). Do not modify. */
  public float[] codebooks() {
    return codebooks;
  }

  /** Encodes (n)(dim) vectors into (n)(m) codes. */
  public void encode(float[] x, int n, byte[] codes, VectorScanner scanner) {
    Checks.checkLength("x", x, n, dim);
    Checks.require(codes.length >= n * m, "codes too short");
    float[] sub = new float[n * dsub];
    float[] book = new float[KSUB * dsub];
    int[] assign = new int[n];
    for (int s = 0; s < m; s++) {
      for (int i = 0; i < n; i++) {
        System.arraycopy(x, i * dim + s * dsub, sub, i * dsub, dsub);
      }
      System.arraycopy(codebooks, s * KSUB * dsub, book, 0, KSUB * dsub);
      KMeans.assign(book, KSUB, dsub, sub, n, assign, scanner);
      for (int i = 0; i < n; i++) {
        codes[i * m + s] = (byte) assign[i];
      }
    }
  }

  /** Decodes one (m) code at codes[off..] into out[outOff..outOff+dim). */
  public void decode(byte[] codes, int off, float[] out, int outOff) {
    for (int s = 0; s < m; s++) {
      int c = Byte.toUnsignedInt(codes[off + s]);
      System.arraycopy(codebooks, (s * KSUB + c) * dsub, out, outOff + s * dsub, dsub);
    }
  }

  /** Codes (count)(m) as kernel PQ codes. */
  public PqCodes view(MemorySegment codes, long count) {
    return new PqCodes(codes, count, m, dim, codebooks);
  }
}
