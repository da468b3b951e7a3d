package org.densephrases.kernels;

import java.util.Random;

/** Random inputs and the double-precision brute force every reference result is checked against. */
public final class TestData {
  /** Unit round-off of float. */
  public static final double EPS = Math.ulp(1.0f) / 2;

  /** Odd and prime dimensions, plus the model's 384 and 768 + 1. */
  public static final int[] DIMS = {1, 3, 17, 97, 384, 769};

  private TestData() {}

  public static float[] gaussian(Random r, int n, float sigma) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * sigma);
    }
    return a;
  }

  /** The exact value of element (row, d) as the format defines it (INT8: offset + scale * code in reals). */
  public static double exact(EncodedVectors v, long row, int d) {
    if (v.type() == VectorType.INT8) {
      byte c = v.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, row * v.dim() + d);
      return (double) v.offset()[d] + (double) v.scale()[d] * c;
    }
    return v.get(row, d); // FP32 and FP16 decode exactly to float
  }

  /** q . decode(row) in double. */
  public static double dot(EncodedVectors v, long row, float[] q, int qOff) {
    double s = 0;
    for (int d = 0; d < v.dim(); d++) {
      s += (double) q[qOff + d] * exact(v, row, d);
    }
    return s;
  }

  /**
   * A bound on the error of q . decode(row) as the kernels compute it (bias + sum of dim products, INT8 with
   * rounded w = q * scale and a float bias): 2 (dim + 2) eps times the sum of the absolute terms, i.e. twice the
   * classic worst-case bound of a float sum, so that it also covers the other backend's order. INT8 adds the
   * int8 tensor-core scan's query quantization (native scan_s8.cu, the CUDA default with 2 query pieces): each
   * weight w_d = q_d * scale_d is rounded to a multiple of max|w| / 16256, off by at most max|w| / 32512, so the
   * score by at most max|w| * sum_d |c_d| / 32512 (native test_scan adds the same bound, with |c_d| <= 128).
   */
  public static double tolerance(EncodedVectors v, long row, float[] q, int qOff) {
    double mag = 0;
    double maxW = 0;
    double sumC = 0;
    for (int d = 0; d < v.dim(); d++) {
      double qd = Math.abs((double) q[qOff + d]);
      if (v.type() == VectorType.INT8) {
        byte c = v.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, row * v.dim() + d);
        mag += qd * (Math.abs((double) v.offset()[d]) + Math.abs((double) v.scale()[d] * c));
        maxW = Math.max(maxW, qd * Math.abs((double) v.scale()[d]));
        sumC += Math.abs(c);
      } else {
        mag += qd * Math.abs(v.get(row, d));
      }
    }
    return 2 * (v.dim() + 2) * EPS * mag + maxW * sumC / S8_TWO_PIECE_STEPS + Double.MIN_NORMAL;
  }

  /** 2 * 127 * 128: the int8 tensor-core scan's two query pieces put max|w| on 16256 steps, rounded to nearest. */
  public static final double S8_TWO_PIECE_STEPS = 32512;
}
