package org.densephrases.app.serve;

import static org.densephrases.app.serve.ServerApiTest.checkError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.densephrases.app.serve.Http.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The defences in front of the API, on a real loopback server: Host allow-list (DNS rebinding), UTF-8 JSON bodies
 * only, CORS only for configured origins, the API key, the cost budget, capped echoes of client input, HEAD, a body
 * that never comes (408), slow headers and surplus connections closed, and Jetty's own refusals counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeGuardsTest {
  static final String ORIGIN = "http://app.example:8000";
  FakeAnswerer answerer;
  SearchServer server;
  URI base;

  @BeforeAll
  void start() throws Exception {
    answerer = new FakeAnswerer(0);
    Guards g = Guards.standard().withMaxCost(2000).withAccess(List.of(), List.of(ORIGIN), null)
        .withConnections(400, 300, 30_000, 64, 1024);
    server = SearchServer.start(ServeConfig.standard().withPort(0).withLimits(100, 20, 8, 4096).withGuards(g),
        answerer);
    base = server.uri();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  Reply get(String target, String host, String extra) throws IOException {
    return Http.exact(server.port(), ascii("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
        + extra + "\r\n"));
  }

  @Test
  void theHostHeaderMustNameThisServer() throws Exception {
    checkError(get("/health", "attacker.example:18080", ""), 403, "host 'attacker.example' is not served here",
        "rebinding");
    checkError(get("/api/search?q=x", "attacker.example", ""), 403, "--allowed-hosts", "rebinding api");
    for (String ok : new String[] {"localhost:" + server.port(), "127.0.0.1", "[::1]:" + server.port(), "LOCALHOST"}) {
      assertEquals(200, get("/health", ok, "").status(), ok);
    }
    // Named hosts replace the loopback defaults.
    Guards g = Guards.standard().withAccess(List.of("search.example"), List.of(), null);
    try (SearchServer named = SearchServer.start(ServeConfig.standard().withPort(0).withGuards(g), answerer)) {
      assertEquals(200, Http.exact(named.port(), ascii("GET /health HTTP/1.1\r\nHost: search.example:80\r\n"
          + "Connection: close\r\n\r\n")).status());
      assertEquals(403, Http.exact(named.port(), ascii("GET /health HTTP/1.1\r\nHost: localhost\r\n"
          + "Connection: close\r\n\r\n")).status());
    }
  }

  Reply post(String contentType, byte[] body) throws IOException {
    return Http.exact(server.port(), concat(ascii("POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n") + "Content-Length: " + body.length
        + "\r\n\r\n"), body));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void postsMustBeUtf8JsonWithEachKeyOnce() throws Exception {
    byte[] ok = "{\"questions\": [\"a?\"]}".getBytes(StandardCharsets.UTF_8);
    checkError(post(null, ok), 415, "no Content-Type: send the body as Content-Type: application/json", "none");
    checkError(post("text/plain", ok), 415, "text/plain is not accepted", "text/plain");
    checkError(post("application/json; charset=iso-8859-1", ok), 415, "must be UTF-8", "latin-1 type");
    assertEquals(200, post("application/json;charset=UTF-8", ok).status());
    byte[] latin1 = "{\"questions\": [\"caf\u00e9?\"]}".getBytes(StandardCharsets.ISO_8859_1);
    checkError(post("application/json", latin1), 400, "not valid UTF-8", "latin-1 body");
    checkError(post("application/json", "{\"questions\": [\"a\"], \"questions\": [\"b\"]}".getBytes(
        StandardCharsets.UTF_8)), 400, "the key 'questions' appears twice", "duplicate");
    String deep = "[".repeat(40) + "]".repeat(40);
    checkError(post("application/json", ("{\"questions\": " + deep + "}").getBytes(StandardCharsets.UTF_8)), 400,
        "nested deeper", "deep");
  }

  @Test
  void jsonErrorsSayWhatIsWrongInOurWords() throws Exception {
    String[] bodies = {"{'questions': ['a']}", "{\"questions\": [\"a\"]", "not json", "{\"questions\": [\"a\",]}",
        "{\"questions\" [\"a\"]}", "{\"questions\": [\"a\"]} trailing"};
    for (String b : bodies) {
      Reply r = post("application/json", b.getBytes(StandardCharsets.UTF_8));
      checkError(r, 400, "malformed JSON", b);
      String m = r.json().get("error").getAsString();
      assertTrue(m.matches("malformed JSON( at line \\d+ column \\d+)?: .+"), b + " -> " + m);
      for (String gson : new String[] {"setStrictness", "LENIENT", "JsonReader", "Troubleshooting", "path $"}) {
        assertFalse(m.contains(gson), b + " -> " + m);
      }
    }
  }

  @Test
  void echoedInputIsCapped() throws Exception {
    String longName = "p".repeat(5000);
    for (String target : new String[] {"/api/search?q=x&" + longName + "=1", "/api/search?q=x&unit=" + longName,
        "/api/search?q=x&k=" + "9".repeat(3000), "/nothing" + longName, "/api/" + longName}) {
      Reply r = get(target, "127.0.0.1", "");
      assertTrue(r.status() >= 400 && r.status() < 500, target.substring(0, 30) + " -> " + r.status());
      assertTrue(r.body().length() < 300, "the error echoes at most a few dozen characters: " + r.body());
    }
    Reply b = post("application/json", ("{\"questions\": [\"a\"], \"" + longName.substring(2000) + "\": 1}").getBytes(
        StandardCharsets.UTF_8));
    checkError(b, 400, "unknown field 'ppp", "long field");
    assertTrue(b.body().length() < 300, b.body());
  }

  @Test
  void aQuestionWithoutWordsIsRefused() throws Exception {
    checkError(get("/api/search?q=%3F%3F%20%21", "127.0.0.1", ""), 400, "q: the question has no words", "???");
    checkError(post("application/json", "{\"questions\": [\"ok?\", \"...\"]}".getBytes(StandardCharsets.UTF_8)), 400,
        "questions[1]: the question has no words", "batch");
    assertEquals(200, get("/api/search?q=%E5%8C%97%E4%BA%AC%3F", "127.0.0.1", "").status(), "letters of any script");
  }

  @Test
  void requestsOverTheCostBudgetAre413() throws Exception {
    StringBuilder qs = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      qs.append(i == 0 ? "" : ",").append("\"q").append(i).append("?\"");
    }
    Reply r = post("application/json", ("{\"questions\": [" + qs + "], \"k\": 20}").getBytes(StandardCharsets.UTF_8));
    checkError(r, 413, "this request costs 3200 (8 questions x k 20 x max_answer_length 20); at most 2000", "batch");
    checkError(get("/api/search?q=x&k=20&max_answer_length=128", "127.0.0.1", ""), 413, "costs 2560", "get");
    assertEquals(200, get("/api/search?q=x&k=20&max_answer_length=100", "127.0.0.1", "").status(), "2000 fits");
    checkError(get("/api/search?q=x&timeout_ms=0", "127.0.0.1", ""), 400, "timeout_ms must be in [1, 60000]", "t0");
    checkError(get("/api/search?q=x&timeout_ms=99999999", "127.0.0.1", ""), 400, "timeout_ms must be in", "tmax");
  }

  @Test
  void headIsAllowedOnHealthAndThePage() throws Exception {
    for (String p : new String[] {"/health", "/", "/app.js"}) {
      Reply r = Http.exact(server.port(), ascii("HEAD " + p + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "\r\n"));
      assertEquals(200, r.status(), p);
      assertEquals("", r.body(), "HEAD has no body: " + p);
    }
    Reply api = Http.exact(server.port(), ascii("HEAD /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n\r\n"));
    assertEquals(405, api.status());
    assertTrue(api.headers().contains("allow: get"), api.headers());
  }

  @Test
  void aBodyThatDoesNotComeGets408Soon() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(ascii("POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
          + "\r\nContent-Length: 100\r\n\r\n{\"questio"));
      long t0 = System.nanoTime();
      String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      double secs = (System.nanoTime() - t0) / 1e9;
      assertTrue(resp.startsWith("HTTP/1.1 408"), resp);
      assertTrue(resp.contains("did not arrive within 300 ms (9 of 100 bytes came)"), resp);
      assertTrue(secs < 3, "408 after the body timeout, not Jetty's idle timeout: " + secs + " s");
    }
  }

  @Test
  void corsHeadersOnlyForConfiguredOrigins() throws Exception {
    Reply foreign = get("/api/search?q=x", "127.0.0.1", "Origin: http://evil.example\r\n");
    assertEquals(200, foreign.status());
    assertFalse(foreign.headers().contains("access-control-allow-origin"), foreign.headers());
    Reply mine = get("/api/search?q=x", "127.0.0.1", "Origin: " + ORIGIN + "\r\n");
    assertTrue(mine.headers().contains("access-control-allow-origin: " + ORIGIN), mine.headers());
    Reply preflight = Http.exact(server.port(), ascii("OPTIONS /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
        + ORIGIN + "\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n"));
    assertEquals(204, preflight.status());
    assertTrue(preflight.headers().contains("access-control-allow-methods: get, post"), preflight.headers());
    Reply evilPreflight = Http.exact(server.port(), ascii("OPTIONS /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n"));
    assertEquals(405, evilPreflight.status());
    assertFalse(evilPreflight.headers().contains("access-control-allow"), evilPreflight.headers());
  }

  @Test
  void anApiKeyGuardsTheApiAndMetrics() throws Exception {
    String key = "k3y-0123456789abcdef";
    Guards g = Guards.standard().withAccess(List.of(), List.of(), key);
    try (SearchServer keyed = SearchServer.start(ServeConfig.standard().withPort(0).withGuards(g), answerer)) {
      int port = keyed.port();
      Reply none = Http.raw(port, "GET", "/api/search?q=x", null, null);
      checkError(none, 401, "needs an API key", "no key");
      assertTrue(none.headers().contains("www-authenticate: bearer"), none.headers());
      checkError(Http.raw(port, "GET", "/api/search?q=x", "Authorization: Bearer wrong-key-0123456789\r\n", null), 401,
          "the API key is wrong", "wrong");
      checkError(Http.raw(port, "GET", "/metrics", null, null), 401, "API key", "metrics");
      assertEquals(200, Http.raw(port, "GET", "/api/search?q=x", "Authorization: Bearer " + key + "\r\n", null)
          .status());
      assertEquals(200, Http.raw(port, "GET", "/health", null, null).status(), "health stays open");
    }
  }

  @Test
  void slowHeadersAreCutOffAtTheHeaderDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      long t0 = System.nanoTime();
      boolean closed = false;
      byte[] trickle = ascii("X-Slow: " + "a".repeat(100));
      for (int i = 0; i < trickle.length && !closed; i++) { // one byte every 100 ms: never idle for Jetty
        try {
          out.write(trickle[i]);
          out.flush();
          Thread.sleep(100);
          s.setSoTimeout(1);
          closed = s.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
          // still open
        } catch (SocketException e) {
          closed = true;
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      assertTrue(closed, "the server closes a connection that trickles its headers");
      assertTrue(secs < 3, "closed near the 400 ms header deadline: " + secs + " s");
    }
    assertTrue(server.metrics().count("connections_closed", "header_timeout") >= 1);
  }

  @Test
  void connectionsPerAddressAreCapped() throws Exception {
    Guards g = Guards.standard().withConnections(5_000, 5_000, 30_000, 3, 100);
    try (SearchServer capped = SearchServer.start(ServeConfig.standard().withPort(0).withGuards(g), answerer)) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          held.add(new Socket("127.0.0.1", capped.port()));
        }
        Thread.sleep(200); // the server has seen them open
        try (Socket extra = new Socket("127.0.0.1", capped.port())) {
          extra.setSoTimeout(5_000);
          int r;
          try {
            r = extra.getInputStream().read();
          } catch (SocketException e) {
            r = -1;
          }
          assertEquals(-1, r, "the fourth connection from one address is closed at once");
        }
        assertEquals(1, capped.metrics().count("connections_closed", "per_address_cap"));
        held.remove(0).close();
        long end = System.nanoTime() + 5_000_000_000L;
        int status = 0;
        while (status != 200 && System.nanoTime() < end) { // the server notices the close, then a slot is free
          Thread.sleep(50);
          try {
            status = Http.raw(capped.port(), "GET", "/health", null, null).status();
          } catch (IOException | RuntimeException e) {
            status = 0;
          }
        }
        assertEquals(200, status, "a freed slot can be used again");
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void refusalsByJettyAreCounted() throws Exception {
    double before = jettyCount(431);
    Reply big = get("/health", "127.0.0.1", "X-Big: " + "b".repeat(20_000) + "\r\n");
    assertEquals(431, big.status());
    Reply version = Http.exact(server.port(), ascii("GET /health HTTP/7.1\r\nHost: 127.0.0.1\r\n\r\n"));
    assertTrue(version.status() == 505 || version.status() == 400, "bad version -> " + version.status());
    var samples = MetricsFormatTest.parse(Http.get(base, "metrics").body());
    assertEquals(before + 1, MetricsFormatTest.value(samples, "densephrases_http_requests_total",
        Map.of("endpoint", "jetty", "status", "431")));
    assertTrue(MetricsFormatTest.value(samples, "densephrases_http_requests_total",
        Map.of("endpoint", "jetty", "status", Integer.toString(version.status()))) >= 1);
  }

  double jettyCount(int status) throws Exception {
    double v = MetricsFormatTest.value(MetricsFormatTest.parse(Http.get(base, "metrics").body()),
        "densephrases_http_requests_total", Map.of("endpoint", "jetty", "status", Integer.toString(status)));
    return Double.isNaN(v) ? 0 : v;
  }
}
