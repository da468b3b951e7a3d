package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.loss.LossResult;
import org.densephrases.kernels.loss.NegativeLoss;
import org.junit.jupiter.api.Test;

/**
 * The kernel's in-batch/pre-batch loss equals the same loss written in DJL ops (value and gradients), and the
 * surrogate hands DJL's autograd exactly the kernel's gradients; the single-passage and filter terms against a
 * direct computation in double.
 */
class PhraseObjectiveTest {
  static float[] randn(Random r, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian() * scale;
    }
    return a;
  }

  @Test
  void kernelLossAndGradientsEqualDjlOps() {
    for (int cache : new int[] {0, 14}) {
      for (String backend : new String[] {"scalar", "best"}) {
        NegativeLoss kernel = backend.equals("best") ? Backends.best().negativeLoss()
            : Backends.byName("scalar").negativeLoss();
        checkAgainstDjl(kernel, 7, cache, 37, 11 + cache);
      }
    }
  }

  private static void checkAgainstDjl(NegativeLoss kernel, int n, int c, int h, long seed) {
    Random r = new Random(seed);
    float[] qs = randn(r, n * h, 0.5f);
    float[] qe = randn(r, n * h, 0.5f);
    float[] ps = randn(r, n * h, 0.5f);
    float[] pe = randn(r, n * h, 0.5f);
    float[] cs = c > 0 ? randn(r, c * h, 0.5f) : null;
    float[] ce = c > 0 ? randn(r, c * h, 0.5f) : null;
    LossResult k = kernel.compute(qs, qe, ps, pe, cs, ce, n, c, h);
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      Shape s = new Shape(n, h);
      NDArray[] in = {nd.create(qs, s), nd.create(qe, s), nd.create(ps, s), nd.create(pe, s)};
      for (NDArray a : in) {
        a.setRequiresGradient(true);
      }
      NDArray cS = c > 0 ? nd.create(cs, new Shape(c, h)) : null;
      NDArray cE = c > 0 ? nd.create(ce, new Shape(c, h)) : null;
      float djlLoss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = PhraseObjective.negativeLossInDjl(in[0], in[1], in[2], in[3], cS, cE);
        djlLoss = loss.getFloat();
        gc.backward(loss);
      }
      assertEquals(djlLoss, k.loss(), 1e-5 * Math.max(1, Math.abs(djlLoss)), "loss, cache " + c);
      float[][] kg = {k.gradQStart(), k.gradQEnd(), k.gradPStart(), k.gradPEnd()};
      float[][] autograd = new float[4][];
      for (int i = 0; i < 4; i++) {
        autograd[i] = in[i].getGradient().toFloatArray();
        assertClose(autograd[i], kg[i], 1e-6f, "gradient " + i + ", cache " + c);
      }

      // The surrogate: its gradient with respect to each input is the kernel's gradient.
      NDArray[] in2 = {nd.create(qs, s), nd.create(qe, s), nd.create(ps, s), nd.create(pe, s)};
      for (NDArray a : in2) {
        a.setRequiresGradient(true);
      }
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray sur = PhraseObjective.surrogate(nd, in2[0], in2[1], in2[2], in2[3], k, n, h);
        gc.backward(sur);
      }
      for (int i = 0; i < 4; i++) {
        assertClose(in2[i].getGradient().toFloatArray(), autograd[i], 1e-6f, "surrogate gradient " + i);
      }
    }
  }

  @Test
  void singlePassageAndFilterTermsMatchADirectComputation() {
    int b = 2;
    int t = 6;
    int h = 5;
    int n = 3;
    Random r = new Random(5);
    float[] tok = randn(r, b * t * h, 1f);
    float[] fil = randn(r, b * t * 2, 1f);
    float[] qs = randn(r, n * h, 1f);
    float[] qe = randn(r, n * h, 1f);
    float[][] ctx = {{0, 0, 1, 1, 1, 0}, {0, 1, 1, 1, 1, 1}};
    int[] unit = {0, 1, 1};
    int[] st = {2, 1, 3};
    int[] en = {3, 2, 5};
    var labels = new PhraseObjective.Labels(unit, st, en, ctx, null, null);
    var obj = new PhraseObjective(Backends.byName("scalar").negativeLoss(), new PhraseObjective.Weights(1, 0, 0, 1));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      var terms = obj.compute(nd, nd.create(tok, new Shape(b, t, h)), nd.create(fil, new Shape(b, t, 2)),
          nd.create(qs, new Shape(n, h)), nd.create(qe, new Shape(n, h)), labels, null, 0, null);
      double single = 0;
      for (int k = 0; k < n; k++) {
        single += ce(tok, qs, k, unit[k], st[k], ctx, t, h) + ce(tok, qe, k, unit[k], en[k], ctx, t, h);
      }
      single /= 2.0 * n;
      assertEquals(single, terms.single(), 1e-5);
      double bce = 0;
      int cnt = 0;
      for (int u = 0; u < b; u++) {
        for (int i = 0; i < t; i++) {
          if (ctx[u][i] == 0) {
            continue;
          }
          for (int side = 0; side < 2; side++) {
            boolean pos = false;
            for (int k = 0; k < n; k++) {
              pos |= unit[k] == u && (side == 0 ? st[k] : en[k]) == i;
            }
            double x = fil[(u * t + i) * 2 + side];
            double p = 1 / (1 + Math.exp(-x));
            bce -= pos ? Math.log(p) : Math.log(1 - p);
            cnt++;
          }
        }
      }
      assertEquals(bce / cnt, terms.filter(), 1e-5);
      assertEquals(single + bce / cnt, terms.total().getFloat(), 1e-4);
    }
  }

  private static double ce(float[] tok, float[] q, int k, int u, int gold, float[][] ctx, int t, int h) {
    double max = Double.NEGATIVE_INFINITY;
    double[] s = new double[t];
    for (int i = 0; i < t; i++) {
      for (int d = 0; d < h; d++) {
        s[i] += (double) tok[(u * t + i) * h + d] * q[k * h + d];
      }
      if (ctx[u][i] > 0) {
        max = Math.max(max, s[i]);
      }
    }
    double z = 0;
    for (int i = 0; i < t; i++) {
      if (ctx[u][i] > 0) {
        z += Math.exp(s[i] - max);
      }
    }
    return -(s[gold] - max - Math.log(z));
  }

  static void assertClose(float[] a, float[] b, float tol, String what) {
    assertEquals(a.length, b.length, what);
    for (int i = 0; i < a.length; i++) {
      assertTrue(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), what + " [" + i + "]: " + a[i] + " vs "
          + b[i]);
    }
  }
}
