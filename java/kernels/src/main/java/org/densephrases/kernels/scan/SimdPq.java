package org.densephrases.kernels.scan;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.densephrases.kernels.SimdDots;

/** Product-quantization pieces of the SIMD scanner: codebook transpose, LUT construction, table-lookup scores. */
final class SimdPq {
  private static final VectorSpecies<Float> F = SimdDots.F;
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /** Bytes with as many lanes as F, or null where that shape does not exist (4 lanes would need 32 bits). */
  private static final VectorSpecies<Byte> B = byteSpecies();
  /** 256 * lane: lane i of a step reads table row s + i. */
  private static final IntVector LANE_BASE = IntVector.zero(I).addIndex(256);

  private static VectorSpecies<Byte> byteSpecies() {
    try {
      return VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Whether {@link #scores} gathers table entries (16 float lanes and more) or looks them up four rows at a time.
   * With 8 lanes (256-bit vectors, as on AVX2 CPUs) the gathers were 2.9x slower than the interleaved lookups on
   * this project's 2-core AMD EPYC (Zen 5) run with -XX:MaxVectorSize=32 (64 vs 22 ns per row of 48 codes, thread
   * CPU time); with 16 lanes the two are within the noise of that shared machine, in the micro-benchmark and in the
   * whole IVF-PQ scan (benchmarks/results/cpu-vs-faiss.md: ours-simd vs ours-simd256).
   */
  private static final boolean GATHER = B != null && F.length() >= 16;

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
   * scores[r] = sum_s lut[lutOff + s*256 + codes[r*m + s]] for r in [0, n). One row at a time, L sub-quantizers
   * per step: their codes become lane indices (code + 256 * lane) and one gather fetches the L table entries;
   * the lane sums end in {@link SimdDots#sum}, so equal rows score bitwise equal. Measured 2.4x faster than the
   * scalar lookups on AVX-512 (the LUT of m = 96 is 96 KB, so the lookups are L2 hits either way).
   */
  static void scores(byte[] codes, int n, int m, float[] lut, int lutOff, float[] scores) {
    if (!GATHER) {
      scoresScalar(codes, n, m, lut, lutOff, scores);
      return;
    }
    int lanes = F.length();
    int upper = m - m % lanes;
    VectorMask<Byte> tailB = B.indexInRange(upper, m);
    VectorMask<Float> tailF = F.indexInRange(upper, m);
    // The gather checks the index of every lane, masked or not: lanes past m must point inside the table too.
    IntVector tailBase = LANE_BASE.blend(0, I.indexInRange(upper, m).not());
    int[] idx = new int[lanes];
    for (int r = 0; r < n; r++) {
      int c = r * m;
      FloatVector acc = FloatVector.zero(F);
      for (int s = 0; s < upper; s += lanes) {
        IntVector code = (IntVector) ByteVector.fromArray(B, codes, c + s).convertShape(VectorOperators.B2I, I, 0);
        code.and(0xff).add(LANE_BASE).intoArray(idx, 0);
        acc = acc.add(FloatVector.fromArray(F, lut, lutOff + s * 256, idx, 0));
      }
      if (upper < m) {
        IntVector code =
            (IntVector) ByteVector.fromArray(B, codes, c + upper, tailB).convertShape(VectorOperators.B2I, I, 0);
        code.and(0xff).add(tailBase).intoArray(idx, 0); // masked-off codes loaded as 0
        acc = acc.add(FloatVector.fromArray(F, lut, lutOff + upper * 256, idx, 0, tailF));
      }
      scores[r] = SimdDots.sum(acc);
    }
  }

  /**
   * Four rows interleaved, for four independent add chains; each row's sum in sub-quantizer order, the scalar
   * reference's arithmetic bit for bit.
   */
  static void scoresScalar(byte[] codes, int n, int m, float[] lut, int lutOff, float[] scores) {
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
