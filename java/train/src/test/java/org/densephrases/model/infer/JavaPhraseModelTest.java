package org.densephrases.model.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.export.PhraseModelMeta;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java engine against the DJL PhraseModel on the same weights and inputs: passage token vectors, filter
 * logits, q_start and q_end agree within 1e-3 of the values' scale (both layouts, fp32 and int8 files, padding inside
 * a batch), for a small random model and for the committed models/e5-small-tied export.
 */
class JavaPhraseModelTest {
  static final BertConfig SMALL = new BertConfig(1000, 64, 2, 4, 128, 64, 2, 1e-12f);
  static final double TOL = 1e-3;
  @TempDir Path tmp;

  private static byte[] tokenizer() {
    return Tokenizer.resourceBytes(PretrainedModels.MINILM_L6.tokenizerResource());
  }

  /** Every parameter moved by noise, so that zero biases, unit LayerNorm gains or identity heads hide nothing. */
  private static PhraseModel randomModel(String layout, NDManager nd, long seed) {
    PhraseModel m = layout.equals("shared")
        ? PhraseModel.shared(new BertEncoderBlock(SMALL, 0f), new BertEncoderBlock(SMALL, 0f))
        : new PhraseModel(new BertEncoderBlock(SMALL, 0f), new BertEncoderBlock(SMALL, 0f),
            new BertEncoderBlock(SMALL, 0f));
    Engine.getInstance().setRandomSeed((int) seed);
    m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
    for (Pair<String, Parameter> p : m.getParameters()) {
      var a = p.getValue().getArray();
      a.addi(nd.randomNormal(0f, 0.1f, a.getShape(), DataType.FLOAT32));
    }
    return m;
  }

  /** Rows of the given lengths padded to the longest: ids in [1, vocab), types 0 then 1 after a third of the row. */
  private static Batch rows(int[] lengths, int vocab, Random r, boolean types) {
    List<long[]> ids = new ArrayList<>();
    List<long[]> ty = new ArrayList<>();
    for (int len : lengths) {
      long[] row = new long[len];
      long[] t = new long[len];
      for (int i = 0; i < len; i++) {
        row[i] = 1 + r.nextInt(vocab - 1);
        t[i] = types && i > len / 3 ? 1 : 0;
      }
      ids.add(row);
      ty.add(t);
    }
    return Batch.pad(ids, ty, 0);
  }

  /** DJL's outputs: {tokenVectors, filterLogits, qStart, qEnd}. */
  private static float[][] djl(PhraseModel m, NDManager nd, Batch p, Batch q) {
    try (NDManager sub = nd.newSubManager()) {
      ParameterStore ps = new ParameterStore(sub, false);
      NDList pe = m.encodePassages(ps, sub.create(p.ids()), sub.create(p.typeIds()), sub.create(p.mask()), false);
      NDList qe = m.encodeQuestions(ps, sub.create(q.ids()), sub.create(q.typeIds()), sub.create(q.mask()), false);
      return new float[][] {pe.get(0).toFloatArray(), pe.get(1).toFloatArray(), qe.get(0).toFloatArray(),
          qe.get(1).toFloatArray()};
    }
  }

  private static float[][] java(JavaPhraseModel m, Batch p, Batch q) {
    JavaPhraseModel.Passages pe = m.encodePassages(p.ids(), p.typeIds(), p.mask());
    float[][] qe = m.encodeQuestions(q.ids(), q.typeIds(), q.mask());
    return new float[][] {pe.tokenVectors(), pe.filterLogits(), qe[0], qe[1]};
  }

  /** Max |a - b| over real (unpadded) positions, checked against TOL x the values' scale; returns the ratio. */
  private static double compare(String what, float[] want, float[] got, long[][] mask, int width) {
    assertEquals(want.length, got.length, what + ": sizes");
    double maxAbs = 0;
    double maxDiff = 0;
    int t = mask[0].length;
    for (int b = 0; b < mask.length; b++) {
      for (int i = 0; i < t; i++) {
        if (mask[b][i] == 0) {
          for (int c = 0; c < width; c++) {
            assertEquals(0f, got[(b * t + i) * width + c], what + ": padding position " + b + "," + i);
          }
          continue;
        }
        for (int c = 0; c < width; c++) {
          int k = (b * t + i) * width + c;
          maxAbs = Math.max(maxAbs, Math.abs(want[k]));
          maxDiff = Math.max(maxDiff, Math.abs(want[k] - got[k]));
        }
      }
    }
    double scale = Math.max(1, maxAbs);
    System.out.printf(java.util.Locale.ROOT, "%s: max |java - djl| %.3g, max |value| %.3g%n", what, maxDiff, maxAbs);
    assertTrue(maxDiff < TOL * scale, what + ": max diff " + maxDiff + " of max |value| " + maxAbs);
    return maxDiff / scale;
  }

