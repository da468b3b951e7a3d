package org.densephrases.kernels.blocked;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link BlockedProducts}. A slice is 4 vectors of consecutive table rows (4L rows, L
 * float lanes); a panel holds 64 / 4L slices. For 4 points at a time and each slice, 16 accumulators start at the
 * rows' bias and take one FMA per dimension: {@code acc[p][v] = fma(broadcast(x_p[d]), w[d][slice v], acc[p][v])}.
 * Then either the lane-wise running argmax is updated (strict greater-than: a lane keeps its lowest row on ties,
 * rows being visited in increasing order) or the scores are stored. Left-over points (n mod 4) take the same path
 * one at a time; each lane's chain is the same in both, so the point grouping never changes a score.
 */
final class SimdBlockedProducts {
  private static final VectorSpecies<Float> F =
      FloatVector.SPECIES_PREFERRED.length() > 16 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  private static final int SLICE = 4 * L;
  private static final int PANEL = ProductTable.PANEL;
  private static final FloatVector IOTA = FloatVector.fromArray(F, iota(), 0);
  private static final FloatVector NEG_INF = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
  private static final FloatVector POS_INF = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);

  private SimdBlockedProducts() {}

  static boolean usable() {
    return L >= 4 && PANEL % SLICE == 0;
  }

  private static float[] iota() {
    float[] a = new float[L];
    for (int i = 0; i < L; i++) {
      a[i] = i;
    }
    return a;
  }

  /** The lowest row among the lanes holding the largest score. */
  private static int finish(FloatVector best, FloatVector row) {
    float max = best.reduceLanes(VectorOperators.MAX);
    VectorMask<Float> at = best.compare(VectorOperators.EQ, max);
    return (int) row.blend(POS_INF, at.not()).reduceLanes(VectorOperators.MIN);
  }

  /*
   * Each group of 4 points (or one left-over point) is a call of its own: vectors then never live across a loop
   * that C2 compiles on-stack-replaced, where it cannot keep them in registers (measured 15x slower when one call
   * ran every point of a large array).
   */
  static void argmax(ProductTable t, float[] x, int xOff, int xStride, int n, int[] out, int outOff) {
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      argmax4(t, x, xOff + i * xStride, xStride, out, outOff + i);
    }
    for (; i < n; i++) {
      argmax1(t, x, xOff + i * xStride, out, outOff + i);
    }
  }

  private static void argmax4(ProductTable t, float[] x, int x0, int xStride, int[] out, int o) {
    int dim = t.dim;
    float[] p = t.panels;
    float[] bias = t.bias;
    int padded = t.padded;
    int x1 = x0 + xStride;
    int x2 = x1 + xStride;
    int x3 = x2 + xStride;
    FloatVector b0 = NEG_INF;
    FloatVector b1 = NEG_INF;
    FloatVector b2 = NEG_INF;
    FloatVector b3 = NEG_INF;
    FloatVector k0 = FloatVector.zero(F);
    FloatVector k1 = k0;
    FloatVector k2 = k0;
    FloatVector k3 = k0;
    for (int j0 = 0; j0 < padded; j0 += SLICE) {
      FloatVector c0 = FloatVector.fromArray(F, bias, j0);
      FloatVector c1 = FloatVector.fromArray(F, bias, j0 + L);
      FloatVector c2 = FloatVector.fromArray(F, bias, j0 + 2 * L);
      FloatVector c3 = FloatVector.fromArray(F, bias, j0 + 3 * L);
      FloatVector a00 = c0;
      FloatVector a01 = c1;
      FloatVector a02 = c2;
      FloatVector a03 = c3;
      FloatVector a10 = c0;
      FloatVector a11 = c1;
      FloatVector a12 = c2;
      FloatVector a13 = c3;
      FloatVector a20 = c0;
      FloatVector a21 = c1;
      FloatVector a22 = c2;
      FloatVector a23 = c3;
      FloatVector a30 = c0;
      FloatVector a31 = c1;
      FloatVector a32 = c2;
      FloatVector a33 = c3;
      int w = j0 / PANEL * dim * PANEL + j0 % PANEL;
      for (int d = 0; d < dim; d++, w += PANEL) {
        FloatVector w0 = FloatVector.fromArray(F, p, w);
        FloatVector w1 = FloatVector.fromArray(F, p, w + L);
        FloatVector w2 = FloatVector.fromArray(F, p, w + 2 * L);
        FloatVector w3 = FloatVector.fromArray(F, p, w + 3 * L);
        FloatVector v = FloatVector.broadcast(F, x[x0 + d]);
        a00 = v.fma(w0, a00);
        a01 = v.fma(w1, a01);
        a02 = v.fma(w2, a02);
        a03 = v.fma(w3, a03);
        v = FloatVector.broadcast(F, x[x1 + d]);
        a10 = v.fma(w0, a10);
        a11 = v.fma(w1, a11);
        a12 = v.fma(w2, a12);
        a13 = v.fma(w3, a13);
        v = FloatVector.broadcast(F, x[x2 + d]);
        a20 = v.fma(w0, a20);
        a21 = v.fma(w1, a21);
        a22 = v.fma(w2, a22);
        a23 = v.fma(w3, a23);
        v = FloatVector.broadcast(F, x[x3 + d]);
        a30 = v.fma(w0, a30);
        a31 = v.fma(w1, a31);
        a32 = v.fma(w2, a32);
        a33 = v.fma(w3, a33);
      }
      FloatVector r0 = IOTA.add(j0);
      FloatVector r1 = IOTA.add(j0 + L);
      FloatVector r2 = IOTA.add(j0 + 2 * L);
      FloatVector r3 = IOTA.add(j0 + 3 * L);
      VectorMask<Float> m;
      m = a00.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a00, m);
      k0 = k0.blend(r0, m);
      m = a01.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a01, m);
      k0 = k0.blend(r1, m);
      m = a02.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a02, m);
      k0 = k0.blend(r2, m);
      m = a03.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a03, m);
      k0 = k0.blend(r3, m);
      m = a10.compare(VectorOperators.GT, b1);
      b1 = b1.blend(a10, m);
      k1 = k1.blend(r0, m);
      m = a11.compare(VectorOperators.GT, b1);
      b1 = b1.blend(a11, m);
      k1 = k1.blend(r1, m);
      m = a12.compare(VectorOperators.GT, b1);
      b1 = b1.blend(a12, m);
      k1 = k1.blend(r2, m);
      m = a13.compare(VectorOperators.GT, b1);
      b1 = b1.blend(a13, m);
      k1 = k1.blend(r3, m);
      m = a20.compare(VectorOperators.GT, b2);
      b2 = b2.blend(a20, m);
      k2 = k2.blend(r0, m);
      m = a21.compare(VectorOperators.GT, b2);
      b2 = b2.blend(a21, m);
      k2 = k2.blend(r1, m);
      m = a22.compare(VectorOperators.GT, b2);
      b2 = b2.blend(a22, m);
      k2 = k2.blend(r2, m);
      m = a23.compare(VectorOperators.GT, b2);
      b2 = b2.blend(a23, m);
      k2 = k2.blend(r3, m);
      m = a30.compare(VectorOperators.GT, b3);
      b3 = b3.blend(a30, m);
      k3 = k3.blend(r0, m);
      m = a31.compare(VectorOperators.GT, b3);
      b3 = b3.blend(a31, m);
      k3 = k3.blend(r1, m);
      m = a32.compare(VectorOperators.GT, b3);
      b3 = b3.blend(a32, m);
      k3 = k3.blend(r2, m);
      m = a33.compare(VectorOperators.GT, b3);
      b3 = b3.blend(a33, m);
      k3 = k3.blend(r3, m);
    }
    out[o] = finish(b0, k0);
    out[o + 1] = finish(b1, k1);
    out[o + 2] = finish(b2, k2);
    out[o + 3] = finish(b3, k3);
  }

  private static void argmax1(ProductTable t, float[] x, int x0, int[] out, int o) {
    int dim = t.dim;
    float[] p = t.panels;
    float[] bias = t.bias;
    int padded = t.padded;
    FloatVector b0 = NEG_INF;
    FloatVector k0 = FloatVector.zero(F);
    for (int j0 = 0; j0 < padded; j0 += SLICE) {
      FloatVector a00 = FloatVector.fromArray(F, bias, j0);
      FloatVector a01 = FloatVector.fromArray(F, bias, j0 + L);
      FloatVector a02 = FloatVector.fromArray(F, bias, j0 + 2 * L);
      FloatVector a03 = FloatVector.fromArray(F, bias, j0 + 3 * L);
      int w = j0 / PANEL * dim * PANEL + j0 % PANEL;
      for (int d = 0; d < dim; d++, w += PANEL) {
        FloatVector v = FloatVector.broadcast(F, x[x0 + d]);
        a00 = v.fma(FloatVector.fromArray(F, p, w), a00);
        a01 = v.fma(FloatVector.fromArray(F, p, w + L), a01);
        a02 = v.fma(FloatVector.fromArray(F, p, w + 2 * L), a02);
        a03 = v.fma(FloatVector.fromArray(F, p, w + 3 * L), a03);
      }
      VectorMask<Float> m;
      m = a00.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a00, m);
      k0 = k0.blend(IOTA.add(j0), m);
      m = a01.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a01, m);
      k0 = k0.blend(IOTA.add(j0 + L), m);
      m = a02.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a02, m);
      k0 = k0.blend(IOTA.add(j0 + 2 * L), m);
      m = a03.compare(VectorOperators.GT, b0);
      b0 = b0.blend(a03, m);
      k0 = k0.blend(IOTA.add(j0 + 3 * L), m);
    }
    out[o] = finish(b0, k0);
  }

  static void products(ProductTable t, float[] x, int xOff, int xStride, int n, float[] out, int outOff,
      int outStride) {
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      products4(t, x, xOff + i * xStride, xStride, out, outOff + i * outStride, outStride);
    }
    for (; i < n; i++) {
      products1(t, x, xOff + i * xStride, out, outOff + i * outStride);
    }
  }

  private static void products4(ProductTable t, float[] x, int x0, int xStride, float[] out, int o0, int outStride) {
    int dim = t.dim;
    float[] p = t.panels;
    float[] bias = t.bias;
    int padded = t.padded;
    int count = t.count;
    int x1 = x0 + xStride;
    int x2 = x1 + xStride;
    int x3 = x2 + xStride;
    for (int j0 = 0; j0 < padded; j0 += SLICE) {
      FloatVector c0 = FloatVector.fromArray(F, bias, j0);
      FloatVector c1 = FloatVector.fromArray(F, bias, j0 + L);
      FloatVector c2 = FloatVector.fromArray(F, bias, j0 + 2 * L);
      FloatVector c3 = FloatVector.fromArray(F, bias, j0 + 3 * L);
      FloatVector a00 = c0;
      FloatVector a01 = c1;
      FloatVector a02 = c2;
      FloatVector a03 = c3;
      FloatVector a10 = c0;
      FloatVector a11 = c1;
      FloatVector a12 = c2;
      FloatVector a13 = c3;
      FloatVector a20 = c0;
      FloatVector a21 = c1;
      FloatVector a22 = c2;
      FloatVector a23 = c3;
      FloatVector a30 = c0;
      FloatVector a31 = c1;
      FloatVector a32 = c2;
      FloatVector a33 = c3;
      int w = j0 / PANEL * dim * PANEL + j0 % PANEL;
      for (int d = 0; d < dim; d++, w += PANEL) {
        FloatVector w0 = FloatVector.fromArray(F, p, w);
        FloatVector w1 = FloatVector.fromArray(F, p, w + L);
        FloatVector w2 = FloatVector.fromArray(F, p, w + 2 * L);
        FloatVector w3 = FloatVector.fromArray(F, p, w + 3 * L);
        FloatVector v = FloatVector.broadcast(F, x[x0 + d]);
        a00 = v.fma(w0, a00);
        a01 = v.fma(w1, a01);
        a02 = v.fma(w2, a02);
        a03 = v.fma(w3, a03);
        v = FloatVector.broadcast(F, x[x1 + d]);
        a10 = v.fma(w0, a10);
        a11 = v.fma(w1, a11);
        a12 = v.fma(w2, a12);
        a13 = v.fma(w3, a13);
        v = FloatVector.broadcast(F, x[x2 + d]);
        a20 = v.fma(w0, a20);
        a21 = v.fma(w1, a21);
        a22 = v.fma(w2, a22);
        a23 = v.fma(w3, a23);
        v = FloatVector.broadcast(F, x[x3 + d]);
        a30 = v.fma(w0, a30);
        a31 = v.fma(w1, a31);
        a32 = v.fma(w2, a32);
        a33 = v.fma(w3, a33);
      }
      store(a00, a01, a02, a03, out, o0, j0, count);
      store(a10, a11, a12, a13, out, o0 + outStride, j0, count);
      store(a20, a21, a22, a23, out, o0 + 2 * outStride, j0, count);
      store(a30, a31, a32, a33, out, o0 + 3 * outStride, j0, count);
    }
  }

  private static void products1(ProductTable t, float[] x, int x0, float[] out, int o0) {
    int dim = t.dim;
    float[] p = t.panels;
    float[] bias = t.bias;
    int padded = t.padded;
    int count = t.count;
    for (int j0 = 0; j0 < padded; j0 += SLICE) {
      FloatVector a00 = FloatVector.fromArray(F, bias, j0);
      FloatVector a01 = FloatVector.fromArray(F, bias, j0 + L);
      FloatVector a02 = FloatVector.fromArray(F, bias, j0 + 2 * L);
      FloatVector a03 = FloatVector.fromArray(F, bias, j0 + 3 * L);
      int w = j0 / PANEL * dim * PANEL + j0 % PANEL;
      for (int d = 0; d < dim; d++, w += PANEL) {
        FloatVector v = FloatVector.broadcast(F, x[x0 + d]);
        a00 = v.fma(FloatVector.fromArray(F, p, w), a00);
        a01 = v.fma(FloatVector.fromArray(F, p, w + L), a01);
        a02 = v.fma(FloatVector.fromArray(F, p, w + 2 * L), a02);
        a03 = v.fma(FloatVector.fromArray(F, p, w + 3 * L), a03);
      }
      store(a00, a01, a02, a03, out, o0, j0, count);
    }
  }

  /** Stores a slice's 4 vectors of scores (rows j0 ..) to out[o + j0 ..], only rows below count. */
  private static void store(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, float[] out, int o,
      int j0, int count) {
    if (j0 + SLICE <= count) {
      a0.intoArray(out, o + j0);
      a1.intoArray(out, o + j0 + L);
      a2.intoArray(out, o + j0 + 2 * L);
      a3.intoArray(out, o + j0 + 3 * L);
    } else {
      a0.intoArray(out, o + j0, F.indexInRange(j0, count));
      a1.intoArray(out, o + j0 + L, F.indexInRange(j0 + L, count));
      a2.intoArray(out, o + j0 + 2 * L, F.indexInRange(j0 + 2 * L, count));
      a3.intoArray(out, o + j0 + 3 * L, F.indexInRange(j0 + 3 * L, count));
    }
  }
}
