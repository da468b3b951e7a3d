package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.densephrases.model.data.CorpusParagraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * The API end to end with the real model and index (ServeFixture): answers point into their documents for every
 * unit, a batch equals the same questions asked one by one, and concurrent requests (micro-batched) get the answers
 * they get alone. The pretrained MiniLM has untrained heads, so answers are checked for consistency, not accuracy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ServeEndToEndTest.Fixture.class)
class ServeEndToEndTest {
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  static final String[] QUESTIONS = {
      "When was the Eiffel Tower completed?", "Who first walked on the Moon?", "Who created Python?",
      "Who first reached the summit of Mount Everest?", "Which museum holds the Mona Lisa?",
      "What is the capital of France?", "When did the Louvre open?", "What is Earth's only natural satellite?"};

  /** Hands the shared fixture to the test's constructor-free setup. */
  static final class Fixture implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
      return p.getParameter().getType() == ServeFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
      return ServeFixture.get(c);
    }
  }

  ServeFixture f;
  URI base;

  @BeforeAll
  void setUp(ServeFixture fixture) {
    f = fixture;
    base = fixture.server.uri();
  }

  static JsonObject get(URI base, String path) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + " -> " + r.body());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Every field of an answer agrees with the corpus. */
  void checkAnswer(JsonObject a) {
    CorpusParagraph p = f.paragraph(a.get("doc_id").getAsString());
    assertEquals(p.title(), a.get("title").getAsString());
    int s = a.get("char_start").getAsInt();
    int e = a.get("char_end").getAsInt();
    assertTrue(0 <= s && s < e && e <= p.text().length(), a.toString());
    assertEquals(p.text().substring(s, e), a.get("text").getAsString());
    JsonObject ev = a.getAsJsonObject("evidence");
    String evText = ev.get("text").getAsString();
    int es = ev.get("char_start").getAsInt();
    assertEquals(p.text().substring(es, es + evText.length()), evText, "evidence is a span of the document");
    assertEquals(a.get("text").getAsString(),
        evText.substring(ev.get("answer_start").getAsInt(), ev.get("answer_end").getAsInt()));
    assertTrue(Double.isFinite(a.get("score").getAsDouble()));
  }

  @Test
  void everyUnitAnswersWithOffsetsIntoTheDocuments() throws Exception {
    for (String unit : new String[] {"phrase", "sentence", "paragraph", "document"}) {
      JsonObject o = get(base, "api/search?q=" + enc(QUESTIONS[0]) + "&k=4&unit=" + unit);
      assertEquals(unit, o.get("unit").getAsString());
      JsonArray answers = o.getAsJsonArray("answers");
      assertFalse(answers.isEmpty(), unit);
      assertTrue(answers.size() <= 4);
      double prev = Double.POSITIVE_INFINITY;
      for (var a : answers) {
        checkAnswer(a.getAsJsonObject());
        double score = a.getAsJsonObject().get("score").getAsDouble();
        assertTrue(score <= prev + 1e-9, "best first");
        prev = score;
      }
      assertTrue(o.get("took_ms").getAsDouble() > 0);
      // the search time by stage: the real session encodes and runs all three stages of every search
      var st = o.getAsJsonObject("stages");
      double stages = 0;
      for (String k : List.of("encode_ms", "first_stage_ms", "span_ms", "aggregate_ms")) {
        assertTrue(st.get(k).getAsDouble() > 0, k + " in " + st);
        stages += st.get(k).getAsDouble();
      }
      assertTrue(stages <= o.get("search_ms").getAsDouble() + 0.01, st + " within search_ms " + o.get("search_ms"));
      assertEquals("sq8", o.get("index").getAsString());
    }
    // documents: at most one answer per title (two paragraphs are titled Paris)
    JsonArray docs = get(base, "api/search?q=" + enc("Paris") + "&k=10&unit=document").getAsJsonArray("answers");
    List<String> titles = new ArrayList<>();
    docs.forEach(a -> titles.add(a.getAsJsonObject().get("title").getAsString()));
    assertEquals(titles.stream().distinct().count(), titles.size(), titles.toString());
  }

  @Test
  void aBatchIsOneSearchCallAndEqualsSingleRequests() throws Exception {
    StringBuilder body = new StringBuilder("{\"questions\": [");
    for (int i = 0; i < QUESTIONS.length; i++) {
      body.append(i > 0 ? ", " : "").append('"').append(QUESTIONS[i]).append('"');
    }
    body.append("], \"k\": 3, \"unit\": \"sentence\"}");
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(base.resolve("api/batch"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
    assertTrue(o.get("batch_questions").getAsInt() >= QUESTIONS.length, "the batch went in one search call");
    JsonArray results = o.getAsJsonArray("results");
    assertEquals(QUESTIONS.length, results.size());
    for (int i = 0; i < QUESTIONS.length; i++) {
      JsonObject one = results.get(i).getAsJsonObject();
      assertEquals(QUESTIONS[i], one.get("question").getAsString());
      one.getAsJsonArray("answers").forEach(a -> checkAnswer(a.getAsJsonObject()));
      JsonArray alone = get(base, "api/search?k=3&unit=sentence&q=" + enc(QUESTIONS[i])).getAsJsonArray("answers");
      sameAnswers(alone, one.getAsJsonArray("answers"), QUESTIONS[i]);
    }
  }

  @Test
  void concurrentRequestsGetTheAnswersTheyGetAlone() throws Exception {
    List<JsonArray> alone = new ArrayList<>();
    for (String q : QUESTIONS) {
      alone.add(get(base, "api/search?k=5&q=" + enc(q)).getAsJsonArray("answers"));
    }
    int rounds = 3;
    int n = QUESTIONS.length * rounds;
    int maxBatch = 0;
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      List<Future<JsonObject>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String q = QUESTIONS[i % QUESTIONS.length];
        fs.add(pool.submit(() -> get(base, "api/search?k=5&q=" + enc(q))));
      }
      for (int i = 0; i < n; i++) {
        JsonObject o = fs.get(i).get(120, TimeUnit.SECONDS);
        assertEquals(QUESTIONS[i % QUESTIONS.length], o.get("question").getAsString());
        sameAnswers(alone.get(i % QUESTIONS.length), o.getAsJsonArray("answers"), o.get("question").getAsString());
        maxBatch = Math.max(maxBatch, o.get("batch_questions").getAsInt());
      }
    }
    assertTrue(maxBatch > 1, "concurrent requests shared a search call");
  }

  /**
   * Same answers in the same order, scores within float noise: a question encoded in a padded batch differs from the
   * same question encoded alone in the last bits. Near-ties may swap, so a swap of two answers whose scores differ by
   * less than the tolerance is accepted (scores are still compared rank by rank).
   */
  static void sameAnswers(JsonArray expected, JsonArray actual, String q) {
    assertEquals(expected.size(), actual.size(), q);
    double tol = 1e-3;
    for (int i = 0; i < expected.size(); i++) {
      JsonObject e = expected.get(i).getAsJsonObject();
      JsonObject a = actual.get(i).getAsJsonObject();
      assertEquals(e.get("score").getAsDouble(), a.get("score").getAsDouble(), tol, q + " rank " + (i + 1));
      boolean same = e.get("text").getAsString().equals(a.get("text").getAsString())
          && e.get("doc_id").getAsString().equals(a.get("doc_id").getAsString());
      if (!same) {
        // (at the last rank the tie may be with the first answer left out)
        boolean nearTie = i == expected.size() - 1 || (i + 1 < expected.size() && Math.abs(expected.get(i + 1).getAsJsonObject().get("score")
            .getAsDouble() - e.get("score").getAsDouble()) < tol) || (i > 0 && Math.abs(expected.get(i - 1)
            .getAsJsonObject().get("score").getAsDouble() - e.get("score").getAsDouble()) < tol);
        assertTrue(nearTie, q + " rank " + (i + 1) + ": " + e + " vs " + a);
      }
    }
  }

  @Test
  void healthAndMetricsDescribeTheIndex() throws Exception {
    JsonObject h = get(base, "health");
    assertEquals("sq8", h.get("index").getAsString());
    assertEquals("all-minilm-l6-v2+untrained-heads", h.get("model").getAsString());
    assertTrue(h.get("phrases").getAsLong() > 50);
    assertEquals(ServeFixture.CORPUS.size(), h.get("documents").getAsInt());
    get(base, "api/search?q=" + enc("Paris")); // at least one search call in the stage histograms
    HttpResponse<String> m = CLIENT.send(HttpRequest.newBuilder(base.resolve("metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, m.statusCode());
    assertTrue(m.body().contains("densephrases_index_phrases " + h.get("phrases").getAsLong() + "\n"), m.body());
    assertTrue(m.body().contains("densephrases_backend_info{backend=\"" + h.get("backend").getAsString() + "\""));
    assertTrue(m.body().matches("(?s).*\ndensephrases_index_bytes [1-9][0-9]*\n.*"), m.body());
    for (String stage : List.of("encode", "first_stage", "span", "aggregate")) {
      assertTrue(m.body().matches("(?s).*\ndensephrases_search_stage_seconds_count\\{stage=\"" + stage
          + "\"} [1-9][0-9]*\n.*"), stage + " in " + m.body());
    }
  }

  @Test
  void serveVerbRefusesBadOptionsBeforeLoading() {
    String[][] cases = {
        {"--port", "70000"}, {"--k", "0"}, {"--unit", "word"}, {"--max-batch", "0"}, {"--batch-wait-ms", "-1"},
        {"--dump", "/nonexistent/dump"}, {"--timeout-ms", "0"}, {"--max-timeout-ms", "5", "--timeout-ms", "10"},
        {"--max-cost", "0"}, {"--cors-origin", "evil.example"}, {"--api-key-file", "/nonexistent/key"},
        {"--header-timeout-ms", "5"}, {"--max-connections-per-address", "0"}};
    String[] expect = {"--port must be in [0, 65535], got 70000", "--k must be in [1, 1000], got 0",
        "unknown unit 'word'", "--max-batch must be in [1, 4096], got 0", "--batch-wait-ms must be in [0, 1000]",
        "dump directory not found", "--timeout-ms must be in [1, 3600000], got 0",
        "--max-timeout-ms must be in [10, 3600000], got 5", "--max-cost must be in [1,",
        "--cors-origin evil.example is not an origin", "--api-key-file /nonexistent/key cannot be read",
        "--header-timeout-ms must be in [100,", "--max-connections-per-address must be in [1,"};
    for (int i = 0; i < cases.length; i++) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      var cl = Main.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      String[] args = new String[cases[i].length + 1];
      args[0] = "serve";
      System.arraycopy(cases[i], 0, args, 1, cases[i].length);
      assertEquals(2, cl.execute(args), String.join(" ", args) + " " + err);
      assertTrue(err.toString().startsWith("densephrases serve: ") && err.toString().contains(expect[i]),
          err.toString());
    }
    // nprobe above the index's lists is refused at start-up, not at every request
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(2, cl.execute("serve", "--dump", f.dump.toString(), "--model", "all-minilm-l6-v2", "--nprobe",
        "64", "--port", "0"));
    assertTrue(err.toString().contains("--nprobe 64 exceeds the index's 4 lists"), err.toString());
  }

  /**
   * The verb as a user runs it, in its own JVM: SIGTERM stops it within --shutdown-ms, it says so, and it exits 0 (a
   * stop asked for is a clean exit, not the JVM's 143).
   */
  @Test
  void sigtermStopsServeCleanlyWithExitCode0() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(javaBin, "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true", "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "serve", "--dump", f.dump.toString(), "--model",
        "all-minilm-l6-v2", "--nprobe", "4", "--port", "0", "--shutdown-ms", "2000"));
    Path errFile = f.dir.resolve("serve-sigterm.stderr");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(errFile.toFile());
    pb.environment().put("OPT_OUT_TRACKING", "true");
    Process p = pb.start();
    try {
      var stdout = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      URI served = null;
      for (String line; served == null && (line = stdout.readLine()) != null; ) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^serving (http://\\S+/) ").matcher(line);
        if (m.find()) {
          served = URI.create(m.group(1));
        }
      }
      assertTrue(served != null, "serve printed its address; stderr: " + java.nio.file.Files.readString(errFile));
      JsonObject answer = get(served, "api/search?q=" + enc("Who created Python?") + "&k=1");
      assertEquals(1, answer.getAsJsonArray("answers").size());
      long t0 = System.nanoTime();
      // SIGTERM as `kill` sends it (Process.destroy would also close our ends of its pipes)
      assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "serve stopped after SIGTERM");
      double secs = (System.nanoTime() - t0) / 1e9;
      String err = java.nio.file.Files.readString(errFile);
      assertEquals(0, p.exitValue(), "exit code after SIGTERM; stderr: " + err);
      assertTrue(err.contains("densephrases serve: stopping") && err.contains("densephrases serve: stopped\n"), err);
      assertFalse(err.contains("Exception"), err);
      assertTrue(secs < 10, "stopped in " + secs + " s");
    } finally {
      p.destroyForcibly();
    }
  }
}
