package org.densephrases.model.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The engine's scalar form (what {@code -Ddensephrases.backend=scalar} runs) equals its Vector API form: the dense
 * layers bit for bit before GELU, the whole committed model on real windows and questions within float rounding.
 */
class ScalarEngineTest {
  @Test
  void denseLayerScalarIsBitwiseTheSimdOne() {
    Random r = new Random(3);
    for (int[] shape : new int[][] {{2, 64}, {100, 37}, {3 * Dense.PW + 5, 7}, {Dense.PW, 1}}) {
      int out = shape[0];
      int in = shape[1];
      float[] w = gaussian(r, out * in);
      float[] b = gaussian(r, out);
      Dense d = new Dense(w, b, out, in);
      for (int n : new int[] {1, 4, 5, 67}) {
        float[] x = gaussian(r, n * in);
        for (boolean gelu : new boolean[] {false, true}) {
          float[] simd = new float[n * out];
          float[] scalar = new float[n * out];
          d.apply(x, n, simd, gelu, new Exec(2, true));
          d.apply(x, n, scalar, gelu, new Exec(2, false));
          for (int i = 0; i < simd.length; i++) {
            if (gelu) {
              assertEquals(simd[i], scalar[i], 1e-6f * Math.max(1f, Math.abs(simd[i])), out + "x" + in + " at " + i);
            } else {
              assertEquals(Float.floatToIntBits(simd[i]), Float.floatToIntBits(scalar[i]),
                  out + "x" + in + ", n " + n + " at " + i + ": " + simd[i] + " vs " + scalar[i]);
            }
          }
        }
      }
    }
  }

  /**
   * Weights that are exactly int8 rows (an export's, dequantized): small inputs read the int8 copy, in both forms bit
   * for bit, within float rounding of the exact products; weights off the int8 grid are not taken for int8.
   */
  @Test
  void int8RowsTakeTheInt8CopyForSmallInputs() {
    Random r = new Random(5);
    for (int[] shape : new int[][] {{2 * Dense.PW, 64}, {3 * Dense.PW + 5, 37}}) {
      int out = shape[0];
      int in = shape[1];
      float[] w = org.densephrases.model.export.Int8Rows.quantize(gaussian(r, out * in), out, in).dequantize();
      float[] b = gaussian(r, out);
      assertTrue(Dense.int8Scales(w, out, in) != null, "dequantized int8 rows are recognised");
      float[] off = w.clone();
      off[3] += 1e-3f;
      assertEquals(null, Dense.int8Scales(off, out, in), "a weight off the int8 grid");
      Dense d = new Dense(w, b, out, in);
      for (int n : new int[] {1, 4, 5, Dense.Q8_MAX_ROWS, Dense.Q8_MAX_ROWS + 1}) {
        float[] x = gaussian(r, n * in);
        float[] simd = new float[n * out];
        float[] scalar = new float[n * out];
        d.apply(x, n, simd, false, new Exec(2, true));
        d.apply(x, n, scalar, false, new Exec(2, false));
        for (int i = 0; i < simd.length; i++) {
          assertEquals(Float.floatToIntBits(simd[i]), Float.floatToIntBits(scalar[i]),
              out + "x" + in + ", n " + n + " at " + i + ": " + simd[i] + " vs " + scalar[i]);
          int row = i / out;
          int col = i % out;
          double want = b[col];
          for (int k = 0; k < in; k++) {
            want += (double) w[col * in + k] * x[row * in + k];
          }
          assertEquals(want, simd[i], 1e-5 * Math.max(1, Math.abs(want)), "n " + n + " at " + i);
        }
      }
    }
  }

  @Test
  void committedModelGivesTheSameVectorsInBothForms() throws IOException {
    Path dir = Path.of(System.getProperty("user.dir")).resolve("../../models/e5-small-tied").normalize();
    Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(RawPhraseModel.MODEL_FILE)), dir + " is absent");
    RawPhraseModel raw = RawPhraseModel.read(dir);
    try (Tokenizer tok = Tokenizer.fromFile(raw.tokenizerFile());
        JavaPhraseModel simd = JavaPhraseModel.of(raw, new Exec(2, true));
        JavaPhraseModel scalar = JavaPhraseModel.of(raw, new Exec(2, false))) {
      PassageEncoder pe = new PassageEncoder(tok, raw.meta().windows());
      String para = "The Normans (Norman: Nourmands; French: Normands; Latin: Normanni) were the people who in the "
          + "10th and 11th centuries gave their name to Normandy, a region in France. They were descended from Norse "
          + "raiders and pirates from Denmark, Iceland and Norway who, under their leader Rollo, agreed to swear "
          + "fealty to King Charles III of West Francia. ";
      // two windows of different lengths in one batch (the scalar form is slow: keep them short)
      List<PassageWindow> windows = new ArrayList<>(pe.encode("Normans", para).windows());
      windows.addAll(pe.encode("Normandy", "Normandy is a region of France.").windows());
      assertEquals(2, windows.size(), "windows");
      Batch p = Batch.ofWindows(windows, tok.padId());
      JavaPhraseModel.Passages a = simd.encodePassages(p.ids(), p.typeIds(), p.mask());
      JavaPhraseModel.Passages b = scalar.encodePassages(p.ids(), p.typeIds(), p.mask());
      assertClose("token vectors", a.tokenVectors(), b.tokenVectors(), 5e-5);
      assertClose("filter logits", a.filterLogits(), b.filterLogits(), 5e-5);

      QuestionEncoder qe = new QuestionEncoder(tok, raw.meta().maxQuestionLength());
      Batch q = Batch.pad(List.of(qe.encode("Who was the leader of the Normans?"), qe.encode("When?")), null,
          tok.padId());
      float[][] qa = simd.encodeQuestions(q.ids(), q.typeIds(), q.mask());
      float[][] qb = scalar.encodeQuestions(q.ids(), q.typeIds(), q.mask());
      assertClose("q_start", qa[0], qb[0], 5e-5);
      assertClose("q_end", qa[1], qb[1], 5e-5);
    }
  }

  private static void assertClose(String what, float[] want, float[] got, double tol) {
    assertEquals(want.length, got.length, what);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      assertTrue(Float.isFinite(got[i]), what + " at " + i + " is " + got[i]);
      worst = Math.max(worst, Math.abs(want[i] - got[i]) / Math.max(1.0, Math.abs(want[i])));
    }
    assertTrue(worst <= tol, what + ": scalar vs SIMD differ by " + worst);
  }

  private static float[] gaussian(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }
}
