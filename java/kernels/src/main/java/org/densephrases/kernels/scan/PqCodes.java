package org.densephrases.kernels.scan;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelLimits;

/**
 * Product-quantized vectors: (vector)(m) uint8 codes and (m)(256)(dim/m) float codebooks. The decoded vector is
 * the concatenation of {@code codebooks[s][code[s]]} over the m sub-quantizers. A view: it owns nothing.
 */
public final class PqCodes {
  private final MemorySegment codes;
  private final long count;
  private final int m;
  private final int dim;
  private final float[] codebooks;

  /**
   * PQ codes with their codebooks.
   *
   * @param codes (count)(m) code bytes
   * @param count the number of rows
   * @param m sub-quantizers (bytes per row)
   * @param dim the vector dimension, a multiple of {@code m}
   * @param codebooks (m)(256)(dim / m) centroids, finite (not copied)
   * @throws IllegalArgumentException when the sizes do not fit together or a centroid is not finite
   */
  public PqCodes(MemorySegment codes, long count, int m, int dim, float[] codebooks) {
    Checks.checkRange("m", m, 1, KernelLimits.MAX_PQ_M);
    Checks.checkDim(dim);
    Checks.require(dim % m == 0, "dim " + dim + " is not a multiple of m " + m);
    Checks.require(count >= 0, "count must be >= 0");
    Checks.require(codes != null && codes.byteSize() == count * m,
        "PQ codes hold " + (codes == null ? 0 : codes.byteSize()) + " bytes, expected " + count + " x " + m);
    Checks.require(codebooks != null && codebooks.length == m * 256 * (dim / m),
        "codebooks must hold m x 256 x dim/m = " + (m * 256 * (dim / m)) + " floats");
    Checks.checkFinite("codebooks", codebooks);
    this.codes = codes;
    this.count = count;
    this.m = m;
    this.dim = dim;
    this.codebooks = codebooks;
  }

  /** {@return the code bytes} */
  public MemorySegment codes() {
    return codes;
  }

  /** {@return the number of rows} */
  public long count() {
    return count;
  }

  /** {@return the number of sub-quantizers} */
  public int m() {
    return m;
  }

  /** {@return the vector dimension} */
  public int dim() {
    return dim;
  }

  /** {@return the subspace dimension, {@code dim / m}} */
  public int dsub() {
    return dim / m;
  }

  /**
   * (m)(256)(dsub). Do not modify.
   *
   * @return the centroids (m)(256)(dsub), row-major
   */
  public float[] codebooks() {
    return codebooks;
  }

  /**
   * Code of sub-quantizer s of row i, 0..255.
   *
   * @param row the row, 0 to {@link #count()} - 1
   * @param s the sub-quantizer
   * @return the code, 0 to 255
   */
  public int code(long row, int s) {
    return Byte.toUnsignedInt(codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, row * m + s));
  }
}
