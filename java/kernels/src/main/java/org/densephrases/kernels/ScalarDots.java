package org.densephrases.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Inner products of float queries with stored rows of an {@link EncodedVectors}, written as plain loops: the
 * reference arithmetic of the scalar backend.
 *
 * <p>Every backend scores a row as {@code bias + sum_d w[d] * raw[d]}, where raw is the stored value (the float for
 * FP32/FP16, the int8 code for INT8) and (w, bias) is the query prepared once per call by {@link #prepare}: for INT8
 * {@code w = q * scale} and {@code bias = q . offset}, so the scan never decodes {@code offset + scale * c} per
 * element (the CUDA kernel does the same); for FP32/FP16 {@code w = q} and {@code bias = 0}.
 */
public final class ScalarDots {
  private ScalarDots() {}

  /**
   * Prepares the query {@code q[qOff .. qOff + dim)} for rows of {@code v}: writes {@code w[wOff .. wOff + dim)} and
   * returns the bias. SIMD code calls this too, so every Java backend shares the same (w, bias).
   *
   * @param v the vectors the query will be scored against
   * @param q the query's array
   * @param qOff where the query starts
   * @param w receives the prepared weights
   * @param wOff where in {@code w} they go
   * @return the bias to add to every raw dot product
   */
  public static float prepare(EncodedVectors v, float[] q, int qOff, float[] w, int wOff) {
    int dim = v.dim();
    if (v.type() != VectorType.INT8) {
      System.arraycopy(q, qOff, w, wOff, dim);
      return 0f;
    }
    float[] offset = v.offset();
    float[] scale = v.scale();
    float bias = 0f;
    for (int d = 0; d < dim; d++) {
      w[wOff + d] = q[qOff + d] * scale[d];
      bias += q[qOff + d] * offset[d];
    }
    return bias;
  }

  /**
   * {@code sum_d w[wOff + d] * raw(row)[d]}, accumulated in float in dimension order.
   *
   * @param v the stored vectors (their type decides how a row is read)
   * @param row the row, 0 to {@code v.count() - 1}
   * @param w the prepared weights
   * @param wOff where the weights start
   * @return the raw dot product
   */
  public static float rawDot(EncodedVectors v, long row, float[] w, int wOff) {
    int dim = v.dim();
    MemorySegment data = v.data();
    long base = row * dim;
    float s = 0f;
    switch (v.type()) {
      case FP32 -> {
        for (int d = 0; d < dim; d++) {
          s += w[wOff + d] * data.getAtIndex(EncodedVectors.FLOAT_LE, base + d);
        }
      }
      case FP16 -> {
        for (int d = 0; d < dim; d++) {
          s += w[wOff + d] * Float.float16ToFloat(data.getAtIndex(EncodedVectors.SHORT_LE, base + d));
        }
      }
      case INT8 -> {
        for (int d = 0; d < dim; d++) {
          s += w[wOff + d] * data.get(ValueLayout.JAVA_BYTE, base + d);
        }
      }
    }
    return s;
  }

  /**
   * {@code sum_d a[aOff + d] * b[bOff + d]}, accumulated in float in dimension order.
   *
   * @param a the first array
   * @param aOff where the first vector starts
   * @param b the second array
   * @param bOff where the second vector starts
   * @param dim the number of floats per vector
   * @return the dot product
   */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
    float s = 0f;
    for (int d = 0; d < dim; d++) {
      s += a[aOff + d] * b[bOff + d];
    }
    return s;
  }
}
