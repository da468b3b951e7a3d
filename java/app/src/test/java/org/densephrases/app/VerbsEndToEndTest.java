package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.encode.QuestionVectors;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;

import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.encode.EncodedDocument;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import org.densephrases.model.eval.SquadPredictions;
import org.densephrases.model.export.ModelSources;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.onnx.Resources;
import org.densephrases.search.SearchSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb end to end on a tiny corpus written here (four paragraphs, one long enough for several windows), with
 * the pretrained MiniLM (untrained heads: answers are not checked for correctness, only for consistency), and every
 * bad input: one clear line on stderr, exit code 2, no answer printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerbsEndToEndTest {
  @TempDir static Path tmp;
  Path corpus;
  Path dev;
  Path dump;

  record Run(int rc, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  static String longText() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append("In year ").append(1800 + i).append(" the river town of Millbrook built bridge number ").append(i)
          .append(" across the Green River. ");
    }
    return sb.toString().strip();
  }

  static List<CorpusParagraph> paragraphs() {
    return List.of(
        new CorpusParagraph("p-paris", "Paris", "Paris is the capital and most populous city of France. The Eiffel"
            + " Tower was completed in 1889 for the World's Fair."),
        new CorpusParagraph("p-moon", "Moon", "The Moon is Earth's only natural satellite. Neil Armstrong was the"
            + " first person to walk on the Moon, in July 1969."),
        new CorpusParagraph("p-python", "Python (programming language)", "Python is a programming language created"
            + " by Guido van Rossum and first released in 1991."),
        new CorpusParagraph("p-bridges", "Millbrook", longText()));
  }

  static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @BeforeAll
  void buildDumpAndIndexes() throws IOException {
    corpus = tmp.resolve("corpus.jsonl");
    StringBuilder sb = new StringBuilder();
    for (CorpusParagraph p : paragraphs()) {
      sb.append("{\"id\": ").append(json(p.id())).append(", \"title\": ").append(json(p.title()))
          .append(", \"text\": ").append(json(p.text())).append("}\n");
    }
    Files.writeString(corpus, sb, StandardCharsets.UTF_8);
    dev = tmp.resolve("dev.json");
    Files.writeString(dev, "{\"version\": \"1.1\", \"data\": [{\"title\": \"Paris\", \"paragraphs\": [{\"context\": "
        + json(paragraphs().get(0).text()) + ", \"qas\": [{\"id\": \"q1\", \"question\": \"When was the Eiffel Tower"
        + " completed?\", \"answers\": [{\"text\": \"1889\", \"answer_start\": "
        + paragraphs().get(0).text().indexOf("1889") + "}]}, {\"id\": \"q2\", \"question\":"
        + " \"What is the capital of France?\", \"answers\": [{\"text\": \"Paris\", \"answer_start\": 0}]}]}]},"
        + " {\"title\": \"Moon\", \"paragraphs\": [{\"context\": " + json(paragraphs().get(1).text()) + ", \"qas\":"
        + " [{\"id\": \"q3\", \"question\": \"Who first walked on the Moon?\", \"answers\": [{\"text\": \"Neil"
        + " Armstrong\", \"answer_start\": " + paragraphs().get(1).text().indexOf("Neil") + "}]}]}]}]}",
        StandardCharsets.UTF_8);
    dump = tmp.resolve("dump");
    Run d = run("dump", "--corpus", corpus.toString(), "--out", dump.toString(), "--batch", "4",
        "--tokens-per-shard", "150");
    assertEquals(0, d.rc(), d.out() + d.err());
    assertTrue(d.out().contains("4 paragraphs in, 4 stored"), d.out());
    assertTrue(d.out().contains("100.0% kept by the filter"), d.out());
    assertTrue(d.out().contains("tokens/s"), d.out());
    Run i = run("index", "--dump", dump.toString(), "--nlist", "4", "--m", "48", "--train-size", "400",
        "--recall-queries", "10", "--nprobe", "1,4");
    assertEquals(0, i.rc(), i.out() + i.err());
    assertTrue(i.out().contains("bytes per phrase"), i.out());
    assertTrue(i.out().contains("recall@"), i.out());
    assertTrue(Files.exists(dump.resolve("ivf-sq8.idx")) && Files.exists(dump.resolve("ivf-pq.idx")));
  }

  @Test
  void dumpIsReusedAndIndexesToo() {
    Run d = run("dump", "--corpus", corpus.toString(), "--out", dump.toString());
    assertEquals(0, d.rc(), d.err());
    assertTrue(d.out().contains("already complete"), d.out());
    Run i = run("index", "--dump", dump.toString(), "--nlist", "4", "--m", "48");
    assertEquals(0, i.rc(), i.err());
    assertTrue(i.out().contains("reusing"), i.out());
  }

  @Test
  void longParagraphGetsOneVectorPerTokenFromItsWindows() throws IOException {
    try (PhraseEncoder m = EncoderModel.load("all-minilm-l6-v2")) {
      CorpusParagraph p = paragraphs().get(3);
      EncodedDocument d = m.encodeDocuments(List.of(p), 4).get(0);
      assertTrue(d.numTokens() > m.windows().maxLength(), "the paragraph must need several windows");
      for (int t = 0; t < d.numTokens(); t++) {
        double norm = 0;
        for (int k = 0; k < m.dim(); k++) {
          norm += d.vectors()[t * m.dim() + k] * d.vectors()[t * m.dim() + k];
        }
        assertTrue(norm > 0, "token " + t + " got no vector");
        assertTrue(d.charStart()[t] < d.charEnd()[t] && d.charEnd()[t] <= p.text().length());
      }
    }
  }

  @Test
  void searchPrintsAnswersWithEvidenceOnEveryIndex() {
    for (String index : List.of("exact", "sq8", "pq")) {
      Run r = run("search", "--dump", dump.toString(), "--index", index, "--nprobe", "4", "-k", "3",
          "When was the Eiffel Tower completed?");
      assertEquals(0, r.rc(), r.err());
      assertTrue(r.out().contains("Q: When was the Eiffel Tower completed?"), r.out());
      assertTrue(r.out().contains(" 1. ") && r.out().contains("[[") && r.out().contains("[doc p-"), r.out());
      assertTrue(r.out().contains("(" + index + " search"), r.out());
    }
    Run u = run("search", "--dump", dump.toString(), "--index", "exact", "--unit", "document", "-k", "10",
        "Who walked on the Moon?");
    assertEquals(0, u.rc(), u.err());
    assertFalse(u.out().contains(" 5. "), "4 titles give at most 4 documents: " + u.out());
  }

  @Test
  void answersPointIntoTheirDocuments() throws IOException {
    try (SearchSession s = Sessions.open(dump, "all-minilm-l6-v2", new EncoderOptions(), "exact", "auto",
        SearchOptions.defaults(), null)) {
      for (Unit u : Unit.values()) {
        List<Answer> as = s.search(List.of("Who created Python?"), SearchOptions.defaults().withUnit(u).withK(20))
            .get(0);
        assertFalse(as.isEmpty());
        for (Answer a : as) {
          CorpusParagraph p = paragraphs().stream().filter(x -> x.id().equals(a.docId())).findFirst().orElseThrow();
          assertEquals(p.title(), a.title());
          assertEquals(p.text().substring(a.charStart(), a.charEnd()), a.text());
          assertTrue(a.evidence().contains(a.text()), a.evidence() + " / " + a.text());
        }
      }
    }
  }

  @Test
  void evalOpenWritesTheTableAndReusesQuestionVectors() throws IOException {
    Path predictions = tmp.resolve("predictions");
    Path table = tmp.resolve("open.md");
    Path qv = tmp.resolve("q.dpq");
    Run r = run("eval-open", "--dev", dev.toString(), "--corpus", corpus.toString(), "--dump", dump.toString(),
        "--nprobe", "4", "--out", table.toString(), "--write-question-vectors", qv.toString(), "--predictions",
        predictions.toString(), "--jsonl-k", "4");
    assertEquals(0, r.rc(), r.err());
    String md = Files.readString(table);
    assertTrue(md.contains("| exact (flat FP16) |") && md.contains("| IVF-SQ8 |") && md.contains("| IVF-PQ |"), md);
    assertTrue(md.contains("questions: 3 of"), md);
    QuestionVectors v = QuestionVectors.read(qv, "all-minilm-l6-v2+untrained-heads");
    assertEquals(List.of("q1", "q2", "q3"), v.ids());
    // predictions.json in the official SQuAD v1.1 format and the top-k JSONL, per index row
    for (String ix : List.of("exact", "sq8", "pq")) {
      String name = ix + "-" + org.densephrases.kernels.Backends.best().name();
      Map<String, String> preds = SquadPredictions.read(predictions.resolve("predictions-" + name + ".json"));
      assertEquals(List.of("q1", "q2", "q3"), List.copyOf(preds.keySet()));
      List<String> lines = Files.readAllLines(predictions.resolve("topk-" + name + ".jsonl"));
      assertEquals(3, lines.size());
      for (int i = 0; i < 3; i++) {
        JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
        assertEquals("q" + (i + 1), o.get("id").getAsString());
        assertFalse(o.get("question").getAsString().isEmpty());
        assertFalse(o.getAsJsonArray("gold").isEmpty());
        JsonArray answers = o.getAsJsonArray("answers");
        assertTrue(answers.size() >= 1 && answers.size() <= 4, lines.get(i));
        assertEquals(preds.get("q" + (i + 1)), answers.get(0).getAsJsonObject().get("text").getAsString(),
            "the prediction is the top phrase");
        float last = Float.POSITIVE_INFINITY;
        for (int j = 0; j < answers.size(); j++) {
          JsonObject a = answers.get(j).getAsJsonObject();
          assertEquals(j + 1, a.get("rank").getAsInt());
          float score = a.get("score").getAsFloat();
          assertTrue(score <= last);
          last = score;
          CorpusParagraph p = paragraphs().stream().filter(x -> x.id().equals(a.get("doc_id").getAsString()))
              .findFirst().orElseThrow();
          assertEquals(p.text().substring(a.get("char_start").getAsInt(), a.get("char_end").getAsInt()),
              a.get("text").getAsString());
          assertTrue(a.getAsJsonObject("evidence").get("text").getAsString().contains(a.get("text").getAsString()));
        }
      }
    }
    Path table2 = tmp.resolve("open2.md");
    Run r2 = run("eval-open", "--dev", dev.toString(), "--corpus", corpus.toString(), "--dump", dump.toString(),
        "--index", "exact", "--question-vectors", qv.toString(), "--out", table2.toString(), "--limit", "2",
        "--predictions", tmp.resolve("predictions2").toString());
    assertEquals(0, r2.rc(), r2.err());
    assertTrue(r2.out().contains("read from"), r2.out());
    // The same vectors give the same exact-search accuracy columns as the first run's exact row (latency differs).
    assertTrue(Files.readString(table2).contains("questions: 2 of"));
  }

  @Test
  void trainedModelExportIsUsedAndRecordedInTheDump() throws IOException {
    // An export written by java/model (here: the untrained shared layout; any trained model is the same file format).
    Path modelDir = tmp.resolve("model");
    try (PhraseModelFile.Loaded l = ModelSources.pretrained("all-minilm-l6-v2", "shared");
        java.io.InputStream tok = Resources.open(PretrainedModels.MINILM_L6.tokenizerResource())) {
      PhraseModelFile.write(l.model(), "test-export-1", l.meta(), PhraseModelFile.Dtype.FP16, tok.readAllBytes(),
          modelDir);
    }
    Path d = tmp.resolve("export-dump");
    Run r = run("dump", "--corpus", corpus.toString(), "--out", d.toString(), "--limit", "2", "--model",
        modelDir.toString());
    assertEquals(0, r.rc(), r.err());
    assertTrue(r.out().contains("model test-export-1"), r.out());
    assertTrue(r.out().contains("java encoder"), "an export is encoded by the java engine by default: " + r.out());
    Run s = run("search", "--dump", d.toString(), "--index", "exact", "--model", modelDir.toString(), "-k", "1",
        "Where is the Eiffel Tower?");
    assertEquals(0, s.rc(), s.err());
    assertTrue(s.out().contains(" 1. "), s.out());
    // the pretrained question encoder does not match the export's dump, nor the export the pretrained dump
    assertUserError(run("search", "--dump", d.toString(), "--index", "exact", "q?"), "model id");
    assertUserError(run("search", "--dump", dump.toString(), "--model", modelDir.toString(), "q?"), "model id");
  }

  // ---- bad input: one line, exit code 2, no answers

  static void assertUserError(Run r, String expected) {
    assertEquals(2, r.rc(), r.out() + r.err());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.out().contains(" 1. "), "no answer may be printed: " + r.out());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void badQuestionsAndOptions() {
    String d = dump.toString();
    assertUserError(run("search", "--dump", d, "   "), "the question is empty");
    assertUserError(run("search", "--dump", d, "why ".repeat(200)), "at most 512");
    assertUserError(run("search", "--dump", d, "--unit", "chapter", "q?"), "unknown unit 'chapter'");
    assertUserError(run("search", "--dump", d, "-k", "0", "q?"), "--k must be in [1, 1000]");
    assertUserError(run("search", "--dump", d, "-k", "1001", "q?"), "--k must be in [1, 1000]");
    assertUserError(run("search", "--dump", d, "--index", "hnsw", "q?"), "unknown index 'hnsw'");
    assertUserError(run("search", "--dump", d, "--nprobe", "0", "q?"), "--nprobe");
    assertUserError(run("search", "--dump", d, "--max-answer-length", "0", "q?"), "--max-answer-length");
    assertUserError(run("search", "--dump", d, "--backend", "tpu", "q?"), "unknown backend 'tpu'");
    assertUserError(run("eval-open", "--dump", d, "--index", "lsh"), "unknown index 'lsh'");
    assertUserError(run("search", "--dump", d, "--encoder", "onnx", "q?"), "unknown engine 'onnx'");
    assertUserError(run("search", "--dump", d, "--encoder", "java", "q?"), "--encoder java runs exported models");
    assertUserError(run("dump", "--corpus", corpus.toString(), "--out", tmp.resolve("x").toString(), "--encoder",
        "java", "--model", "all-minilm-l6-v2"), "--encoder java runs exported models");
    assertUserError(run("search", "--dump", d, "--question-encoder", "tpu", "q?"), "unknown value 'tpu'");
    assertUserError(run("search", "--dump", d, "--model", "all-minilm-l6-v2", "--question-encoder", "cuda", "q?"),
        "--question-encoder cuda runs exported models only");
    if (org.densephrases.kernels.Backends.available().stream().noneMatch(b -> b.name().equals("cuda"))) {
      assertUserError(run("search", "--dump", d, "--model", YourCorpusEndToEndTest.MODEL, "--question-encoder",
          "cuda", "q?"), "--question-encoder cuda cannot run here");
    }
  }

  @Test
  void longQuestionIsCutWithANote() {
    Run r = run("search", "--dump", dump.toString(), "--index", "exact", "-k", "1",
        "which " + "very ".repeat(80) + "old bridge?");
    assertEquals(0, r.rc(), r.err());
    assertTrue(r.err().contains("only the first 62 are used"), r.err());
  }

  @Test
  void missingDumpOrIndex() throws IOException {
    assertUserError(run("search", "--dump", tmp.resolve("nope").toString(), "q?"), "dump directory not found");
    Path copy = copyDump("noindex");
    Files.delete(copy.resolve("ivf-pq.idx"));
    assertUserError(run("search", "--dump", copy.toString(), "--index", "pq", "q?"), "index not found");
    assertUserError(run("index", "--dump", tmp.resolve("nope").toString()), "not found");
  }

  @Test
  void corruptedOrTruncatedDumpIsRefused() throws IOException {
    Path c = copyDump("corrupt");
    Path shard = firstVectorFile(c);
    byte[] b = Files.readAllBytes(shard);
    b[b.length - 7] ^= 0x55;
    Files.write(shard, b);
    assertUserError(run("search", "--dump", c.toString(), "--index", "exact", "q?"), "checksum");
    Path t = copyDump("truncated");
    Path s2 = firstVectorFile(t);
    byte[] b2 = Files.readAllBytes(s2);
    Files.write(s2, java.util.Arrays.copyOf(b2, b2.length - 100));
    assertUserError(run("search", "--dump", t.toString(), "--index", "exact", "q?"), "truncated");
    Path half = copyDump("incomplete");
    Path mf = half.resolve("MANIFEST");
    Files.write(mf, new byte[] {1, 2, 3}, StandardOpenOption.TRUNCATE_EXISTING);
    assertUserError(run("search", "--dump", half.toString(), "--index", "exact", "q?"), "MANIFEST");
  }

  @Test
  void corruptedIndexIsRefused() throws IOException {
    Path c = copyDump("badindex");
    Path idx = c.resolve("ivf-sq8.idx");
    byte[] b = Files.readAllBytes(idx);
    b[b.length - 3] ^= 0x01;
    Files.write(idx, b);
    assertUserError(run("search", "--dump", c.toString(), "--index", "sq8", "q?"), "checksum");
  }

  @Test
  void mismatchedModelDumpOrIndexIsRefused() throws IOException {
    // another model's question encoder: refused before anything is encoded
    assertUserError(run("search", "--dump", dump.toString(), "--model", "e5-small-v2", "q?"), "model id");
    // an index built from another dump (here: a dump of the first three paragraphs)
    Path other = tmp.resolve("other");
    Run d = run("dump", "--corpus", corpus.toString(), "--out", other.toString(), "--limit", "3");
    assertEquals(0, d.rc(), d.err());
    Path c = copyDump("mixed");
    Files.copy(other.resolve("MANIFEST"), c.resolve("MANIFEST"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    for (Path p : list(other)) {
      if (p.getFileName().toString().startsWith("shard-")) {
        Files.copy(p, c.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (Path p : list(c)) {
      String n = p.getFileName().toString();
      if (n.startsWith("shard-") && !Files.exists(other.resolve(n))) {
        Files.delete(p);
      }
    }
    assertUserError(run("search", "--dump", c.toString(), "--index", "sq8", "q?"), "rebuild the index");
    // resuming a dump directory with another corpus
    assertUserError(run("dump", "--corpus", dev.toString(), "--out", dump.toString()), "another corpus crc32c");
    // question vectors of another model
    Path qv = tmp.resolve("wrong-model.dpq");
    new QuestionVectors("some-other-model", 384, List.of("q1", "q2", "q3"), List.of("x", "y", "z"),
        new float[3 * 384], new float[3 * 384]).write(qv);
    assertUserError(run("eval-open", "--dev", dev.toString(), "--corpus", corpus.toString(), "--dump",
        dump.toString(), "--index", "exact", "--question-vectors", qv.toString(), "--out",
        tmp.resolve("x.md").toString()), "model id");
  }

  @Test
  void badCorpusIsOneLine() throws IOException {
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, "{\"id\": \"a\", \"title\": \"t\", \"text\": \"x\"}\n{not json\n");
    assertUserError(run("dump", "--corpus", bad.toString(), "--out", tmp.resolve("bad-dump").toString()),
        "line 2 is not valid JSON");
    assertUserError(run("dump", "--corpus", tmp.resolve("none.jsonl").toString()), "corpus file not found");
  }

  private Path copyDump(String name) throws IOException {
    Path c = tmp.resolve(name);
    Files.createDirectories(c);
    for (Path p : list(dump)) {
      Files.copy(p, c.resolve(p.getFileName()));
    }
    return c;
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.sorted().toList());
    }
  }

  private static Path firstVectorFile(Path dir) throws IOException {
    return list(dir).stream().filter(p -> p.getFileName().toString().endsWith(".fp16")).findFirst().orElseThrow();
  }
}
