package org.densephrases.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.UnsupportedBackendException;
import org.densephrases.kernels.cuda.CudaBackend;
import org.densephrases.model.export.PhraseModelMeta;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.infer.JavaPhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA question encoder against the pure-Java one on the committed model (e5-small, 12 layers, shared layout):
 * the same vectors within {@link #TOL} of the largest magnitude (both are float32; only summation orders differ), for
 * single questions and batches with padding, and the same top answers over the tiny dump; plus the paper layout (two
 * question encoders) built from the same weights. Skipped without a GPU, except when the run demands CUDA
 * ({@code -Ddensephrases.backend=cuda} or {@code -Ddensephrases.requireCuda=true}, as tools/gpu-java-tests.sh does):
 * then a missing backend fails.
 */
class CudaQuestionEncoderTest {
  /** Largest |cuda - java| of q_start / q_end, relative to max(1, largest |java|). */
  static final double TOL = 1e-3;

  static final List<String> QUESTIONS = List.of(
      "Who created the Python programming language?",
      "When was the Eiffel Tower completed?",
      "What is the capital of France?",
      "Who was the first person to walk on the Moon?",
      "When did Neil Armstrong walk on the Moon?",
      "What is Earth's only natural satellite?",
      "Which is Earth's highest mountain above sea level?",
      "Who first reached the summit of Mount Everest?",
      "When was Mount Everest first climbed?",
      "Which museum is the world's most visited?",
      "When did the Louvre open?",
      "Which painting does the Louvre hold?",
      "When was Python first released?",
      "Paris?",
      "who",
      "In which city is the most-visited museum of the world, the one that holds the Mona Lisa and opened in 1793?",
      "What year was the World's Fair for which the tower in the most populous city of France was completed?",
      "Mount Everest Tenzing Norgay Edmund Hillary 1953 summit sea level highest mountain Earth Nepal Tibet Himalaya"
          + " expedition climbers oxygen base camp Khumbu icefall south col north ridge Sherpa guides weather window"
          + " altitude sickness death zone first ascent records oxygen cylinders ladders crevasses seracs avalanche"
          + " 1996 disaster storms jet stream permits fees rubbish ropes fixed lines camps",
      "Guido van Rossum?",
      "What did Neil Armstrong do in July 1969?");

  static boolean cudaRequired() {
    return "cuda".equalsIgnoreCase(System.getProperty(Backends.PROPERTY))
        || Boolean.getBoolean("densephrases.requireCuda");
  }

  /** The CUDA backend is usable here, or the test skips (fails when the run demands CUDA). */
  static void requireCuda() {
    try {
      CudaBackend.create();
    } catch (UnsupportedBackendException e) {
      if (cudaRequired()) {
        throw new AssertionError("CUDA is required in this run but unavailable: " + e.getMessage(), e);
      }
      Assumptions.abort("no CUDA backend here: " + e.getMessage());
    }
  }

  /** max |a - b| over both sides, relative to max(1, max |a|). */
  static double relDiff(float[][] a, float[][] b) {
    double diff = 0;
    double mag = 1;
    for (int side = 0; side < 2; side++) {
      assertEquals(a[side].length, b[side].length);
      for (int i = 0; i < a[side].length; i++) {
        diff = Math.max(diff, Math.abs(a[side][i] - b[side][i]));
        mag = Math.max(mag, Math.abs(a[side][i]));
      }
    }
    return diff / mag;
  }

  @Test
  void vectorsMatchTheJavaEncoder() throws Exception {
    requireCuda();
    try (JavaQuestionEncoder j = JavaQuestionEncoder.load(TinyCorpus.MODEL, 2);
        CudaQuestionEncoder c = CudaQuestionEncoder.load(TinyCorpus.MODEL)) {
      assertEquals(j.modelId(), c.modelId());
      assertEquals(j.questionModelId(), c.questionModelId());
      assertEquals(j.dim(), c.dim());
      assertEquals(j.maxQuestionTokens(), c.maxQuestionTokens());
      assertTrue(c.questionTokens(QUESTIONS.get(17)) > c.maxQuestionTokens(), "one question is cut");
      for (int batch : new int[] {1, 3, 64}) {
        float[][] want = j.encode(QUESTIONS, batch);
        float[][] got = c.encode(QUESTIONS, batch);
        double d = relDiff(want, got);
        System.out.printf(Locale.ROOT, "batches of %d: max |cuda - java| / max(1, |java|) = %.2e%n", batch, d);
        assertTrue(d <= TOL, "batches of " + batch + ": relative difference " + d);
      }
      float[][] one = c.encode(List.of(QUESTIONS.get(0)), 1);
      float[][] again = c.encode(List.of(QUESTIONS.get(0)), 1);
      assertEquals(0.0, relDiff(one, again), "the same question twice: the same vectors");
      assertThrows(IllegalArgumentException.class, () -> c.encode(QUESTIONS, 0));
    }
  }

  @Test
  void topAnswersMatchTheJavaEncoder(@TempDir Path tmp) throws Exception {
    requireCuda();
    Path dump = TinyCorpus.build(tmp.resolve("dump"));
    SearchOptions o = SearchOptions.defaults().withK(5);
    try (SearchSession js = SearchSession.builder().dump(dump).index("exact").model(TinyCorpus.MODEL, 2).open();
        SearchSession cs = SearchSession.builder().dump(dump).index("exact")
            .encoder(() -> CudaQuestionEncoder.load(TinyCorpus.MODEL)).open()) {
      List<List<Answer>> want = js.search(QUESTIONS, o);
      List<List<Answer>> got = cs.search(QUESTIONS, o);
      for (int i = 0; i < QUESTIONS.size(); i++) {
        assertFalse(want.get(i).isEmpty(), QUESTIONS.get(i));
        Answer a = want.get(i).get(0);
        Answer b = got.get(i).get(0);
        String q = QUESTIONS.get(i);
        assertEquals(a.docId(), b.docId(), q);
        assertEquals(a.text(), b.text(), q);
        assertEquals(a.charStart(), b.charStart(), q);
        assertEquals(a.score(), b.score(), 1e-2 * Math.max(1, Math.abs(a.score())), q);
      }
    }
  }

  /** The library facade encodes on the GPU by default where CUDA runs, and on the CPU when asked. */
  @Test
  void theFacadeEncodesOnTheGpuByDefault(@TempDir Path tmp) throws Exception {
    requireCuda();
    Path dump = TinyCorpus.build(tmp.resolve("dump"));
    try (DensePhrases gpu = DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).index("exact").open();
        DensePhrases cpu = DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).index("exact")
            .questionEncoder("java").open()) {
      assertTrue(gpu.questionEncoder() instanceof CudaQuestionEncoder, gpu.questionEncoder().getClass().getName());
      assertTrue(cpu.questionEncoder() instanceof JavaQuestionEncoder, cpu.questionEncoder().getClass().getName());
      assertEquals(cpu.search(QUESTIONS.get(0)).answers().get(0).text(),
          gpu.search(QUESTIONS.get(0)).answers().get(0).text());
    }
  }

  /** The paper layout (two question encoders, [CLS] outputs), made from the committed weights. */
  @Test
  void paperLayoutMatchesTheJavaEngine() throws Exception {
    requireCuda();
    RawPhraseModel tied = RawPhraseModel.read(TinyCorpus.MODEL);
    Map<String, float[]> t = new LinkedHashMap<>();
    Map<String, long[]> s = new LinkedHashMap<>();
    for (String k : tied.tensors().keySet()) {
      if (k.startsWith("phrase.") || k.startsWith("filter.")) {
        t.put(k, tied.tensors().get(k));
        s.put(k, tied.shapes().get(k));
      } else if (k.startsWith("question.")) {
        // question_start: the question encoder; question_end: the phrase encoder (another BERT of the same shape)
        String rest = k.substring("question.".length());
        t.put("question_start." + rest, tied.tensors().get(k));
        s.put("question_start." + rest, tied.shapes().get(k));
        t.put("question_end." + rest, tied.tensors().get("phrase." + rest));
        s.put("question_end." + rest, tied.shapes().get("phrase." + rest));
      }
    }
    PhraseModelMeta m = tied.meta();
    RawPhraseModel paper = new RawPhraseModel(tied.file(), tied.modelId(), tied.dtype(), new PhraseModelMeta(
        m.baseModel(), "paper", m.bert(), m.maxLength(), m.stride(), m.maxTitleTokens(), m.maxQuestionLength(),
        m.trainedSteps(), m.recipe(), null), t, s);
    assertFalse(paper.meta().isShared());
    Tokenizer tok = Tokenizer.fromFile(paper.tokenizerFile());
    try (JavaPhraseModel j = JavaPhraseModel.of(paper, 2); CudaQuestionEncoder c = CudaQuestionEncoder.of(paper, tok)) {
      org.densephrases.model.text.QuestionEncoder qe = new org.densephrases.model.text.QuestionEncoder(tok,
          c.maxQuestionTokens());
      float[][] want = qe.encodeAll(QUESTIONS, 5, j.hiddenSize(),
          (Batch b) -> j.encodeQuestions(b.ids(), b.typeIds(), b.mask()));
      float[][] got = c.encode(QUESTIONS, 5);
      double d = relDiff(want, got);
      System.out.printf(Locale.ROOT, "paper layout: max |cuda - java| / max(1, |java|) = %.2e%n", d);
      assertTrue(d <= TOL, "relative difference " + d);
    }
  }

  @Test
  void withoutCudaTheErrorSaysWhy() {
    try {
      CudaBackend.create();
      Assumptions.abort("CUDA is available here");
    } catch (UnsupportedBackendException e) {
      UnsupportedBackendException u = assertThrows(UnsupportedBackendException.class,
          () -> CudaQuestionEncoder.load(TinyCorpus.MODEL).close());
      assertFalse(u.getMessage().isBlank());
    }
  }
}
