package org.densephrases.kernels.loss;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.densephrases.kernels.SimdDots;

/** The small dense products of the SIMD loss, on row-major float arrays. */
final class SimdMatrices {
  private static final VectorSpecies<Float> F = SimdDots.F;
  private static final int L = F.length();

  private SimdMatrices() {}

  /**
   * out[i][:] = sum_j a[i][j] * b1[j][:] over j < n1, then + a[i][n1 + j] * b2[j][:] over j < n2, for rows i in
   * [rowFrom, rowTo). a is (rows)(lda) with lda >= n1 + n2; b1 (n1)(dim), b2 (n2)(dim) or null; out (rows)(dim),
   * overwritten. Register blocking: four output rows times one lane group stay in registers for the whole j loop,
   * each load of b feeds four FMAs.
   */
  static void gemm(float[] a, int lda, int rowFrom, int rowTo, float[] b1, int n1, float[] b2, int n2, int dim,
      float[] out) {
    int upper = F.loopBound(dim);
    int i = rowFrom;
    for (; i + 4 <= rowTo; i += 4) {
      int a0 = i * lda;
      int a1 = a0 + lda;
      int a2 = a1 + lda;
      int a3 = a2 + lda;
      for (int d = 0; d < dim; d += L) {
        VectorMask<Float> m = d < upper ? F.maskAll(true) : F.indexInRange(d, dim);
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int j = 0; j < n1; j++) {
          FloatVector bv = FloatVector.fromArray(F, b1, j * dim + d, m);
          c0 = bv.fma(FloatVector.broadcast(F, a[a0 + j]), c0);
          c1 = bv.fma(FloatVector.broadcast(F, a[a1 + j]), c1);
          c2 = bv.fma(FloatVector.broadcast(F, a[a2 + j]), c2);
          c3 = bv.fma(FloatVector.broadcast(F, a[a3 + j]), c3);
        }
        for (int j = 0; j < n2; j++) {
          FloatVector bv = FloatVector.fromArray(F, b2, j * dim + d, m);
          c0 = bv.fma(FloatVector.broadcast(F, a[a0 + n1 + j]), c0);
          c1 = bv.fma(FloatVector.broadcast(F, a[a1 + n1 + j]), c1);
          c2 = bv.fma(FloatVector.broadcast(F, a[a2 + n1 + j]), c2);
          c3 = bv.fma(FloatVector.broadcast(F, a[a3 + n1 + j]), c3);
        }
        c0.intoArray(out, i * dim + d, m);
        c1.intoArray(out, (i + 1) * dim + d, m);
        c2.intoArray(out, (i + 2) * dim + d, m);
        c3.intoArray(out, (i + 3) * dim + d, m);
      }
    }
    for (; i < rowTo; i++) {
      int a0 = i * lda;
      for (int d = 0; d < dim; d += L) {
        VectorMask<Float> m = d < upper ? F.maskAll(true) : F.indexInRange(d, dim);
        FloatVector c0 = FloatVector.zero(F);
        for (int j = 0; j < n1; j++) {
          c0 = FloatVector.fromArray(F, b1, j * dim + d, m).fma(FloatVector.broadcast(F, a[a0 + j]), c0);
        }
        for (int j = 0; j < n2; j++) {
          c0 = FloatVector.fromArray(F, b2, j * dim + d, m).fma(FloatVector.broadcast(F, a[a0 + n1 + j]), c0);
        }
        c0.intoArray(out, i * dim + d, m);
      }
    }
  }

  /**
   * Softmax cross-entropy of row i of logits (rows)(n) with target column i: writes dl[i][:] = (softmax - onehot)
   * * scale and returns lse - logit[i][i]. Max-subtracted, so logits of any size stay finite; exp is the Vector
   * API's (SVML on x86), sums in float lanes.
   */
  static double softmaxRow(float[] logits, int i, int n, float scale, float[] dl) {
    int base = i * n;
    int upper = F.loopBound(n);
    FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    for (int j = 0; j < upper; j += L) {
      mv = mv.max(FloatVector.fromArray(F, logits, base + j));
    }
    float max = mv.reduceLanes(VectorOperators.MAX); // max is exact in any order
    for (int j = upper; j < n; j++) {
      max = Math.max(max, logits[base + j]);
    }
    FloatVector sv = FloatVector.zero(F);
    for (int j = 0; j < upper; j += L) {
      sv = sv.add(FloatVector.fromArray(F, logits, base + j).sub(max).lanewise(VectorOperators.EXP));
    }
    float sum = SimdDots.sum(sv);
    for (int j = upper; j < n; j++) {
      sum += (float) Math.exp(logits[base + j] - max);
    }
    float lse = max + (float) Math.log(sum);
    for (int j = 0; j < upper; j += L) {
      FloatVector prob = FloatVector.fromArray(F, logits, base + j).sub(lse).lanewise(VectorOperators.EXP);
      prob.mul(scale).intoArray(dl, base + j);
    }
    for (int j = upper; j < n; j++) {
      dl[base + j] = (float) Math.exp(logits[base + j] - lse) * scale;
    }
    dl[base + i] -= scale; // the one-hot target
    return (double) lse - logits[base + i];
  }
}
