package org.densephrases.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URI;
import java.util.List;
import org.densephrases.app.serve.Http.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The API on a real server (ephemeral loopback port) over an answerer whose answers are made from the question: the
 * JSON shape, batch = one search call, every bad input (4xx + JSON error naming the problem), a failed search (500,
 * server still up), static files and path escapes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerApiTest {
  FakeAnswerer answerer;
  SearchServer server;
  URI base;

  @BeforeAll
  void start() throws Exception {
    answerer = new FakeAnswerer(0);
    server = SearchServer.start(ServeConfig.standard().withPort(0).withLimits(100, 20, 8, 4096), answerer);
    base = server.uri();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void searchReturnsAnswersWithEvidenceOffsetsAndTiming() throws Exception {
    Reply r = Http.get(base, "api/search?q=" + Http.enc("Who built it?") + "&k=3&unit=sentence&max_answer_length=7");
    assertEquals(200, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    JsonObject o = r.json();
    assertEquals("Who built it?", o.get("question").getAsString());
    assertEquals("sentence", o.get("unit").getAsString());
    assertEquals(3, o.get("k").getAsInt());
    assertEquals(7, o.get("max_answer_length").getAsInt());
    assertTrue(o.get("took_ms").getAsDouble() >= 0 && o.has("search_ms") && o.has("batch_questions"));
    assertEquals("fake", o.get("backend").getAsString());
    JsonArray answers = o.getAsJsonArray("answers");
    assertEquals(3, answers.size());
    for (int i = 0; i < 3; i++) {
      JsonObject a = answers.get(i).getAsJsonObject();
      assertEquals(i + 1, a.get("rank").getAsInt());
      String text = FakeAnswerer.answerText("Who built it?", i);
      assertEquals(text, a.get("text").getAsString());
      assertEquals(10.0 - i, a.get("score").getAsDouble(), 1e-9);
      assertEquals("Title of Who built it?", a.get("title").getAsString());
      assertEquals("doc-Who built it?", a.get("doc_id").getAsString());
      assertEquals(107, a.get("char_start").getAsInt());
      assertEquals(107 + text.length(), a.get("char_end").getAsInt());
      JsonObject ev = a.getAsJsonObject("evidence");
      assertEquals(text, ev.get("text").getAsString().substring(ev.get("answer_start").getAsInt(),
          ev.get("answer_end").getAsInt()));
      assertEquals(100, ev.get("char_start").getAsInt());
      assertEquals("sentence", a.get("unit").getAsString());
    }
  }

  @Test
  void defaultsApplyAndQuestionIsTrimmed() throws Exception {
    JsonObject o = Http.get(base, "api/search?q=%20%20capital%20of%20France%3F%20").json();
    assertEquals("capital of France?", o.get("question").getAsString());
    assertEquals(10, o.getAsJsonArray("answers").size());
    assertEquals("phrase", o.get("unit").getAsString());
    assertEquals(20, o.get("max_answer_length").getAsInt());
  }

  @Test
  void batchIsOneSearchCallWithResultsInOrder() throws Exception {
    int before = answerer.callSizes.size();
    Reply r = Http.post(base, "api/batch", "application/json",
        "{\"questions\": [\"one?\", \"two?\", \"three?\"], \"k\": 2, \"unit\": \"paragraph\"}");
    assertEquals(200, r.status(), r.body());
    JsonObject o = r.json();
    assertEquals(3, o.get("batch_questions").getAsInt());
    JsonArray results = o.getAsJsonArray("results");
    assertEquals(3, results.size());
    String[] qs = {"one?", "two?", "three?"};
    for (int i = 0; i < 3; i++) {
      JsonObject one = results.get(i).getAsJsonObject();
      assertEquals(qs[i], one.get("question").getAsString());
      JsonArray a = one.getAsJsonArray("answers");
      assertEquals(2, a.size());
      assertEquals(FakeAnswerer.answerText(qs[i], 0), a.get(0).getAsJsonObject().get("text").getAsString());
      assertEquals("paragraph", a.get(0).getAsJsonObject().get("unit").getAsString());
    }
    List<Integer> calls = answerer.callSizes.subList(before, answerer.callSizes.size());
    assertTrue(calls.contains(3), "the three questions must go to the answerer in one call: " + calls);
  }

  @Test
  void healthSaysWhatIsServed() throws Exception {
    Reply r = Http.get(base, "health");
    assertEquals(200, r.status());
    JsonObject o = r.json();
    assertEquals("ok", o.get("status").getAsString());
    assertEquals("fake", o.get("backend").getAsString());
    assertEquals(42, o.get("phrases").getAsLong());
  }

  /** {request, status, part of the error message}; limits: 100 characters, k 20, batch 8, body 4096 bytes. */
  static final String[][] BAD_GETS = {
      {"api/search", "400", "missing parameter q"},
      {"api/search?q=", "400", "the question is empty"},
      {"api/search?q=%20%20%09", "400", "the question is empty"},
      {"api/search?q=" + "a".repeat(101), "400", "101 characters; at most 100"},
      {"api/search?q=x&k=0", "400", "k must be in [1, 20], got 0"},
      {"api/search?q=x&k=21", "400", "k must be in [1, 20], got 21"},
      {"api/search?q=x&k=-5", "400", "k must be in [1, 20]"},
      {"api/search?q=x&k=abc", "400", "k must be an integer, got 'abc'"},
      {"api/search?q=x&k=2.5", "400", "k must be an integer"},
      {"api/search?q=x&k=99999999999999", "400", "k must be an integer"},
      {"api/search?q=x&k=", "400", "k must be an integer"},
      {"api/search?q=x&unit=word", "400", "unknown unit 'word': expected phrase, sentence, paragraph or document"},
      {"api/search?q=x&max_answer_length=0", "400", "max_answer_length must be in [1, 128], got 0"},
      {"api/search?q=x&max_answer_length=129", "400", "max_answer_length must be in [1, 128], got 129"},
      {"api/search?q=x&max_answer_length=ten", "400", "max_answer_length must be an integer"},
      {"api/search?q=x&top=3", "400", "unknown parameter 'top'"},
      {"api/search?q=x&k=1&k=2", "400", "parameter 'k' given 2 times"},
      {"api/search?q=a&q=b", "400", "parameter 'q' given 2 times"},
      {"api/search?q=%zz", "400", ""},
      {"api/batch", "405", "method GET not allowed on /api/batch: use POST"},
      {"api/nothing", "404", "no such endpoint /api/nothing"},
      {"api", "404", "no such endpoint"},
      {"nothing.html", "404", "not found"},
  };

  @Test
  void everyBadGetIsA4xxWithAJsonError() throws Exception {
    for (String[] c : BAD_GETS) {
      Reply r = Http.raw(server.port(), "GET", "/" + c[0], null, null);
      checkError(r, Integer.parseInt(c[1]), c[2], c[0]);
    }
  }

  static final String[][] BAD_BATCHES = {
      {"", "400", "the request body is empty"},
      {"   ", "400", "the request body is empty"},
      {"not json", "400", "malformed JSON"},
      {"{\"questions\": [\"a\"]", "400", "malformed JSON"},
      {"{\"questions\": [\"a\"]} trailing", "400", "malformed JSON"},
      {"{'questions': ['a']}", "400", "malformed JSON"},
      {"[\"a\"]", "400", "must be a JSON object"},
      {"\"a\"", "400", "must be a JSON object"},
      {"{}", "400", "missing field questions"},
      {"{\"questions\": null}", "400", "missing field questions"},
      {"{\"questions\": \"a\"}", "400", "questions must be an array of strings"},
      {"{\"questions\": []}", "400", "questions is empty: give 1 to 8 questions"},
      {"{\"questions\": [1]}", "400", "questions[0] must be a string"},
      {"{\"questions\": [\"ok\", \"  \"]}", "400", "questions[1]: the question is empty"},
      {"{\"questions\": [\"ok\", \"" + "b".repeat(101) + "\"]}", "400", "questions[1]: the question has 101"},
      {"{\"questions\": [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}", "413", "questions has 9 entries; at most 8"},
      {"{\"questions\": [\"a\"], \"k\": 0}", "400", "k must be in [1, 20], got 0"},
      {"{\"questions\": [\"a\"], \"k\": \"5\"}", "400", "k must be an integer"},
      {"{\"questions\": [\"a\"], \"k\": 1.5}", "400", "k must be an integer"},
      {"{\"questions\": [\"a\"], \"unit\": 3}", "400", "unit must be a string"},
      {"{\"questions\": [\"a\"], \"unit\": \"word\"}", "400", "unknown unit 'word'"},
      {"{\"questions\": [\"a\"], \"max_answer_length\": 500}", "400", "max_answer_length must be in [1, 128]"},
      {"{\"questions\": [\"a\"], \"top\": 3}", "400", "unknown field 'top'"},
      {"{\"questions\": [\"" + "c".repeat(5000) + "\"]}", "413", "at most 4096"},
  };

  @Test
  void everyBadBatchIsA4xxWithAJsonError() throws Exception {
    for (String[] c : BAD_BATCHES) {
      Reply r = Http.raw(server.port(), "POST", "/api/batch", "Content-Type: application/json\r\n", c[0]);
      checkError(r, Integer.parseInt(c[1]), c[2], c[0].length() > 60 ? c[0].substring(0, 60) : c[0]);
    }
    Reply wrongType = Http.raw(server.port(), "POST", "/api/batch", "Content-Type: text/plain\r\n",
        "{\"questions\": [\"a\"]}");
    checkError(wrongType, 415, "content type text/plain is not accepted", "text/plain");
    Reply postSearch = Http.raw(server.port(), "POST", "/api/search?q=x", null, "");
    checkError(postSearch, 405, "use GET", "POST /api/search");
  }

  @Test
  void aBodyOverTheCapWithoutContentLengthIs413() throws Exception {
    StringBuilder chunks = new StringBuilder();
    String piece = "x".repeat(1000);
    for (int i = 0; i < 6; i++) {
      chunks.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
    }
    chunks.append("0\r\n\r\n");
    try (var s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      String head = "POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
      s.getOutputStream().write((head + chunks).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String resp = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(resp.startsWith("HTTP/1.1 413"), resp);
      assertTrue(resp.contains("larger than 4096 bytes"), resp);
    }
  }

  static void checkError(Reply r, int status, String message, String what) {
    assertEquals(status, r.status(), what + " -> " + r.body());
    assertTrue(r.contentType().startsWith("application/json"), what + " -> " + r.contentType());
    JsonObject o = com.google.gson.JsonParser.parseString(r.body()).getAsJsonObject();
    assertEquals(status, o.get("status").getAsInt(), what);
    assertTrue(o.get("error").getAsString().contains(message), what + " -> " + o.get("error"));
  }

  @Test
  void aFailedSearchIs500AndTheServerGoesOn() throws Exception {
    Reply r = Http.get(base, "api/search?q=" + Http.enc("please FAIL now"));
    checkError(r, 500, "search failed: IllegalStateException: planted failure", "FAIL");
    Reply b = Http.post(base, "api/batch", "application/json", "{\"questions\": [\"fine\", \"FAIL too\"]}");
    checkError(b, 500, "planted failure", "batch FAIL");
    assertEquals(200, Http.get(base, "health").status());
    Reply ok = Http.get(base, "api/search?q=fine");
    assertEquals(200, ok.status(), ok.body());
    assertEquals(FakeAnswerer.answerText("fine", 0),
        ok.json().getAsJsonArray("answers").get(0).getAsJsonObject().get("text").getAsString());
  }

  @Test
  void thePageAndItsFilesAreServed() throws Exception {
    Reply page = Http.get(base, "");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("<form id=\"ask\"") && page.body().contains("app.js"), page.body());
    Reply js = Http.get(base, "app.js");
    assertEquals(200, js.status());
    assertTrue(js.contentType().startsWith("text/javascript"), js.contentType());
    assertTrue(js.body().contains("api/search"));
    Reply css = Http.get(base, "style.css");
    assertEquals(200, css.status());
    assertTrue(css.contentType().startsWith("text/css"), css.contentType());
    assertEquals(200, Http.get(base, "index.html").status());
  }

  /** Paths that would leave web/ if the server joined them naively: each gets 400 or 404, never a file's bytes. */
  static final String[] ESCAPES = {
      "/../pom.xml", "/../../../../etc/passwd", "/..%2fpom.xml", "/..%2F..%2Fetc%2Fpasswd", "/%2e%2e/pom.xml",
      "/%2E%2E/%2E%2E/etc/passwd", "/%2e%2e%2fSearchServer.class", "/.%2e/SearchServer.class",
      "/%252e%252e/SearchServer.class", "/%252e%252e%252fSearchServer.class", "/..\\SearchServer.class",
      "/..%5cSearchServer.class", "/%5c..%5cSearchServer.class", "/web/../SearchServer.class",
      "/index.html/../../SearchServer.class", "/SearchServer.class", "/Metrics.class", "/web/index.html",
      "//etc/passwd", "/%2fetc%2fpasswd", "/....//SearchServer.class", "/%c0%ae%c0%ae/SearchServer.class",
      "/%00index.html", "/index.html%00.png", "/.%00./SearchServer.class", "/;/../SearchServer.class",
      "/..;/SearchServer.class", "/.hidden", "/app.js/..%2f..%2fSearchServer.class",
      "/../../../../../../../../etc/passwd",
  };

  @Test
  void staticPathsCannotEscapeTheirFolder() throws Exception {
    for (String p : ESCAPES) {
      Reply r = Http.raw(server.port(), "GET", p, null, null);
      assertTrue(r.status() == 400 || r.status() == 404, p + " -> " + r.status() + " " + r.body());
      assertFalse(r.body().contains("root:") || r.body().contains("<project") || r.body().contains("\u00ca\u00fe"),
          p + " leaked a file: " + r.body());
      assertTrue(r.contentType().startsWith("application/json"), p + " -> " + r.contentType());
    }
    // A path that normalises inside the folder is just the file.
    assertEquals(200, Http.raw(server.port(), "GET", "/x/../app.js", null, null).status());
  }

  @Test
  void unknownMethodsOnFilesAre405() throws Exception {
    Reply r = Http.raw(server.port(), "DELETE", "/index.html", null, null);
    checkError(r, 405, "use GET", "DELETE");
  }

  static JsonElement first(JsonObject o) {
    return o.getAsJsonArray("answers").get(0);
  }
}
