package org.densephrases.kernels.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.ScalarBackend;
import org.densephrases.kernels.SeedExtension;
import org.densephrases.kernels.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of kernel family 3 (densephrases.h, dp_inbatch_loss), run once per backend: loss and gradients
 * against a brute force in double (analytic gradients, themselves checked against central finite differences),
 * against the scalar reference, and for stability with logits in the thousands.
 */
public abstract class NegativeLossContractTest {
  @RegisterExtension final SeedExtension seeds = new SeedExtension();

  protected KernelBackend backend;

  /** The backend under test; a subclass aborts (skips) when it is not available here. */
  protected abstract KernelBackend backend();

  @BeforeEach
  final void pickBackend() {
    backend = backend();
  }

  /** One batch of inputs: (batch)(dim) q/p per side, (cache)(dim) cache per side (null when cache == 0). */
  record Inputs(float[] qs, float[] qe, float[] ps, float[] pe, float[] cs, float[] ce, int batch, int cache,
      int dim) {
    static Inputs random(Random r, int batch, int cache, int dim, float sigma) {
      return new Inputs(TestData.gaussian(r, batch * dim, sigma), TestData.gaussian(r, batch * dim, sigma),
          TestData.gaussian(r, batch * dim, sigma), TestData.gaussian(r, batch * dim, sigma),
          cache == 0 ? null : TestData.gaussian(r, cache * dim, sigma),
          cache == 0 ? null : TestData.gaussian(r, cache * dim, sigma), batch, cache, dim);
    }

    LossResult run(KernelBackend b) {
      return b.negativeLoss().compute(qs, qe, ps, pe, cs, ce, batch, cache, dim);
    }
  }

  // ------------------------------------------------------------------------------------------------ brute force

  /** Loss, analytic gradients and the tolerances the float kernels must meet, all in double. */
  static final class Brute {
    double loss;
    double[] sideLoss = new double[2];
    double[][] gq = new double[2][];
    double[][] gp = new double[2][];
    /** Per element: scale * sum_j (p_ij + onehot) |cand_jd| (gq) and likewise for gp: the size of each sum. */
    double[][] gqMag = new double[2][];
    double[][] gpMag = new double[2][];
    double logitErr; // bound on the float error of one logit
    double lseMax; // largest |log-sum-exp|, for the float error of the softmax

    double lossTol() {
      return 2 * logitErr + 8 * TestData.EPS * (lseMax + 1);
    }

    double gradTol(double mag, int n, int dim) {
      return (4 * logitErr + 8 * TestData.EPS * (lseMax + 1) + 4 * (n + dim + 4) * TestData.EPS) * mag + 1e-30;
    }
  }

