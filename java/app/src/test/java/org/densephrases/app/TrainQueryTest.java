package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.densephrases.index.search.Answer;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.export.ModelSources;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.onnx.Resources;
import org.densephrases.search.JavaQuestionEncoder;
import org.densephrases.search.SearchSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-query} end to end on CPU: a small phrase model (pretrained MiniLM, shared layout, untrained heads), a
 * dump of a handful of paragraphs, a few training questions. The query-side loss goes down, the training questions'
 * answers get better, the phrase model, dump and index stay byte-identical, and a question side is refused with
 * another phrase model's dump or passages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainQueryTest {
  @TempDir static Path tmp;
  Path corpus;
  Path train;
  Path base;
  Path dump;
  List<String[]> qa = new ArrayList<>(); // question, answer

  record Run(int rc, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    java.io.PrintStream old = System.out;
    java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(bo, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = cl.execute(args);
    } finally {
      System.setOut(old);
    }
    return new Run(rc, out + bo.toString(StandardCharsets.UTF_8), err.toString());
  }

  static List<CorpusParagraph> paragraphs() {
    return List.of(
        new CorpusParagraph("p-paris", "Paris", "Paris is the capital and most populous city of France. The Eiffel"
            + " Tower was completed in 1889 for the World's Fair."),
        new CorpusParagraph("p-moon", "Moon", "The Moon is Earth's only natural satellite. Neil Armstrong was the"
            + " first person to walk on the Moon, in July 1969."),
        new CorpusParagraph("p-python", "Python", "Python is a programming language created by Guido van Rossum and"
            + " first released in 1991."),
        new CorpusParagraph("p-nile", "Nile", "The Nile is a major river in northeastern Africa. It flows into the"
            + " Mediterranean Sea and is about 6,650 kilometres long."),
        new CorpusParagraph("p-tea", "Tea", "Tea is an aromatic beverage first grown in China. Green tea and black"
            + " tea are made from the leaves of Camellia sinensis."));
  }

  @BeforeAll
  void buildModelDumpAndData() throws IOException {
    corpus = tmp.resolve("corpus.jsonl");
    StringBuilder sb = new StringBuilder();
    for (CorpusParagraph p : paragraphs()) {
      sb.append("{\"id\": ").append(VerbsEndToEndTest.json(p.id())).append(", \"title\": ").append(VerbsEndToEndTest.json(p.title()))
          .append(", \"text\": ").append(VerbsEndToEndTest.json(p.text())).append("}\n");
    }
    Files.writeString(corpus, sb, StandardCharsets.UTF_8);
    String[][] qs = {
        {"p-paris", "When was the Eiffel Tower completed?", "1889"},
        {"p-paris", "What is the capital of France?", "Paris"},
        {"p-moon", "Who first walked on the Moon?", "Neil Armstrong"},
        {"p-moon", "What is Earth's only natural satellite?", "The Moon"},
        {"p-python", "Who created Python?", "Guido van Rossum"},
        {"p-python", "When was Python first released?", "1991"},
        {"p-nile", "Into which sea does the Nile flow?", "Mediterranean Sea"},
        {"p-nile", "How long is the Nile?", "6,650 kilometres"},
        {"p-tea", "Where was tea first grown?", "China"},
        {"p-tea", "From which plant's leaves is tea made?", "Camellia sinensis"}};
    StringBuilder d = new StringBuilder("{\"version\": \"1.1\", \"data\": [");
    int n = 0;
    for (CorpusParagraph p : paragraphs()) {
      if (n++ > 0) {
        d.append(", ");
      }
      d.append("{\"title\": ").append(VerbsEndToEndTest.json(p.title())).append(", \"paragraphs\": [{\"context\": ")
          .append(VerbsEndToEndTest.json(p.text())).append(", \"qas\": [");
      int k = 0;
      for (String[] q : qs) {
        if (!q[0].equals(p.id())) {
          continue;
        }
        qa.add(new String[] {q[1], q[2]});
        d.append(k++ > 0 ? ", " : "").append("{\"id\": ").append(VerbsEndToEndTest.json(p.id() + k)).append(", \"question\": ")
            .append(VerbsEndToEndTest.json(q[1])).append(", \"answers\": [{\"text\": ").append(VerbsEndToEndTest.json(q[2]))
            .append(", \"answer_start\": ").append(p.text().indexOf(q[2])).append("}]}");
      }
      d.append("]}]}");
    }
    d.append("]}");
    train = tmp.resolve("train.json");
    Files.writeString(train, d, StandardCharsets.UTF_8);
    base = tmp.resolve("base");
    try (PhraseModelFile.Loaded l = ModelSources.pretrained("all-minilm-l6-v2", "shared");
        java.io.InputStream tok = Resources.open(PretrainedModels.MINILM_L6.tokenizerResource())) {
      PhraseModelFile.write(l.model(), "qft-base-1", l.meta(), PhraseModelFile.Dtype.FP32, tok.readAllBytes(), base);
    }
    dump = tmp.resolve("dump");
    Run r = run("dump", "--corpus", corpus.toString(), "--out", dump.toString(), "--model", base.toString());
    assertEquals(0, r.rc(), r.out() + r.err());
  }

  private static Map<String, String> digests(Path... roots) throws Exception {
    Map<String, String> m = new TreeMap<>();
    for (Path root : roots) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          m.put(p.toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
              .digest(Files.readAllBytes(p))));
        }
      }
    }
    return m;
  }

  /** Mean reciprocal rank of the first answer matching the gold text in the top 10 (0 when absent). */
  private double mrr(Path questionModel) throws IOException {
    try (SearchSession s = SearchSession.builder().dump(dump).index("exact").backend(Backend.of("simd"))
        .encoder(() -> JavaQuestionEncoder.load(questionModel, 1)).open()) {
      List<String> questions = qa.stream().map(x -> x[0]).toList();
      List<List<Answer>> res = s.search(questions, s.defaults().withK(10));
      double sum = 0;
      for (int i = 0; i < qa.size(); i++) {
        List<Answer> as = res.get(i);
        for (int r = 0; r < as.size(); r++) {
          if (SquadMetrics.exactMatch(as.get(r).text(), qa.get(i)[1])) {
            sum += 1.0 / (r + 1);
            break;
          }
        }
      }
      return sum / qa.size();
    }
  }

  @Test
  void lossFallsAnswersImproveAndThePhraseSideStaysAsItWas() throws Exception {
    Map<String, String> before = digests(base, dump);
    double mrrBefore = mrr(base);
    Path out = tmp.resolve("qft");
    Run r = run("train-query", "--model", base.toString(), "--dump", dump.toString(), "--index", "exact",
        "--backend", "simd", "--train-file", train.toString(), "--out", out.toString(), "--epochs", "12",
        "--batch", "5", "--lr", "1e-4", "--warmup", "0", "--top-k", "20", "--dropout", "0", "--device", "cpu",
        "--log-every", "1");
    assertEquals(0, r.rc(), r.out() + r.err());
    assertTrue(r.out().contains("ETA") && r.out().contains("questions/s"), r.out());
    assertTrue(Files.isRegularFile(out.resolve(RawPhraseModel.QUESTION_FILE)), r.out());
    assertTrue(Files.isRegularFile(out.resolve("loss-curve.png")));
    JsonObject cfg = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
    JsonObject stats = cfg.getAsJsonObject("stats");
    assertEquals(24, stats.get("steps").getAsLong(), cfg.toString());
    float first = stats.get("firstLoss").getAsFloat();
    float last = stats.get("lastLoss").getAsFloat();
    assertTrue(last < 0.5f * first, "the query-side loss falls: " + first + " -> " + last);
    assertEquals("qft-base-1", cfg.get("phraseModel").getAsString());
    assertTrue(cfg.get("model").getAsString().startsWith("qft-base-1+qft-"), cfg.toString());

    // the training questions' answers improve
    double mrrAfter = mrr(out);
    assertTrue(mrrAfter > mrrBefore + 0.1, "MRR@10 of the training questions: " + mrrBefore + " -> " + mrrAfter);

    // the phrase model, the dump and its files are byte for byte what they were
    assertEquals(before, digests(base, dump));
    // and the phrase model loaded with the question side encodes passages exactly as before
    float[] p0;
    float[] p1;
    try (PhraseModelFile.Loaded a = PhraseModelFile.load(base);
        PhraseModelFile.Loaded b = PhraseModelFile.loadWithQuestionSide(base, out);
        NDManager m = NDManager.newBaseManager()) {
      long[][] ids = {{101, 2054, 2003, 1996, 3007, 102}};
      long[][] types = new long[1][6];
      long[][] mask = {{1, 1, 1, 1, 1, 1}};
      NDList pa = a.model().encodePassages(new ParameterStore(m, false), m.create(ids), m.create(types),
          m.create(mask), false);
      NDList pb = b.model().encodePassages(new ParameterStore(m, false), m.create(ids), m.create(types),
          m.create(mask), false);
      p0 = pa.get(0).toFloatArray();
      p1 = pb.get(0).toFloatArray();
      assertArrayEquals(pa.get(1).toFloatArray(), pb.get(1).toFloatArray());
      NDList qa0 = a.model().encodeQuestions(new ParameterStore(m, false), m.create(ids), m.create(types),
          m.create(mask), false);
      NDList qb0 = b.model().encodeQuestions(new ParameterStore(m, false), m.create(ids), m.create(types),
          m.create(mask), false);
      assertTrue(!java.util.Arrays.equals(qa0.get(0).toFloatArray(), qb0.get(0).toFloatArray()),
          "the question side changed");
      assertTrue(b.modelId().startsWith("qft-base-1+qft-"), b.modelId());
    }
    assertArrayEquals(p0, p1);

    // the question side searches its phrase model's dump from the command line
    Run s = run("search", "--dump", dump.toString(), "--index", "exact", "--model", out.toString(), "-k", "1",
        "Who created Python?");
    assertEquals(0, s.rc(), s.err());

    // ... and is refused with another phrase model's dump or passages, naming both models
    Path other = tmp.resolve("other");
    try (PhraseModelFile.Loaded l = ModelSources.pretrained("all-minilm-l6-v2", "shared");
        java.io.InputStream tok = Resources.open(PretrainedModels.MINILM_L6.tokenizerResource())) {
      PhraseModelFile.write(l.model(), "other-model-2", l.meta(), PhraseModelFile.Dtype.FP16, tok.readAllBytes(),
          other);
    }
    Run rc = run("eval-rc", "--model-dir", other.toString(), "--question-model", out.toString(), "--data",
        train.toString());
    assertEquals(2, rc.rc(), rc.out() + rc.err());
    assertTrue(rc.err().contains("qft-base-1") && rc.err().contains("other-model-2"), rc.err());
    Path otherDump = tmp.resolve("other-dump");
    assertEquals(0, run("dump", "--corpus", corpus.toString(), "--out", otherDump.toString(), "--model",
        other.toString(), "--limit", "2").rc());
    Run sm = run("search", "--dump", otherDump.toString(), "--index", "exact", "--model", out.toString(), "q?");
    assertEquals(2, sm.rc(), sm.out() + sm.err());
    assertTrue(sm.err().contains("model id") && sm.err().contains("other-model-2"), sm.err());
    // a question side cannot dump passages
    Run dp = run("dump", "--corpus", corpus.toString(), "--out", tmp.resolve("qdump").toString(), "--model",
        out.toString(), "--limit", "1");
    assertTrue(dp.rc() != 0 && (dp.err() + dp.out()).contains("question-side"), dp.out() + dp.err());
    // reading comprehension with the question side beside its phrase model
    Run ok = run("eval-rc", "--model-dir", base.toString(), "--question-model", out.toString(), "--data",
        train.toString(), "--device", "cpu");
    assertEquals(0, ok.rc(), ok.out() + ok.err());
  }

  @Test
  void badOptionsAreOneClearLine() {
    Run a = run("train-query", "--model", base.toString(), "--dump", dump.toString(), "--train-file",
        train.toString(), "--out", tmp.resolve("x").toString(), "--no-positive", "maybe");
    assertEquals(2, a.rc(), a.err());
    assertTrue(a.err().contains("--no-positive"), a.err());
    Run b = run("train-query", "--model", base.toString(), "--dump", dump.toString(), "--train-file",
        train.toString(), "--out", base.toString());
    assertEquals(2, b.rc(), b.err());
    assertTrue(b.err().contains("--out"), b.err());
    Run c = run("train-query", "--model", base.toString(), "--dump", tmp.resolve("nope").toString(),
        "--train-file", train.toString(), "--out", tmp.resolve("y").toString(), "--index", "exact");
    assertEquals(2, c.rc(), c.err());
    assertTrue(c.err().contains("nope"), c.err());
    Run d = run("train-query", "--model", base.toString(), "--dump", dump.toString(), "--train-file",
        train.toString(), "--out", tmp.resolve("z").toString(), "--top-k", "0", "--index", "exact");
    assertEquals(2, d.rc(), d.err());
    assertTrue(d.err().contains("top-k"), d.err());
  }
}