  private static long[][] ones(int rows) {
    long[][] m = new long[rows][1];
    for (long[] r : m) {
      r[0] = 1;
    }
    return m;
  }

  private static void compareAll(String what, float[][] want, float[][] got, Batch p, Batch q, int h) {
    compare(what + " token vectors", want[0], got[0], p.mask(), h);
    compare(what + " filter logits", want[1], got[1], p.mask(), 2);
    compare(what + " q_start", want[2], got[2], ones(q.rows()), h);
    compare(what + " q_end", want[3], got[3], ones(q.rows()), h);
  }

  @Test
  void matchesDjlOnARandomModelInBothLayouts() throws IOException {
    Random r = new Random(5);
    for (String layout : List.of("shared", "paper")) {
      try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
        PhraseModel m = randomModel(layout, nd, 3);
        PhraseModelMeta meta = new PhraseModelMeta("random", layout, SMALL, 32, 8, 4, 16, 1, "test");
        for (PhraseModelFile.Dtype dt : List.of(PhraseModelFile.Dtype.FP32, PhraseModelFile.Dtype.INT8)) {
          Path dir = tmp.resolve(layout + "-" + dt);
          PhraseModelFile.write(m, "random-" + layout, meta, dt, tokenizer(), dir);
          Batch p = rows(new int[] {37, 20, 64, 5, 1}, SMALL.vocabSize(), r, true);
          Batch q = rows(new int[] {9, 3, 16, 12}, SMALL.vocabSize(), r, false);
          try (PhraseModelFile.Loaded djl = PhraseModelFile.load(dir);
              JavaPhraseModel jm = JavaPhraseModel.load(dir, 3)) {
            assertEquals("random-" + layout, jm.modelId());
            assertEquals(layout.equals("shared"), jm.isShared());
            float[][] want = djl(djl.model(), djl.manager(), p, q);
            float[][] got = java(jm, p, q);
            compareAll(layout + "/" + dt, want, got, p, q, SMALL.hiddenSize());
            // one thread gives the same numbers (each output is computed by one task, in one order; only the
            // Vector API's lane reductions may round differently before and after the JIT compiles them)
            try (JavaPhraseModel one = JavaPhraseModel.load(dir, 1)) {
              float[][] seq = java(one, p, q);
              for (int i = 0; i < got.length; i++) {
                for (int k = 0; k < got[i].length; k++) {
                  assertEquals(got[i][k], seq[i][k], 1e-5 * Math.max(1, Math.abs(got[i][k])),
                      layout + "/" + dt + " output " + i + " at " + k + ": 1 vs 3 threads");
                }
              }
            }
            // a row alone gives what it gives inside a padded batch
            Batch p1 = Batch.pad(List.of(java.util.Arrays.copyOf(p.ids()[1], 20)),
                List.of(java.util.Arrays.copyOf(p.typeIds()[1], 20)), 0);
            float[] alone = jm.encodePassages(p1.ids(), p1.typeIds(), p1.mask()).tokenVectors();
            int t = p.length();
            int h = SMALL.hiddenSize();
            for (int k = 0; k < 20 * h; k++) {
              assertEquals(got[0][t * h + k], alone[k], 1e-5, "row alone vs in a batch at " + k);
            }
          }
        }
      }
    }
  }

  @Test
  void committedModelMatchesDjlOnRealWindows() throws IOException {
    Path dir = Path.of(System.getProperty("user.dir")).resolve("../../models/e5-small-tied").normalize();
    Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(PhraseModelFile.MODEL_FILE)), dir + " is absent");
    try (PhraseModelFile.Loaded djl = PhraseModelFile.load(dir);
        JavaPhraseModel jm = JavaPhraseModel.load(dir)) {
      assertEquals(djl.modelId(), jm.modelId());
      Tokenizer tok = djl.tokenizer();
      WindowConfig wc = djl.meta().windows();
      PassageEncoder pe = new PassageEncoder(tok, wc);
      String para = "The Normans (Norman: Nourmands; French: Normands; Latin: Normanni) were the people who in the "
          + "10th and 11th centuries gave their name to Normandy, a region in France. They were descended from Norse "
          + "(\"Norman\" comes from \"Norseman\") raiders and pirates from Denmark, Iceland and Norway who, under "
          + "their leader Rollo, agreed to swear fealty to King Charles III of West Francia. ";
      List<PassageWindow> windows = new ArrayList<>();
      windows.addAll(pe.encode("Normans", para.repeat(4)).windows()); // several overlapping windows
      windows.addAll(pe.encode("Normandy", "Normandy is a region of France.").windows()); // a short one
      windows.addAll(pe.encode("", "Rollo agreed to swear fealty to King Charles III.").windows());
      assertTrue(windows.size() >= 4, "windows: " + windows.size());
      Batch p = Batch.ofWindows(windows, tok.padId());
      QuestionEncoder qe = new QuestionEncoder(tok, djl.meta().maxQuestionLength());
      List<long[]> qs = new ArrayList<>();
      for (String s : List.of("Who was the leader of the Normans?", "When?",
          "In what country is Normandy located, and which king did Rollo swear fealty to in West Francia?")) {
        qs.add(qe.encode(s));
      }
      Batch q = Batch.pad(qs, null, tok.padId());
      float[][] want = djl(djl.model(), djl.manager(), p, q);
      float[][] got = java(jm, p, q);
      compareAll("e5-small-tied", want, got, p, q, jm.hiddenSize());
    }
  }

  @Test
  void erfIsAccurate() {
    double worst = 0;
    for (int i = -60000; i <= 60000; i++) {
      float x = i / 10000f;
      worst = Math.max(worst, Math.abs(Activations.erf(x) - erfReference(x)));
    }
    assertTrue(worst < 1e-6, "erf max error " + worst);
    // the vector form agrees with the scalar one
    float[] xs = new float[Dense.V];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = -3f + 0.37f * i;
    }
    float[] g = new float[xs.length];
    Activations.gelu(jdk.incubator.vector.FloatVector.fromArray(Dense.S, xs, 0)).intoArray(g, 0);
    for (int i = 0; i < xs.length; i++) {
      assertEquals(Activations.gelu(xs[i]), g[i], 1e-6, "gelu(" + xs[i] + ")");
      assertEquals(0.5 * xs[i] * (1 + erfReference(xs[i] / Math.sqrt(2))), g[i], 1e-6, "gelu(" + xs[i] + ")");
    }
  }

  /**
   * erf in double: 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)), a series of positive terms (no
   * cancellation), +-1 beyond |x| = 6.
   */
  static double erfReference(double x) {
    double a = Math.abs(x);
    if (a > 6) {
      return Math.signum(x);
    }
    double sum = 0;
    double term = a;
    for (int n = 0; n < 2000 && term > 1e-300; n++) {
      sum += term;
      term *= 2 * a * a / (2 * n + 3);
    }
    return Math.signum(x) * Math.min(1, 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum);
  }

  @Test
  void denseLayerMatchesPlainLoops() {
    Random r = new Random(1);
    for (int[] shape : new int[][] {{2, 64}, {64, 64}, {100, 37}, {3 * Dense.PW + 5, 7}, {Dense.PW, 1}}) {
      int out = shape[0];
      int in = shape[1];
      float[] w = new float[out * in];
      float[] b = new float[out];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
      Dense d = new Dense(w, b, out, in);
      for (int n : new int[] {1, 3, 4, 5, 67, 130}) {
        float[] x = new float[n * in];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) r.nextGaussian();
        }
        for (boolean gelu : new boolean[] {false, true}) {
          float[] y = new float[n * out];
          try (Exec ex = new Exec(2)) {
            d.apply(x, n, y, gelu, ex);
          }
          for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
              double s = b[o];
              for (int k = 0; k < in; k++) {
                s += (double) x[i * in + k] * w[o * in + k];
              }
              if (gelu) {
                s = 0.5 * s * (1 + erfReference(s / Math.sqrt(2)));
              }
              assertEquals(s, y[i * out + o], 1e-4 * Math.max(1, Math.abs(s)),
                  out + "x" + in + ", n " + n + ", row " + i + ", col " + o);
            }
          }
        }
      }
    }
  }

  @Test
  void badInputsAreRefused() throws IOException {
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      PhraseModel m = randomModel("shared", nd, 4);
      Path dir = tmp.resolve("bad");
      PhraseModelFile.write(m, "x", new PhraseModelMeta("random", "shared", SMALL, 32, 8, 4, 16, 1, "test"),
          PhraseModelFile.Dtype.FP16, tokenizer(), dir);
      try (JavaPhraseModel jm = JavaPhraseModel.load(dir, 2)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> jm.encodeQuestions(new long[][] {{1, 5000, 2}}, new long[1][3], new long[][] {{1, 1, 1}}));
        assertTrue(e.getMessage().contains("vocabulary"), e.getMessage());
        long[][] tooLong = new long[1][SMALL.maxPositions() + 1];
        long[][] mask = new long[1][SMALL.maxPositions() + 1];
        java.util.Arrays.fill(mask[0], 1);
        e = assertThrows(IllegalArgumentException.class, () -> jm.encodePassages(tooLong, new long[1][65], mask));
        assertTrue(e.getMessage().contains("positions"), e.getMessage());
        // an empty row (all padding) gives zeros, not NaN
        float[][] qv = jm.encodeQuestions(new long[][] {{1, 7, 2}, {0, 0, 0}}, new long[2][3],
            new long[][] {{1, 1, 1}, {0, 0, 0}});
        for (float v : qv[0]) {
          assertTrue(Float.isFinite(v));
        }
      }
    }
  }
}
