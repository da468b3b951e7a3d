package org.densephrases.kernels.scan;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.densephrases.kernels.SimdDots;

/** Product-quantization pieces of the SIMD scanner: codebook transpose, LUT construction, table-lookup scores. */
final class SimdPq {
  private static final VectorSpecies<Float> F = SimdDots.F;

  private SimdPq() {}

  /** (m)(256)(dsub) codebooks to (m)(dsub)(256): one sub-dimension of all 256 centroids is then contiguous. */
  static float[] transpose(PqCodes pq) {
    int m = pq.m();
    int dsub = pq.dsub();
    float[] cb = pq.codebooks();
    float[] t = new float[cb.length];
    for (int s = 0; s < m; s++) {
      for (int c = 0; c < 256; c++) {
        for (int d = 0; d < dsub; d++) {
          t[(s * dsub + d) * 256 + c] = cb[(s * 256 + c) * dsub + d];
        }
      }
    }
    return t;
  }

  /**
   * lut[lutOff + s*256 + c] = q[qOff + s*dsub ...] . centroid (s, c), for all 256 centroids of a sub-quantizer at
   * once: the sub-dimension loop is innermost, one FMA per (sub-dimension, lane group), in sub-dimension order.
   */
  static void buildLut(float[] cbT, int m, int dsub, float[] q, int qOff, float[] lut, int lutOff) {
    int lanes = F.length(); // 256 is a multiple of every lane count
    for (int s = 0; s < m; s++) {
      for (int c = 0; c < 256; c += lanes) {
        FloatVector acc = FloatVector.zero(F);
        for (int d = 0; d < dsub; d++) {
          FloatVector centroids = FloatVector.fromArray(F, cbT, (s * dsub + d) * 256 + c);
          acc = centroids.fma(FloatVector.broadcast(F, q[qOff + s * dsub + d]), acc);
        }
        acc.intoArray(lut, lutOff + s * 256 + c);
      }
    }
  }

  /**
   * scores[r] = sum_s lut[lutOff + s*256 + codes[r*m + s]] for r in [0, n), in sub-quantizer order (the scalar
   * order). Table lookups do not vectorize well with the Vector API's gathers, so this interleaves four rows to
   * give the adder four independent chains instead.
   */
  static void scores(byte[] codes, int n, int m, float[] lut, int lutOff, float[] scores) {
    int r = 0;
    for (; r + 4 <= n; r += 4) {
      int c0 = r * m;
      int c1 = c0 + m;
      int c2 = c1 + m;
      int c3 = c2 + m;
      float s0 = 0f;
      float s1 = 0f;
      float s2 = 0f;
      float s3 = 0f;
      for (int s = 0, base = lutOff; s < m; s++, base += 256) {
        s0 += lut[base + (codes[c0 + s] & 0xff)];
        s1 += lut[base + (codes[c1 + s] & 0xff)];
        s2 += lut[base + (codes[c2 + s] & 0xff)];
        s3 += lut[base + (codes[c3 + s] & 0xff)];
      }
      scores[r] = s0;
      scores[r + 1] = s1;
      scores[r + 2] = s2;
      scores[r + 3] = s3;
    }
    for (; r < n; r++) {
      float s0 = 0f;
      for (int s = 0, base = lutOff; s < m; s++, base += 256) {
        s0 += lut[base + (codes[r * m + s] & 0xff)];
      }
      scores[r] = s0;
    }
  }
}
