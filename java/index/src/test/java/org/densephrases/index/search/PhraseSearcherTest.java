package org.densephrases.index.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.densephrases.kernels.Progress;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.VectorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhraseSearcherTest {
  static final int QUESTIONS = 30;
  static final int L = 10;
  @TempDir static Path tmp;
  static PlantedCorpus corpus;
  static Dump dump;
  static IvfIndex sq8;
  static IvfIndex pq;
  static long[] docTokenBase;

  @BeforeAll
  static void setUp() throws IOException {
    corpus = new PlantedCorpus(21, 1500, 40);
    for (int i = 0; i < QUESTIONS; i++) {
      corpus.plant(2f, 2f, L);
    }
    corpus.write(tmp.resolve("dump"), 10_000);
    dump = Dump.open(tmp.resolve("dump"));
    docTokenBase = new long[corpus.docs.size() + 1];
    for (int d = 0; d < corpus.docs.size(); d++) {
      docTokenBase[d + 1] = docTokenBase[d] + corpus.docs.get(d).numTokens();
    }
    KernelBackend b = Backends.best();
    VectorSource src = VectorSource.ofDump(dump, VectorType.FP16, Float.NEGATIVE_INFINITY);
    new IndexBuilder(IndexSpec.sq8(32), b, Progress.SILENT).build(src, tmp.resolve("sq8.ivf"));
    new IndexBuilder(IndexSpec.pq(32, 8).withTrainSize(8000), b, Progress.SILENT).build(src, tmp.resolve("pq.ivf"));
    sq8 = IvfIndex.open(tmp.resolve("sq8.ivf"));
    pq = IvfIndex.open(tmp.resolve("pq.ivf"));
  }

  @AfterAll
  static void tearDown() {
    sq8.close();
    pq.close();
    dump.close();
  }

  static SearchOptions options() {
    return SearchOptions.defaults().withK(5).withCandidates(64).withNprobe(8).withMaxAnswerLength(L);
  }

  static boolean isPlanted(Answer a, PlantedCorpus.Question q) {
    return a.docId().equals(q.docId()) && a.charStart() == q.charStart() && a.charEnd() == q.charEnd();
  }

  /** Checks every field of the top answer against the planted span. */
  static void assertPlanted(PlantedCorpus.Question q, Answer a) {
    assertEquals(q.answer(), a.text());
    assertEquals(q.docId(), a.docId());
    assertEquals(q.title(), a.title());
    assertEquals(q.doc(), a.doc());
    assertEquals(q.charStart(), a.charStart());
    assertEquals(q.charEnd(), a.charEnd());
    assertEquals(docTokenBase[q.doc()] + q.startToken(), a.startToken());
    assertEquals(docTokenBase[q.doc()] + q.endToken(), a.endToken());
    float[] v = corpus.docs.get(q.doc()).vectors();
    float expected = 0;
    for (int k = 0; k < PlantedCorpus.DIM; k++) {
      expected += q.qStart()[k] * v[q.startToken() * PlantedCorpus.DIM + k]
          + q.qEnd()[k] * v[q.endToken() * PlantedCorpus.DIM + k];
    }
    assertEquals(expected, a.score(), 0.05f, "q_start . v_start + q_end . v_end (about 2 + 2)");
    assertEquals(q.answer(), a.evidence().substring(a.startInEvidence(), a.startInEvidence() + q.answer().length()));
    String text = corpus.docs.get(q.doc()).text();
    assertEquals(a.evidence(), text.substring(a.evidenceStart(), a.evidenceStart() + a.evidence().length()));
  }

  int foundTop1(PhraseSearcher s, SearchOptions o) {
    int found = 0;
    for (PlantedCorpus.Question q : corpus.questions) {
      List<Answer> as = s.search(q.qStart(), q.qEnd(), o);
      if (!as.isEmpty() && isPlanted(as.get(0), q)) {
        assertPlanted(q, as.get(0));
        found++;
      }
    }
    return found;
  }

  @Test
  void exactSearchFindsEveryPlantedAnswerWithItsEvidence() throws IOException {
    assertTrue(dump.shards().size() >= 3, "several shards: " + dump.shards().size());
    try (PhraseSearcher s = PhraseSearcher.exact(dump)) {
      assertTrue(s.isExact());
      assertEquals(QUESTIONS, foundTop1(s, options()));
      assertEquals(QUESTIONS, foundTop1(s, options().withMirror(false)));
      assertEquals(QUESTIONS, foundTop1(s, options().withRescoreType(VectorType.INT8)));
    }
  }

  @Test
  void ivfSearchFindsThePlantedAnswers() throws IOException {
    for (IvfIndex index : new IvfIndex[] {sq8, pq}) {
      try (PhraseSearcher s = PhraseSearcher.ivf(dump, index)) {
        int found = foundTop1(s, options());
        int narrow = foundTop1(s, options().withNprobe(1).withMirror(false));
        System.out.println(index.codec() + ": planted answer at top-1 for " + found + "/" + QUESTIONS
            + " (nprobe 8, mirror), " + narrow + "/" + QUESTIONS + " (nprobe 1, no mirror)");
        assertTrue(found >= QUESTIONS - 1, index.codec() + " found " + found);
        assertTrue(narrow <= found);
      }
    }
  }

  @Test
  void everyBackendGivesTheSameAnswers() throws IOException {
    List<KernelBackend> backends = Backends.available();
    assertTrue(backends.size() >= 2, "at least simd and scalar: " + backends);
    for (boolean exact : new boolean[] {true, false}) {
      List<List<Answer>> reference = null;
      for (KernelBackend b : backends) {
        try (PhraseSearcher s = exact ? PhraseSearcher.exact(dump, b) : PhraseSearcher.ivf(dump, sq8, b)) {
          assertEquals(b, s.backend());
          List<List<Answer>> got = new java.util.ArrayList<>();
          for (PlantedCorpus.Question q : corpus.questions.subList(0, 8)) {
            got.add(s.search(q.qStart(), q.qEnd(), options().withUnit(Unit.PARAGRAPH)));
          }
          if (reference == null) {
            reference = got;
            continue;
          }
          for (int i = 0; i < got.size(); i++) {
            assertEquals(reference.get(i).size(), got.get(i).size());
            for (int j = 0; j < got.get(i).size(); j++) {
              Answer x = reference.get(i).get(j);
              Answer y = got.get(i).get(j);
              assertEquals(x.score(), y.score(), 1e-3f, b.name() + " question " + i + " rank " + j);
              if (Math.abs(x.score() - y.score()) > 1e-5f || j == 0) {
                assertEquals(x.text(), y.text(), b.name() + " question " + i + " rank " + j);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void stageTimesAddUpWithinTheCallAndAccumulate() throws IOException {
    PlantedCorpus.Question q = corpus.questions.get(0);
    try (PhraseSearcher s = PhraseSearcher.ivf(dump, pq)) {
      StageTimes t = new StageTimes();
      long t0 = System.nanoTime();
      Map<Unit, List<List<Answer>>> a = s.search(q.qStart(), q.qEnd(), 1, options(), List.of(Unit.PHRASE), t);
      long wall = System.nanoTime() - t0;
      assertEquals(s.search(q.qStart(), q.qEnd(), options()), a.get(Unit.PHRASE).get(0)); // timing changes nothing
      assertTrue(t.firstStageNanos() > 0 && t.spanNanos() > 0 && t.aggregateNanos() > 0, "every stage ran");
      long sum = t.firstStageNanos() + t.spanNanos() + t.aggregateNanos();
      assertTrue(sum <= wall, sum + " ns of stages within a call of " + wall + " ns");
      long first = t.firstStageNanos();
      s.search(q.qStart(), q.qEnd(), 1, options(), List.of(Unit.PHRASE), t);
      assertTrue(t.firstStageNanos() > first, "a second call adds to the same times");
      t.reset();
      assertEquals(0, t.firstStageNanos() + t.spanNanos() + t.aggregateNanos());
    }
  }

  @Test
  void aBatchAnswersLikeSingleQuestions() throws IOException {
    int n = 7;
    float[] qs = new float[n * PlantedCorpus.DIM];
    float[] qe = new float[n * PlantedCorpus.DIM];
    for (int i = 0; i < n; i++) {
      System.arraycopy(corpus.questions.get(i).qStart(), 0, qs, i * PlantedCorpus.DIM, PlantedCorpus.DIM);
      System.arraycopy(corpus.questions.get(i).qEnd(), 0, qe, i * PlantedCorpus.DIM, PlantedCorpus.DIM);
    }
    try (PhraseSearcher s = PhraseSearcher.ivf(dump, sq8)) {
      List<List<Answer>> batch = s.search(qs, qe, n, options());
      for (int i = 0; i < n; i++) {
        PlantedCorpus.Question q = corpus.questions.get(i);
        assertEquals(s.search(q.qStart(), q.qEnd(), options()), batch.get(i));
      }
    }
  }

  @Test
  void badOptionsAndQueriesAreRefusedNamingTheProblem() throws IOException {
    assertMessage("k", () -> SearchOptions.defaults().withK(0));
    assertMessage("k", () -> SearchOptions.defaults().withK(SearchOptions.MAX_RESULTS + 1));
    assertMessage("candidates", () -> SearchOptions.defaults().withCandidates(0));
    assertMessage("candidates", () -> SearchOptions.defaults().withCandidates(100_000));
    assertMessage("maxAnswerLength", () -> SearchOptions.defaults().withMaxAnswerLength(0));
    assertMessage("maxAnswerLength", () -> SearchOptions.defaults().withMaxAnswerLength(129));
    assertMessage("nprobe", () -> SearchOptions.defaults().withNprobe(0));
    assertMessage("unit", () -> SearchOptions.defaults().withUnit(null));
    assertMessage("unknown unit 'chapter'", () -> Unit.parse("chapter"));
    assertEquals(Unit.SENTENCE, Unit.parse(" Sentence "));
    float[] q = new float[PlantedCorpus.DIM];
    try (PhraseSearcher s = PhraseSearcher.ivf(dump, sq8)) {
      assertMessage("nprobe 33 exceeds the index's 32 lists", () -> s.search(q, q, options().withNprobe(33)));
      assertMessage("qStart", () -> s.search(new float[3], q, options()));
      assertMessage("qEnd", () -> s.search(q, new float[PlantedCorpus.DIM + 1], options()));
      float[] nan = q.clone();
      nan[4] = Float.NaN;
      assertMessage("not finite", () -> s.search(nan, q, options()));
      assertMessage("numQuestions", () -> s.search(q, q, 0, options()));
    }
    PhraseSearcher closed = PhraseSearcher.exact(dump);
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.search(q, q, options()));
  }

  static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage().contains(part), "'" + x.getMessage() + "' should mention '" + part + "'");
  }

  @Test
  void candidatesBeyondTheDumpAreFine() throws IOException {
    try (PhraseSearcher s = PhraseSearcher.exact(dump)) {
      PlantedCorpus.Question q = corpus.questions.get(0);
      List<Answer> as = s.search(q.qStart(), q.qEnd(), options().withCandidates(2048).withK(1000)
          .withUnit(Unit.PARAGRAPH));
      assertPlanted(q, as.get(0));
      assertTrue(as.size() > 500, "many paragraphs: " + as.size());
      for (int i = 1; i < as.size(); i++) {
        assertTrue(as.get(i - 1).score() >= as.get(i).score(), "descending");
      }
    }
  }

  @Test
  void answersNeverCrossDocumentsOrExceedL() throws IOException {
    try (PhraseSearcher s = PhraseSearcher.ivf(dump, sq8)) {
      for (int len : new int[] {1, 3}) {
        PlantedCorpus.Question q = corpus.questions.get(1);
        for (Answer a : s.search(q.qStart(), q.qEnd(), options().withMaxAnswerLength(len).withK(50))) {
          var shard = dump.shardOfToken(a.startToken());
          assertEquals(shard.docOfToken(a.startToken() - shard.tokenBase()),
              shard.docOfToken(a.endToken() - shard.tokenBase()));
          assertTrue(a.endToken() >= a.startToken() && a.endToken() - a.startToken() < len,
              "span " + a.startToken() + ".." + a.endToken() + " with L = " + len);
        }
      }
    }
  }
}
