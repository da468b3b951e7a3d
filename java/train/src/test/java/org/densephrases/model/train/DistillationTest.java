package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;
import org.densephrases.kernels.Backends;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.teacher.CrossEncoderTeacher;
import org.densephrases.model.teacher.TeacherTrainer;
import org.densephrases.model.text.SquadExamples;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distillation path end to end on tiny models: teacher trains, its logits are cached on disk at the student's
 * window positions, read back, and the student trains with a non-zero KL term; the KL term itself against a direct
 * computation.
 */
class DistillationTest {
  @TempDir Path tmp;

  @Test
  void teacherTrainsCachesLogitsAndTheStudentDistils() throws IOException {
    Path train = TinyRuns.squadFile(tmp);
    TrainConfig c = TinyRuns.config(train);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path cache = tmp.resolve("teacher-logits.bin");
    try (TeacherTrainer t = new TeacherTrainer(c, tmp.resolve("teacher"), new PrintStream(log),
        () -> new CrossEncoderTeacher(new BertEncoderBlock(TinyRuns.TINY, 0.1f)),
        Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource()))) {
      SquadExamples.Result ex = t.examples(SquadReader.read(train));
      t.train(ex, 3);
      assertEquals(3, t.step());
      java.util.List<String> rows = java.nio.file.Files.readAllLines(tmp.resolve("teacher").resolve(LossLog.FILE));
      assertEquals(LossLog.TEACHER_HEADER, rows.getFirst());
      assertEquals(4, rows.size(), rows.toString());
      assertTrue(rows.get(3).startsWith("3,"), rows.toString());
      assertTrue(java.nio.file.Files.size(tmp.resolve("teacher").resolve("loss-curve.png")) > 1000);
      t.logits(ex, "tiny-teacher").write(cache);
      var metrics = t.evaluate(SquadReader.read(train), 10);
      assertEquals(ex.examples().size(), metrics.questions());
      // batching (question, window) rows changes padding only, never the answers
      var one = t.predictions(SquadReader.read(train), 10, 1);
      assertEquals(ex.examples().size(), one.size());
      assertEquals(one, t.predictions(SquadReader.read(train), 10, 3));
      assertEquals(one, t.predictions(SquadReader.read(train), 10, 64));
    }
    TeacherLogits read = TeacherLogits.read(cache);
    assertEquals("tiny-teacher", read.teacherId());
    assertEquals(20, read.size());

    c.teacherLogits = cache.toString();
    ByteArrayOutputStream slog = new ByteArrayOutputStream();
    try (Trainer s = new Trainer(c, tmp.resolve("student"), new PrintStream(slog), () -> TinyRuns.tinyModel(c),
        Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource()))) {
      s.train(2);
    }
    String out = slog.toString();
    assertTrue(out.contains("teacher logits: 20 questions"), out);
    assertTrue(java.util.regex.Pattern.compile("kl [0-9]").matcher(out).find(), out);
  }

  @Test
  void klTermMatchesADirectComputation() {
    int b = 1;
    int t = 5;
    int h = 4;
    Random r = new Random(9);
    float[] tok = PhraseObjectiveTest.randn(r, b * t * h, 1f);
    float[] qs = PhraseObjectiveTest.randn(r, h, 1f);
    float[] qe = PhraseObjectiveTest.randn(r, h, 1f);
    float[][] ctx = {{0, 1, 1, 1, 0}};
    float[][] ts = {{0, 0.5f, -1f, 2f, 0}};
    float[][] te = {{0, 1f, 1f, -3f, 0}};
    var labels = new PhraseObjective.Labels(new int[] {0}, new int[] {1}, new int[] {2}, ctx, ts, te);
    var obj = new PhraseObjective(Backends.byName("scalar").negativeLoss(), new PhraseObjective.Weights(0, 1, 0, 0));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      var terms = obj.compute(nd, nd.create(tok, new Shape(b, t, h)), nd.create(new float[b * t * 2],
          new Shape(b, t, 2)), nd.create(qs, new Shape(1, h)), nd.create(qe, new Shape(1, h)), labels, null, 0, null);
      double kl = (kl(ts[0], tok, qs, ctx[0], t, h) + kl(te[0], tok, qe, ctx[0], t, h)) / 2;
      assertEquals(kl, terms.distill(), 1e-5);
      assertEquals(1, terms.distilled());
    }
  }

  private static double kl(float[] teacher, float[] tok, float[] q, float[] ctx, int t, int h) {
    double[] s = new double[t];
    double zs = 0;
    double zt = 0;
    for (int i = 0; i < t; i++) {
      for (int d = 0; d < h; d++) {
        s[i] += (double) tok[i * h + d] * q[d];
      }
      if (ctx[i] > 0) {
        zs += Math.exp(s[i]);
        zt += Math.exp(teacher[i]);
      }
    }
    double kl = 0;
    for (int i = 0; i < t; i++) {
      if (ctx[i] > 0) {
        double pt = Math.exp(teacher[i]) / zt;
        double ps = Math.exp(s[i]) / zs;
        kl += pt * Math.log(pt / ps);
      }
    }
    return kl;
  }
}