  static double sideLoss(float[] q, float[] p, float[] c, int batch, int cache, int dim, double[] logitsOut) {
    int n = batch + cache;
    double total = 0;
    for (int i = 0; i < batch; i++) {
      double[] l = new double[n];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        float[] src = j < batch ? p : c;
        int off = (j < batch ? j : j - batch) * dim;
        for (int d = 0; d < dim; d++) {
          l[j] += (double) q[i * dim + d] * src[off + d];
        }
        max = Math.max(max, l[j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(l[j] - max);
      }
      total += max + Math.log(sum) - l[i];
      if (logitsOut != null) {
        System.arraycopy(l, 0, logitsOut, i * n, n);
      }
    }
    return total / batch;
  }

  static Brute brute(Inputs in) {
    Brute b = new Brute();
    int batch = in.batch();
    int n = batch + in.cache();
    int dim = in.dim();
    float[][] q = {in.qs(), in.qe()};
    float[][] p = {in.ps(), in.pe()};
    float[][] c = {in.cs(), in.ce()};
    double scale = 1.0 / (2.0 * batch);
    for (int side = 0; side < 2; side++) {
      double[] logits = new double[batch * n];
      b.sideLoss[side] = sideLoss(q[side], p[side], c[side], batch, in.cache(), dim, logits);
      double[] gq = new double[batch * dim];
      double[] gp = new double[batch * dim];
      double[] gqm = new double[batch * dim];
      double[] gpm = new double[batch * dim];
      for (int i = 0; i < batch; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          max = Math.max(max, logits[i * n + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
          sum += Math.exp(logits[i * n + j] - max);
        }
        double lse = max + Math.log(sum);
        b.lseMax = Math.max(b.lseMax, Math.abs(lse));
        for (int j = 0; j < n; j++) {
          double prob = Math.exp(logits[i * n + j] - lse);
          double dl = (prob - (i == j ? 1 : 0)) * scale;
          double w = (prob + (i == j ? 1 : 0)) * scale;
          float[] src = j < batch ? p[side] : c[side];
          int off = (j < batch ? j : j - batch) * dim;
          double mag = 0;
          for (int d = 0; d < dim; d++) {
            gq[i * dim + d] += dl * src[off + d];
            gqm[i * dim + d] += w * Math.abs(src[off + d]);
            mag += Math.abs((double) q[side][i * dim + d] * src[off + d]);
            if (j < batch) {
              gp[j * dim + d] += dl * q[side][i * dim + d];
              gpm[j * dim + d] += w * Math.abs(q[side][i * dim + d]);
            }
          }
          b.logitErr = Math.max(b.logitErr, 2 * (dim + 2) * TestData.EPS * mag);
        }
      }
      b.gq[side] = gq;
      b.gp[side] = gp;
      b.gqMag[side] = gqm;
      b.gpMag[side] = gpm;
    }
    b.loss = (b.sideLoss[0] + b.sideLoss[1]) / 2;
    return b;
  }

  static double totalLoss(Inputs in) {
    return (sideLoss(in.qs(), in.ps(), in.cs(), in.batch(), in.cache(), in.dim(), null)
        + sideLoss(in.qe(), in.pe(), in.ce(), in.batch(), in.cache(), in.dim(), null)) / 2;
  }

  // ------------------------------------------------------------------------------------------------ checks

  static void assertMatches(String what, LossResult r, Brute b, Inputs in) {
    int n = in.batch() + in.cache();
    assertTrue(Float.isFinite(r.loss()), what + ": loss is not finite: " + r.loss());
    assertEquals(b.loss, r.loss(), b.lossTol() + 2 * TestData.EPS * Math.abs(b.loss), what + ": loss");
    assertEquals(b.sideLoss[0], r.startLoss(), b.lossTol() + 2 * TestData.EPS * b.sideLoss[0], what + ": startLoss");
    assertEquals(b.sideLoss[1], r.endLoss(), b.lossTol() + 2 * TestData.EPS * b.sideLoss[1], what + ": endLoss");
    float[][] gq = {r.gradQStart(), r.gradQEnd()};
    float[][] gp = {r.gradPStart(), r.gradPEnd()};
    String[] side = {"start", "end"};
    for (int s = 0; s < 2; s++) {
      assertEquals(in.batch() * in.dim(), gq[s].length, what + ": gradQ length");
      assertEquals(in.batch() * in.dim(), gp[s].length, what + ": gradP length");
      for (int e = 0; e < gq[s].length; e++) {
        assertEquals(b.gq[s][e], gq[s][e], b.gradTol(b.gqMag[s][e], n, in.dim()),
            what + ": gradQ " + side[s] + " [" + e / in.dim() + "][" + e % in.dim() + "]");
        assertEquals(b.gp[s][e], gp[s][e], b.gradTol(b.gpMag[s][e], n, in.dim()),
            what + ": gradP " + side[s] + " [" + e / in.dim() + "][" + e % in.dim() + "]");
      }
    }
  }

  /** Backend and scalar reference against the brute force, and against each other. */
  private void checkAll(String what, Inputs in) {
    Brute b = brute(in);
    LossResult ref = in.run(ScalarBackend.INSTANCE);
    assertMatches(what + " scalar", ref, b, in);
    LossResult got = in.run(backend);
    assertMatches(what + " " + backend.name(), got, b, in);
    assertEquals(ref.loss(), got.loss(), 2 * (b.lossTol() + 2 * TestData.EPS * Math.abs(b.loss)),
        what + ": loss differs from the scalar reference");
    int n = in.batch() + in.cache();
    for (int e = 0; e < ref.gradQStart().length; e++) {
      assertEquals(ref.gradQStart()[e], got.gradQStart()[e], 2 * b.gradTol(b.gqMag[0][e], n, in.dim()),
          what + ": gradQStart differs from the scalar reference at " + e);
      assertEquals(ref.gradPEnd()[e], got.gradPEnd()[e], 2 * b.gradTol(b.gpMag[1][e], n, in.dim()),
          what + ": gradPEnd differs from the scalar reference at " + e);
    }
  }

  // ------------------------------------------------------------------------------------------------ tests

  @ParameterizedTest(name = "cache={0}")
  @ValueSource(ints = {0, 1, 4})
  void gradientsMatchCentralFiniteDifferences(int cache) {
    Random r = seeds.random();
    for (int dim : new int[] {1, 3, 17}) {
      Inputs in = Inputs.random(r, 3, cache, dim, 1f);
      Brute b = brute(in);
      LossResult got = in.run(backend);
      float[][] inputs = {in.qs(), in.qe(), in.ps(), in.pe()};
      float[][] grads = {got.gradQStart(), got.gradQEnd(), got.gradPStart(), got.gradPEnd()};
      double[][] analytic = {b.gq[0], b.gq[1], b.gp[0], b.gp[1]};
      double[][] mags = {b.gqMag[0], b.gqMag[1], b.gpMag[0], b.gpMag[1]};
      String[] names = {"qStart", "qEnd", "pStart", "pEnd"};
      int n = in.batch() + cache;
      for (int a = 0; a < 4; a++) {
        for (int e = 0; e < inputs[a].length; e++) {
          // Central differences of the double loss; the inputs are perturbed as doubles through a float copy,
          // so h is a power of two that float represents exactly around the value.
          float x = inputs[a][e];
          double h = Math.scalb(1.0, Math.getExponent(Math.max(Math.abs(x), 1f)) - 10);
          inputs[a][e] = (float) (x + h);
          double up = totalLoss(in);
          inputs[a][e] = (float) (x - h);
          double down = totalLoss(in);
          inputs[a][e] = x;
          double fd = (up - down) / (2 * h);
          String at = "dim=" + dim + " d loss / d " + names[a] + "[" + e + "]";
          double fdTol = 1e-4 * (Math.abs(fd) + mags[a][e]) + 1e-9;
          assertEquals(fd, analytic[a][e], fdTol, at + ": the brute force's analytic gradient");
          assertEquals(fd, grads[a][e], fdTol + b.gradTol(mags[a][e], n, dim), at + ": " + backend.name());
        }
      }
    }
  }

  @ParameterizedTest(name = "dim={0}")
  @ValueSource(ints = {1, 3, 17, 97, 384, 769})
  void randomBatchesMatchReferenceAndBruteForce(int dim) {
    Random r = seeds.random();
    for (int rep = 0; rep < 3; rep++) {
      // Up to 40 columns, so that rows are longer than a vector register as well as shorter.
      int batch = 1 + r.nextInt(rep == 2 ? 20 : 9);
      int cache = rep == 0 ? 0 : 1 + r.nextInt(batch + 1);
      checkAll("dim=" + dim + " batch=" + batch + " cache=" + cache,
          Inputs.random(r, batch, cache, dim, (float) (1 / Math.sqrt(Math.sqrt(dim)))));
    }
  }

  @Test
  void realisticBatchSplitOverThreads() {
    Random r = seeds.random();
    int dim = 768;
    checkAll("batch=64 cache=64", Inputs.random(r, 64, 64, dim, (float) (1 / Math.sqrt(Math.sqrt(dim)))));
    checkAll("batch=13 cache=0", Inputs.random(r, 13, 0, 97, 0.5f));
  }

  @ParameterizedTest(name = "batch={0}")
  @ValueSource(ints = {6, 21})
  void largeLogitsStayFinite(int batch) {
    Random r = seeds.random();
    int dim = 17;
    // Entries around 10 in 17 dims: logits in the hundreds to thousands, where a plain exp overflows float.
    // 6 and 21 + 13 columns: shorter and longer than a vector register.
    Inputs in = Inputs.random(r, batch, batch == 6 ? 0 : 13, dim, 10f);
    Brute b = brute(in);
    double maxLogit = b.lseMax;
    assertTrue(maxLogit > 300, "test setup: logits should be large, got " + maxLogit);
    LossResult got = in.run(backend);
    for (float[] g : new float[][] {got.gradQStart(), got.gradQEnd(), got.gradPStart(), got.gradPEnd()}) {
      for (float x : g) {
        assertTrue(Float.isFinite(x), "gradient not finite with large logits");
      }
    }
    checkAll("large logits", in);
  }

  @Test
  void oneExampleWithoutCacheHasZeroLossAndGradient() {
    Inputs in = Inputs.random(seeds.random(), 1, 0, 5, 1f);
    LossResult got = in.run(backend);
    assertEquals(0f, got.loss(), 0f, "log-sum-exp over one logit minus that logit is 0");
    for (float x : got.gradQStart()) {
      assertEquals(0f, x, 0f);
    }
    for (float x : got.gradPEnd()) {
      assertEquals(0f, x, 0f);
    }
  }

  @Test
  void cacheColumnsAreNegatives() {
    // Adding columns can only raise each row's log-sum-exp, so the loss grows; the cache has no gradient output.
    Random r = seeds.random();
    Inputs with = Inputs.random(r, 4, 6, 9, 1f);
    Inputs without = new Inputs(with.qs(), with.qe(), with.ps(), with.pe(), null, null, 4, 0, 9);
    assertTrue(with.run(backend).loss() > without.run(backend).loss(), "cache negatives must raise the loss");
  }

  // ------------------------------------------------------------------------------------------------ bad input

  private IllegalArgumentException fails(float[] qs, float[] qe, float[] ps, float[] pe, float[] cs, float[] ce,
      int batch, int cache, int dim) {
    return assertThrows(IllegalArgumentException.class,
        () -> backend.negativeLoss().compute(qs, qe, ps, pe, cs, ce, batch, cache, dim));
  }

  private static void assertMessage(IllegalArgumentException e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' should name '" + w + "'");
    }
  }

  @Test
  void rejectsBadShapes() {
    float[] a = new float[6]; // batch 2 x dim 3
    float[] c = new float[3]; // cache 1 x dim 3
    assertMessage(fails(a, a, a, a, null, null, 0, 0, 3), "batch must be >= 1");
    assertMessage(fails(a, a, a, a, null, null, 2, -1, 3), "cache must be >= 0");
    assertMessage(fails(a, a, a, a, null, null, 2, 0, 0), "dim");
    assertMessage(fails(new float[KernelLimits.MAX_DIM + 1], a, a, a, null, null, 1, 0, KernelLimits.MAX_DIM + 1),
        "dim");
    assertMessage(fails(new float[5], a, a, a, null, null, 2, 0, 3), "qStart", "expected 2 x 3");
    assertMessage(fails(a, new float[7], a, a, null, null, 2, 0, 3), "qEnd");
    assertMessage(fails(a, a, new float[3], a, null, null, 2, 0, 3), "pStart");
    assertMessage(fails(a, a, a, null, null, null, 2, 0, 3), "pEnd", "null");
    assertMessage(fails(a, a, a, a, null, c, 2, 1, 3), "cacheStart", "null");
    assertMessage(fails(a, a, a, a, c, new float[4], 2, 1, 3), "cacheEnd", "expected 1 x 3");
  }

  @Test
  void rejectsNonFiniteInputs() {
    float[] a = new float[6];
    float[] c = new float[3];
    float[] bad = {0, 0, 0, 0, Float.NaN, 0};
    float[] badC = {0, Float.NEGATIVE_INFINITY, 0};
    assertMessage(fails(bad, a, a, a, null, null, 2, 0, 3), "qStart[4]", "finite");
    assertMessage(fails(a, bad, a, a, null, null, 2, 0, 3), "qEnd[4]", "finite");
    assertMessage(fails(a, a, bad, a, null, null, 2, 0, 3), "pStart[4]", "finite");
    assertMessage(fails(a, a, a, bad, null, null, 2, 0, 3), "pEnd[4]", "finite");
    assertMessage(fails(a, a, a, a, badC, c, 2, 1, 3), "cacheStart[1]", "finite");
    assertMessage(fails(a, a, a, a, c, badC, 2, 1, 3), "cacheEnd[1]", "finite");
  }
}
