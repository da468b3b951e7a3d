package org.densephrases.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API building blocks shared by the SIMD kernels: inner products of stored rows (read straight from the
 * segment, or decoded to float first) with a prepared query (see {@link ScalarDots#prepare}:
 * {@code score = bias + sum_d w[d] * raw[d]}), and the decoders. Only the SIMD backend loads this class, so the
 * scalar backend runs without the incubator module.
 *
 * <p>Determinism matters here: span scoring breaks exact ties by position, so two equal rows must get bitwise equal
 * scores wherever they sit in a block and whether the code runs interpreted, C1- or C2-compiled. {@code
 * FloatVector.reduceLanes(ADD)} does not promise that (C2 sums the lanes as a tree, the Java fallback in lane
 * order, and the two differ in the last bits), so every horizontal sum here is an explicit butterfly of lane-wise
 * adds: the same tree in every mode, and the same for a row reduced alone or four at a time.
 */
public final class SimdDots {
  /** The float species every SIMD kernel uses. */
  public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  static final int L = F.length();
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /**
   * Bytes and shorts with as many lanes as F, or null where no such shape exists (4 float lanes would need 32-bit
   * byte vectors): then INT8 rows are decoded before the product, as FP16 rows always are.
   */
  private static final VectorSpecies<Byte> B = speciesOrNull(byte.class, L * 8);
  private static final VectorSpecies<Short> S = speciesOrNull(short.class, L * 16);
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /** SWAP[s] exchanges lanes i and i ^ s (s a power of two below L). */
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] SWAP = new VectorShuffle[L];
  /** Lanes whose index has bit L/2 (HALF) or bit L/4 (QUARTER) set. */
  private static final VectorMask<Float> HALF;
  private static final VectorMask<Float> QUARTER;

  static {
    for (int s = 1; s < L; s <<= 1) {
      int stride = s;
      SWAP[s] = VectorShuffle.fromOp(F, i -> i ^ stride);
    }
    boolean[] half = new boolean[L];
    boolean[] quarter = new boolean[L];
    for (int i = 0; i < L; i++) {
      half[i] = (i & (L / 2)) != 0;
      quarter[i] = (i & (L / 4)) != 0;
    }
    HALF = VectorMask.fromArray(F, half, 0);
    QUARTER = VectorMask.fromArray(F, quarter, 0);
  }

  private SimdDots() {}

  private static <E> VectorSpecies<E> speciesOrNull(Class<E> type, int bits) {
    try {
      return VectorSpecies.of(type, VectorShape.forBitSize(bits));
    } catch (IllegalArgumentException e) {
      return null; // e.g. 4 float lanes would need 32-bit byte vectors, which do not exist
    }
  }

  // ------------------------------------------------------------------------------------------------ decoding

  /**
   * Decodes rows [row, row + n) of {@code v} into {@code dst[0 .. n * dim)} as raw values: the float for
   * FP32/FP16, the code as a float for INT8 (offset and scale live in the prepared query, not here).
   *
   * @param v the stored vectors
   * @param row the first row
   * @param n the number of rows
   * @param dst receives {@code n * dim} floats
   */
  public static void decodeRaw(EncodedVectors v, long row, int n, float[] dst) {
    long first = row * v.dim(); // element index of the first value
    int count = n * v.dim();
    MemorySegment seg = v.data();
    switch (v.type()) {
      case FP32 -> MemorySegment.copy(seg, EncodedVectors.FLOAT_LE, first * 4, dst, 0, count);
      case FP16 -> decodeFp16Scalar(seg, first * 2, count, dst);
      case INT8 -> decodeInt8Scalar(seg, first, count, dst);
    }
  }

  /**
   * The plain loop, which C2 auto-vectorizes (sign-extend, convert): measured 3x faster than {@link #decodeInt8}'s
   * explicit B2F conversion on AVX-512, so the scanner uses this one.
   *
   * @param seg the codes' segment
   * @param byteOff the first code's byte offset
   * @param count the number of codes
   * @param dst receives {@code count} floats
   */
  public static void decodeInt8Scalar(MemorySegment seg, long byteOff, int count, float[] dst) {
    for (int i = 0; i < count; i++) {
      dst[i] = seg.get(ValueLayout.JAVA_BYTE, byteOff + i);
    }
  }

  /**
   * INT8 codes to float with the Vector API's B2F conversion (kept for the decode benchmark).
   *
   * @param seg the codes' segment
   * @param byteOff the first code's byte offset
   * @param count the number of codes
   * @param dst receives {@code count} floats
   */
  public static void decodeInt8(MemorySegment seg, long byteOff, int count, float[] dst) {
    int i = 0;
    if (B != null) {
      for (int upper = count - L; i <= upper; i += L) {
        ByteVector c = ByteVector.fromMemorySegment(B, seg, byteOff + i, LE);
        ((FloatVector) c.convertShape(VectorOperators.B2F, F, 0)).intoArray(dst, i);
      }
    }
    for (; i < count; i++) {
      dst[i] = seg.get(ValueLayout.JAVA_BYTE, byteOff + i);
    }
  }

  /**
   * IEEE binary16 to float with lane-wise integer tricks (the Vector API has no half-float conversion), kept for
   * the decode benchmark and for CPUs where C2 cannot vectorize {@link #decodeFp16Scalar}: normal
   * numbers re-bias the exponent by adding {@code 112 << 23} to the shifted bits; subnormals and zero are the 10-bit
   * mantissa times 2^-24, done as an exact int-to-float conversion and multiply (re-biasing them as bits would go
   * through float subnormals, which are slow on x86); infinity and NaN keep an all-ones exponent and the payload.
   * Bitwise the same as {@link Float#float16ToFloat} except NaN payloads (whose quiet bit the JIT'd version sets).
   *
   * @param seg the little-endian binary16 values' segment
   * @param byteOff the first value's byte offset
   * @param count the number of values
   * @param dst receives {@code count} floats
   */
  public static void decodeFp16(MemorySegment seg, long byteOff, int count, float[] dst) {
    int i = 0;
    if (S != null) {
      for (int upper = count - L; i <= upper; i += L) {
        ShortVector h = ShortVector.fromMemorySegment(S, seg, byteOff + 2L * i, LE);
        IntVector hi = (IntVector) h.convertShape(VectorOperators.S2I, I, 0); // sign-extended
        IntVector em = hi.and(0x7fff); // exponent and mantissa
        IntVector sign = hi.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector normal = shifted.add(112 << 23);
        IntVector sub = ((FloatVector) em.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        IntVector special = shifted.or(0x7f800000);
        IntVector bits = normal
            .blend(sub, em.compare(VectorOperators.LT, 0x400))
            .blend(special, em.compare(VectorOperators.GE, 0x7c00))
            .or(sign);
        bits.reinterpretAsFloats().intoArray(dst, i);
      }
    }
    for (; i < count; i++) {
      dst[i] = Float.float16ToFloat(seg.get(EncodedVectors.SHORT_LE, byteOff + 2L * i));
    }
  }

  /**
   * The per-element {@link Float#float16ToFloat} loop. C2 intrinsifies the conversion (vcvtph2ps) and
   * auto-vectorizes the loop: measured 2.5x faster than {@link #decodeFp16}'s lane-wise tricks on AVX-512
   * (benchmarks/results/java-kernels.md, Fp16DecodeBenchmark), so the scanner uses this one.
   *
   * @param seg the little-endian binary16 values' segment
   * @param byteOff the first value's byte offset
   * @param count the number of values
   * @param dst receives {@code count} floats
   */
  public static void decodeFp16Scalar(MemorySegment seg, long byteOff, int count, float[] dst) {
    for (int i = 0; i < count; i++) {
      dst[i] = Float.float16ToFloat(seg.get(EncodedVectors.SHORT_LE, byteOff + 2L * i));
    }
  }

  // ------------------------------------------------------------------------------------------------ products

  /**
   * Scratch floats {@link #scoreRows} needs: FP16 rows are decoded four at a time, 4 x dim floats in L1.
   *
   * @param dim the vector dimension
   * @return the scratch length, in floats
   */
  public static int scratchFloats(int dim) {
    return 4 * dim;
  }

  /**
   * {@code out[outOff + r] = bias + sum_d w[wOff + d] * raw(row + r)[d]} for r in [0, n): stored rows against one
   * prepared query. FP32 and INT8 are read straight from the segment (INT8 converted lane-wise on the way, so 16
   * bytes instead of 64 cross the load ports per step: 3x faster than decoding first); FP16, which has no lane
   * conversion, is decoded four rows at a time into {@code scratch} (at least {@link #scratchFloats} floats), small
   * enough to stay in L1. Every row of a type gets the same arithmetic wherever it sits.
   *
   * @param v the stored vectors
   * @param row the first row
   * @param n the number of rows
   * @param w the prepared query's array (from {@link ScalarDots#prepare})
   * @param wOff where the prepared query starts
   * @param bias the prepared query's bias
   * @param out receives {@code n} scores
   * @param outOff where in {@code out} row {@code row}'s score goes
   * @param scratch at least {@link #scratchFloats} floats (used for FP16 only)
   */
  public static void scoreRows(EncodedVectors v, long row, int n, float[] w, int wOff, float bias, float[] out,
      int outOff, float[] scratch) {
    int dim = v.dim();
    switch (v.type()) {
      case FP32 -> dotsFp32(v.data(), row * dim * 4, n, dim, w, wOff, bias, out, outOff);
      case INT8 -> {
        if (B != null) {
          dotsInt8(v.data(), row * dim, n, dim, w, wOff, bias, out, outOff);
        } else {
          decodeThenDots(v, row, n, w, wOff, bias, out, outOff, scratch);
        }
      }
      case FP16 -> decodeThenDots(v, row, n, w, wOff, bias, out, outOff, scratch);
    }
  }

  /**
   * Whether {@link #scoreRows} decodes this type into scratch (then a caller scoring several queries decodes once).
   *
   * @param type the stored vector type
   * @return true for FP16
   */
  public static boolean decodes(VectorType type) {
    return type == VectorType.FP16 || type == VectorType.INT8 && B == null;
  }

  private static void decodeThenDots(EncodedVectors v, long row, int n, float[] w, int wOff, float bias, float[] out,
      int outOff, float[] scratch) {
    int dim = v.dim();
    int block = Math.max(1, scratch.length / dim);
    for (int r = 0; r < n; r += block) {
      int m = Math.min(block, n - r);
      decodeRaw(v, row + r, m, scratch);
      dots(scratch, 0, m, dim, w, wOff, bias, out, outOff + r);
    }
  }

  /** FP32 rows from the segment: {@link #dots} with segment loads. */
  private static void dotsFp32(MemorySegment seg, long byteOff, int n, int dim, float[] w, int wOff, float bias,
      float[] out, int outOff) {
    int upper = F.loopBound(dim);
    boolean hasTail = upper < dim;
    VectorMask<Float> tail = F.indexInRange(upper, dim);
    FloatVector wt = hasTail ? FloatVector.fromArray(F, w, wOff + upper, tail) : null;
    long rowBytes = 4L * dim;
    int r = 0;
    for (; r + 4 <= n; r += 4) {
      long b0 = byteOff + r * rowBytes;
      long b1 = b0 + rowBytes;
      long b2 = b1 + rowBytes;
      long b3 = b2 + rowBytes;
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int i = 0; i < upper; i += L) {
        FloatVector wv = FloatVector.fromArray(F, w, wOff + i);
        long o = 4L * i;
        a0 = FloatVector.fromMemorySegment(F, seg, b0 + o, LE).fma(wv, a0);
        a1 = FloatVector.fromMemorySegment(F, seg, b1 + o, LE).fma(wv, a1);
        a2 = FloatVector.fromMemorySegment(F, seg, b2 + o, LE).fma(wv, a2);
        a3 = FloatVector.fromMemorySegment(F, seg, b3 + o, LE).fma(wv, a3);
      }
      if (hasTail) {
        long o = 4L * upper;
        a0 = FloatVector.fromMemorySegment(F, seg, b0 + o, LE, tail).fma(wt, a0);
        a1 = FloatVector.fromMemorySegment(F, seg, b1 + o, LE, tail).fma(wt, a1);
        a2 = FloatVector.fromMemorySegment(F, seg, b2 + o, LE, tail).fma(wt, a2);
        a3 = FloatVector.fromMemorySegment(F, seg, b3 + o, LE, tail).fma(wt, a3);
      }
      sum4(a0, a1, a2, a3, bias, out, outOff + r);
    }
    for (; r < n; r++) {
      long b0 = byteOff + r * rowBytes;
      FloatVector a0 = FloatVector.zero(F);
      for (int i = 0; i < upper; i += L) {
        a0 = FloatVector.fromMemorySegment(F, seg, b0 + 4L * i, LE).fma(FloatVector.fromArray(F, w, wOff + i), a0);
      }
      if (hasTail) {
        a0 = FloatVector.fromMemorySegment(F, seg, b0 + 4L * upper, LE, tail).fma(wt, a0);
      }
      out[outOff + r] = bias + sum(a0);
    }
  }

  /** INT8 codes from the segment, converted to float lane-wise inside the product loop. */
  private static void dotsInt8(MemorySegment seg, long byteOff, int n, int dim, float[] w, int wOff, float bias,
      float[] out, int outOff) {
    int upper = F.loopBound(dim);
    boolean hasTail = upper < dim;
    VectorMask<Byte> tailB = B.indexInRange(upper, dim);
    FloatVector wt = hasTail ? FloatVector.fromArray(F, w, wOff + upper, F.indexInRange(upper, dim)) : null;
    int r = 0;
    for (; r + 4 <= n; r += 4) {
      long b0 = byteOff + (long) r * dim;
      long b1 = b0 + dim;
      long b2 = b1 + dim;
      long b3 = b2 + dim;
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int i = 0; i < upper; i += L) {
        FloatVector wv = FloatVector.fromArray(F, w, wOff + i);
        a0 = codes(seg, b0 + i).fma(wv, a0);
        a1 = codes(seg, b1 + i).fma(wv, a1);
        a2 = codes(seg, b2 + i).fma(wv, a2);
        a3 = codes(seg, b3 + i).fma(wv, a3);
      }
      if (hasTail) { // masked-off lanes load as 0 and meet 0 in wt
        a0 = codes(seg, b0 + upper, tailB).fma(wt, a0);
        a1 = codes(seg, b1 + upper, tailB).fma(wt, a1);
        a2 = codes(seg, b2 + upper, tailB).fma(wt, a2);
        a3 = codes(seg, b3 + upper, tailB).fma(wt, a3);
      }
      sum4(a0, a1, a2, a3, bias, out, outOff + r);
    }
    for (; r < n; r++) {
      long b0 = byteOff + (long) r * dim;
      FloatVector a0 = FloatVector.zero(F);
      for (int i = 0; i < upper; i += L) {
        a0 = codes(seg, b0 + i).fma(FloatVector.fromArray(F, w, wOff + i), a0);
      }
      if (hasTail) {
        a0 = codes(seg, b0 + upper, tailB).fma(wt, a0);
      }
      out[outOff + r] = bias + sum(a0);
    }
  }

  private static FloatVector codes(MemorySegment seg, long off) {
    return (FloatVector) ByteVector.fromMemorySegment(B, seg, off, LE).convertShape(VectorOperators.B2F, F, 0);
  }

  private static FloatVector codes(MemorySegment seg, long off, VectorMask<Byte> m) {
    return (FloatVector) ByteVector.fromMemorySegment(B, seg, off, LE, m).convertShape(VectorOperators.B2F, F, 0);
  }

  /**
   * {@code out[outOff + r] = bias + sum_d w[wOff + d] * x[xOff + r * dim + d]} for r in [0, n): rows of x
   * (n)(dim) against one prepared query. Four rows at a time share each load of w and give the FMA units four
   * independent chains; every row gets exactly the arithmetic of {@link #dot}.
   *
   * @param x the rows' array
   * @param xOff where row 0 starts
   * @param n the number of rows
   * @param dim the number of floats per vector
   * @param w the prepared query's array
   * @param wOff where the prepared query starts
   * @param bias added to every score
   * @param out receives {@code n} scores
   * @param outOff where in {@code out} row 0's score goes
   */
  public static void dots(float[] x, int xOff, int n, int dim, float[] w, int wOff, float bias, float[] out,
      int outOff) {
    int upper = F.loopBound(dim);
    VectorMask<Float> tail = F.indexInRange(upper, dim);
    boolean hasTail = upper < dim;
    FloatVector wt = hasTail ? FloatVector.fromArray(F, w, wOff + upper, tail) : null;
    int r = 0;
    for (; r + 4 <= n; r += 4) {
      int b0 = xOff + r * dim;
      int b1 = b0 + dim;
      int b2 = b1 + dim;
      int b3 = b2 + dim;
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = a0;
      FloatVector a2 = a0;
      FloatVector a3 = a0;
      for (int i = 0; i < upper; i += L) {
        FloatVector wv = FloatVector.fromArray(F, w, wOff + i);
        a0 = FloatVector.fromArray(F, x, b0 + i).fma(wv, a0);
        a1 = FloatVector.fromArray(F, x, b1 + i).fma(wv, a1);
        a2 = FloatVector.fromArray(F, x, b2 + i).fma(wv, a2);
        a3 = FloatVector.fromArray(F, x, b3 + i).fma(wv, a3);
      }
      if (hasTail) {
        a0 = FloatVector.fromArray(F, x, b0 + upper, tail).fma(wt, a0);
        a1 = FloatVector.fromArray(F, x, b1 + upper, tail).fma(wt, a1);
        a2 = FloatVector.fromArray(F, x, b2 + upper, tail).fma(wt, a2);
        a3 = FloatVector.fromArray(F, x, b3 + upper, tail).fma(wt, a3);
      }
      sum4(a0, a1, a2, a3, bias, out, outOff + r);
    }
    for (; r < n; r++) {
      out[outOff + r] = bias + dot(x, xOff + r * dim, w, wOff, dim);
    }
  }

  /**
   * {@code sum_d a[aOff + d] * b[bOff + d]}: lane-wise FMAs, a masked tail, then the butterfly sum.
   *
   * @param a the first array
   * @param aOff where the first vector starts
   * @param b the second array
   * @param bOff where the second vector starts
   * @param dim the number of floats per vector
   * @return the dot product
   */
  static float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
    int upper = F.loopBound(dim);
    FloatVector acc = FloatVector.zero(F);
    for (int i = 0; i < upper; i += L) {
      acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
    }
    if (upper < dim) {
      VectorMask<Float> tail = F.indexInRange(upper, dim);
      acc = FloatVector.fromArray(F, a, aOff + upper, tail).fma(FloatVector.fromArray(F, b, bOff + upper, tail), acc);
    }
    return sum(acc);
  }

  /**
   * The sum of the lanes as a butterfly: lane 0 ends with ((v0 + v[L/2]) + (v[L/4] + v[3L/4])) + ...
   *
   * @param v the vector
   * @return the sum of its lanes
   */
  public static float sum(FloatVector v) {
    for (int s = L / 2; s >= 1; s >>= 1) {
      v = v.add(v.rearrange(SWAP[s]));
    }
    return v.lane(0);
  }

  /**
   * Writes {@code bias + sum(a_r)} for four vectors to {@code out[off .. off + 4)}. The first two butterfly levels
   * run on two vectors at once (blend, then swap), so four sums cost about as much as two; each sum is the same
   * tree as {@link #sum} (float addition is commutative, and the tree's shape is identical), only the lane that
   * ends up holding it differs: a at lane 0, b at L/2, c at L/4, d at 3L/4.
   *
   * @param a the first vector, summed into {@code out[off]}
   * @param b the second, into {@code out[off + 1]}
   * @param c the third, into {@code out[off + 2]}
   * @param d the fourth, into {@code out[off + 3]}
   * @param bias added to every sum
   * @param out receives the four sums
   * @param off where in {@code out} they go
   */
  static void sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float bias, float[] out,
      int off) {
    // Level L/2: lanes below L/2 hold a's pair sums, the upper lanes b's (likewise c and d).
    FloatVector ab = a.blend(b, HALF).add(b.blend(a, HALF).rearrange(SWAP[L / 2]));
    FloatVector cd = c.blend(d, HALF).add(d.blend(c, HALF).rearrange(SWAP[L / 2]));
    // Level L/4: lanes with bit L/4 clear keep ab's sums, the others take cd's.
    FloatVector v = ab.blend(cd, QUARTER).add(cd.blend(ab, QUARTER).rearrange(SWAP[L / 4]));
    for (int s = L / 8; s >= 1; s >>= 1) {
      v = v.add(v.rearrange(SWAP[s]));
    }
    out[off] = bias + v.lane(0);
    out[off + 1] = bias + v.lane(L / 2);
    out[off + 2] = bias + v.lane(L / 4);
    out[off + 3] = bias + v.lane(L / 2 + L / 4);
  }
}
