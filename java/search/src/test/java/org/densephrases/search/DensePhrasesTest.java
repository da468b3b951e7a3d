package org.densephrases.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library API over a tiny dump made with the committed model: answers, batches, threads, errors, no DJL. */
class DensePhrasesTest {
  @TempDir static Path tmp;
  static Path dump;
  static DensePhrases dp;

  @BeforeAll
  static void open() throws Exception {
    dump = TinyCorpus.build(tmp.resolve("dump"));
    dp = DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).index("sq8").k(3).encoderThreads(2).open();
  }

  @AfterAll
  static void close() {
    if (dp != null) {
      dp.close();
    }
  }

  @Test
  void answersWithTheirEvidence() throws Exception {
    SearchResult r = dp.search("  Who created the Python programming language?  ");
    assertEquals("Who created the Python programming language?", r.question());
    assertFalse(r.answers().isEmpty());
    assertTrue(r.answers().size() <= 3);
    Answer a = r.answers().get(0);
    assertEquals("p-python", a.docId(), "top answer: " + a);
    assertTrue(a.text().contains("Guido van Rossum"), a.text());
    String text = TinyCorpus.PARAGRAPHS.stream().filter(p -> p.id().equals(a.docId())).findFirst().orElseThrow()
        .text();
    assertEquals(a.text(), text.substring(a.charStart(), a.charEnd()));
    assertTrue(a.evidence().contains(a.text()));
    assertEquals(1, r.batchSize());
    assertTrue(r.encodeMs() > 0 && r.searchMs() > 0);
    assertEquals(5, dp.documents());
    assertEquals(org.densephrases.model.export.RawPhraseModel.readModelId(TinyCorpus.MODEL), dp.modelId());
    assertEquals(4, dp.defaults().nprobe(), "nprobe 64 is capped at the index's 4 lists");
    for (int i = 1; i < r.answers().size(); i++) {
      assertTrue(r.answers().get(i - 1).score() >= r.answers().get(i).score());
    }
  }

  @Test
  void aBatchGivesWhatSingleSearchesGive() throws Exception {
    List<String> qs = List.of("When was the Eiffel Tower completed?", "Who first walked on the Moon?",
        "What museum holds the Mona Lisa?");
    List<SearchResult> batch = dp.searchBatch(qs);
    assertEquals(3, batch.size());
    for (int i = 0; i < qs.size(); i++) {
      SearchResult one = dp.search(qs.get(i));
      assertEquals(qs.get(i), batch.get(i).question());
      assertEquals(3, batch.get(i).batchSize());
      assertEquals(texts(one.answers()), texts(batch.get(i).answers()));
      for (int j = 0; j < one.answers().size(); j++) {
        assertEquals(one.answers().get(j).score(), batch.get(i).answers().get(j).score(), 1e-3f);
      }
    }
  }

  @Test
  void optionsPerCall() throws Exception {
    SearchOptions o = dp.defaults().withUnit(Unit.PARAGRAPH).withK(5);
    SearchResult r = dp.search("Who reached the summit of Mount Everest?", o);
    assertEquals(5, r.answers().size(), "one answer per paragraph");
    assertEquals(5, r.answers().stream().map(Answer::docId).distinct().count());
    assertTrue(r.answers().stream().allMatch(a -> a.unit() == Unit.PARAGRAPH));
    SearchOptions all = dp.defaults().withK(20).withDistinct(false);
    SearchOptions distinct = dp.defaults().withK(20);
    List<Answer> many = dp.search("Who reached the summit of Mount Everest?", all).answers();
    List<Answer> few = dp.search("Who reached the summit of Mount Everest?", distinct).answers();
    assertEquals(many.get(0).text(), few.get(0).text());
    for (int i = 0; i < few.size(); i++) {
      for (int j = 0; j < i; j++) {
        Answer x = few.get(i);
        Answer y = few.get(j);
        assertTrue(x.doc() != y.doc() || x.charEnd() <= y.charStart() || y.charEnd() <= x.charStart(),
            x.text() + " / " + y.text());
      }
    }
  }

  @Test
  void concurrentSearchesAgreeWithSerialOnes() throws Exception {
    List<String> qs = List.of("When was Python first released?", "What is the capital of France?",
        "When did the Louvre open?", "What is Earth's highest mountain?");
    List<List<String>> serial = new ArrayList<>();
    for (String q : qs) {
      serial.add(texts(dp.search(q).answers()));
    }
    ExecutorService ex = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> fs = new ArrayList<>();
      for (int rep = 0; rep < 3; rep++) {
        for (String q : qs) {
          fs.add(ex.submit(() -> texts(dp.search(q).answers())));
        }
      }
      for (int i = 0; i < fs.size(); i++) {
        assertEquals(serial.get(i % qs.size()), fs.get(i).get());
      }
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void errorsSayWhatIsWrong() throws Exception {
    assertMessage(() -> dp.search("   "), "question 1 of 1: the question is empty");
    assertMessage(() -> dp.search("x".repeat(600)), "at most 512");
    assertMessage(() -> dp.searchBatch(List.of()), "no questions");
    assertMessage(() -> dp.search("q?", dp.defaults().withNprobe(9)), "nprobe 9 exceeds the index's 4 lists");
    Path missing = tmp.resolve("no-such-dump");
    assertMessage(() -> DensePhrases.open(TinyCorpus.MODEL, missing, "sq8"), missing + ": dump directory not found");
    assertMessage(() -> DensePhrases.open(TinyCorpus.MODEL, dump, "hnsw"), "unknown index 'hnsw'");
    assertMessage(() -> DensePhrases.open(TinyCorpus.MODEL, dump, "pq"), "ivf-pq.idx: index not found");
    assertMessage(() -> DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).k(0).open(),
        "k must be in [1, 1000], got 0");
    assertMessage(() -> DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).nprobe(5).open(),
        "nprobe 5 exceeds the index's 4 lists");
    assertMessage(() -> DensePhrases.builder().dump(dump).open(), "no model directory given");
    assertMessage(() -> DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).backend("tpu").open(), "tpu");
    assertMessage(() -> DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).questionEncoder("tpu").open(),
        "question encoder 'tpu': use auto, cuda or java");
    if (!cudaHere()) {
      assertMessage(() -> DensePhrases.builder().model(TinyCorpus.MODEL).dump(dump).questionEncoder("cuda").open(),
          "question encoder cuda cannot run here");
      assertTrue(dp.questionEncoder() instanceof JavaQuestionEncoder, "auto without CUDA: the Java engine");
    }
    Path notAModel = Files.createDirectories(tmp.resolve("not-a-model"));
    DensePhrasesException e = assertThrows(DensePhrasesException.class,
        () -> DensePhrases.open(notAModel, dump, "sq8"));
    assertTrue(e.getMessage().contains("not-a-model"), e.getMessage());
    DensePhrases other = DensePhrases.open(TinyCorpus.MODEL, dump, "exact");
    other.close();
    other.close(); // idempotent
    assertMessage(() -> other.search("q?"), "closed");
  }

  @Test
  void noDjlOnTheClassPath() throws Exception {
    // This module excludes every DJL artifact: the searches above ran without it, and it cannot be loaded.
    assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.ndarray.NDArray"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.engine.Engine"));
    assertFalse(dp.search("What is the capital of France?").answers().isEmpty());
  }

  static boolean cudaHere() {
    try {
      org.densephrases.kernels.Backends.byName("cuda");
      return true;
    } catch (org.densephrases.kernels.UnsupportedBackendException e) {
      return false;
    }
  }

  interface Call {
    void run() throws Exception;
  }

  static void assertMessage(Call c, String part) {
    DensePhrasesException e = assertThrows(DensePhrasesException.class, c::run);
    assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
  }

  static List<String> texts(List<Answer> a) {
    return a.stream().map(Answer::text).toList();
  }
}
