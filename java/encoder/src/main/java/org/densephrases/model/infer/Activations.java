package org.densephrases.model.infer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU in its exact form, 0.5 x (1 + erf(x / sqrt 2)), as PyTorch's default {@code gelu} and HuggingFace BERT's
 * "gelu" (the models we load use it; the tanh approximation is rejected on import). Java has no erf, so erf is the
 * rational approximation used by Eigen and TensorFlow for float32: x P(x^2) / Q(x^2) on [-4, 4] (outside, erf is
 * +-1 in float32); its largest absolute error is about 4e-7.
 */
final class Activations {
  private Activations() {}

  private static final VectorSpecies<Float> S = Dense.S;

  private static final float A1 = -1.60960333262415e-02f;
  private static final float A3 = -2.95459980854025e-03f;
  private static final float A5 = -7.34990630326855e-04f;
  private static final float A7 = -5.69250639462346e-05f;
  private static final float A9 = -2.10102402082508e-06f;
  private static final float A11 = 2.77068142495902e-08f;
  private static final float A13 = -2.72614225801306e-10f;
  private static final float B0 = -1.42647390514189e-02f;
  private static final float B2 = -7.37332916720468e-03f;
  private static final float B4 = -1.68282697438203e-03f;
  private static final float B6 = -2.13374055278905e-04f;
  private static final float B8 = -1.45660718464996e-05f;
  private static final float INV_SQRT2 = 0.70710678118654752f;

  static float erf(float a) {
    float x = Math.max(-4f, Math.min(4f, a));
    float x2 = x * x;
    float p = Math.fma(x2, A13, A11);
    p = Math.fma(x2, p, A9);
    p = Math.fma(x2, p, A7);
    p = Math.fma(x2, p, A5);
    p = Math.fma(x2, p, A3);
    p = Math.fma(x2, p, A1);
    p = x * p;
    float q = Math.fma(x2, B8, B6);
    q = Math.fma(x2, q, B4);
    q = Math.fma(x2, q, B2);
    q = Math.fma(x2, q, B0);
    return p / q;
  }

  static float gelu(float x) {
    return 0.5f * x * (1f + erf(x * INV_SQRT2));
  }

  static FloatVector erf(FloatVector a) {
    FloatVector x = a.max(-4f).min(4f);
    FloatVector x2 = x.mul(x);
    FloatVector p = x2.fma(A13, A11);
    p = x2.fma(p, FloatVector.broadcast(S, A9));
    p = x2.fma(p, FloatVector.broadcast(S, A7));
    p = x2.fma(p, FloatVector.broadcast(S, A5));
    p = x2.fma(p, FloatVector.broadcast(S, A3));
    p = x2.fma(p, FloatVector.broadcast(S, A1));
    p = x.mul(p);
    FloatVector q = x2.fma(B8, B6);
    q = x2.fma(q, FloatVector.broadcast(S, B4));
    q = x2.fma(q, FloatVector.broadcast(S, B2));
    q = x2.fma(q, FloatVector.broadcast(S, B0));
    return p.div(q);
  }

  static FloatVector gelu(FloatVector x) {
    return x.mul(0.5f).mul(erf(x.mul(INV_SQRT2)).add(1f));
  }

  /** exp of every lane (the Vector API's intrinsic, SVML on x86). */
  static FloatVector exp(FloatVector x) {
    return x.lanewise(VectorOperators.EXP);
  }
}
