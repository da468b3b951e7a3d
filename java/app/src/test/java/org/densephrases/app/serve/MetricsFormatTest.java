package org.densephrases.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.app.serve.Http.Reply;
import org.junit.jupiter.api.Test;

/** /metrics parses as Prometheus text format 0.0.4 and counts what happened. */
class MetricsFormatTest {
  static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+");
  static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
  static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
  static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(" + LABEL + "(?:," + LABEL
      + ")*)?\\})? (-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)");
  static final Pattern ONE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  /** Checks the syntax and the rules a scraper relies on; returns the samples. */
  static List<Sample> parse(String text) {
    assertTrue(text.endsWith("\n"), "the exposition ends with a newline");
    Map<String, String> types = new HashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP ")) {
        assertTrue(HELP.matcher(line).matches(), line);
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        Matcher m = TYPE.matcher(line);
        assertTrue(m.matches(), line);
        assertTrue(types.put(m.group(1), m.group(2)) == null, "TYPE given twice: " + line);
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        fail("not a sample line: '" + line + "'");
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher l = ONE_LABEL.matcher(m.group(3));
        while (l.find()) {
          assertTrue(labels.put(l.group(1), l.group(2)) == null, "label twice: " + line);
        }
      }
      String name = m.group(1);
      String family = types.containsKey(name) ? name : name.replaceAll("_(bucket|sum|count)$", "");
      String type = types.get(family);
      assertTrue(type != null, "sample before its # TYPE: " + line);
      if (type.equals("counter")) {
        assertTrue(name.endsWith("_total"), "counters end in _total: " + line);
      }
      if (!family.equals(name)) {
        assertEquals("histogram", type, line);
      }
      double v = m.group(4).endsWith("Inf") ? (m.group(4).startsWith("-") ? Double.NEGATIVE_INFINITY
          : Double.POSITIVE_INFINITY) : Double.parseDouble(m.group(4));
      samples.add(new Sample(name, labels, v));
    }
    // Histograms: buckets cumulative in le order, +Inf present and equal to _count.
    Map<String, List<Sample>> buckets = new LinkedHashMap<>();
    Map<String, Double> counts = new HashMap<>();
    for (Sample s : samples) {
      Map<String, String> rest = new LinkedHashMap<>(s.labels());
      rest.remove("le");
      if (s.name().endsWith("_bucket")) {
        buckets.computeIfAbsent(s.name().replace("_bucket", "") + rest, k -> new ArrayList<>()).add(s);
      } else if (s.name().endsWith("_count")) {
        counts.put(s.name().replace("_count", "") + rest, s.value());
      }
    }
    for (var e : buckets.entrySet()) {
      double prevLe = Double.NEGATIVE_INFINITY;
      double prev = 0;
      for (Sample b : e.getValue()) {
        String le = b.labels().get("le");
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        assertTrue(bound > prevLe, "le in increasing order: " + e.getKey());
        assertTrue(b.value() >= prev, "buckets are cumulative: " + e.getKey());
        prevLe = bound;
        prev = b.value();
      }
      assertEquals(Double.POSITIVE_INFINITY, prevLe, "+Inf bucket last: " + e.getKey());
      assertEquals(counts.get(e.getKey()), prev, "+Inf equals _count: " + e.getKey());
    }
    return samples;
  }

  static double value(List<Sample> samples, String name, Map<String, String> labels) {
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
        return s.value();
      }
    }
    return Double.NaN;
  }

  @Test
  void metricsParseAndCountRequests() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    try (SearchServer server = SearchServer.start(ServeConfig.standard().withPort(0), a)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, Http.get(server.uri(), "api/search?q=q" + i).status());
      }
      assertEquals(400, Http.get(server.uri(), "api/search?q=x&k=0").status());
      assertEquals(200, Http.post(server.uri(), "api/batch", "application/json", "{\"questions\":[\"a\",\"b\"]}")
          .status());
      assertEquals(200, Http.get(server.uri(), "").status());
      Reply r = Http.get(server.uri(), "metrics");
      assertEquals(200, r.status());
      assertTrue(r.contentType().startsWith("text/plain; version=0.0.4"), r.contentType());
      List<Sample> s = parse(r.body());
      assertEquals(3, value(s, "densephrases_http_requests_total", Map.of("endpoint", "/api/search", "status", "200")));
      assertEquals(1, value(s, "densephrases_http_requests_total", Map.of("endpoint", "/api/search", "status", "400")));
      assertEquals(1, value(s, "densephrases_http_requests_total", Map.of("endpoint", "/api/batch", "status", "200")));
      assertEquals(1, value(s, "densephrases_http_requests_total", Map.of("endpoint", "static", "status", "200")));
      assertEquals(4, value(s, "densephrases_http_request_duration_seconds_count", Map.of("endpoint", "/api/search")));
      assertEquals(4, value(s, "densephrases_http_request_duration_seconds_bucket",
          Map.of("endpoint", "/api/search", "le", "+Inf")));
      assertEquals(5, value(s, "densephrases_questions_total", Map.of()));
      assertEquals(4, value(s, "densephrases_search_batch_questions_count", Map.of()));
      assertEquals(1, value(s, "densephrases_backend_info", Map.of("backend", "fake", "device", "no device",
          "index", "exact", "model", "fake-model")));
      assertEquals(1234, value(s, "densephrases_index_bytes", Map.of()));
      assertEquals(5678, value(s, "densephrases_dump_bytes", Map.of()));
      assertEquals(42, value(s, "densephrases_index_phrases", Map.of()));
      assertEquals(0, value(s, "densephrases_search_failures_total", Map.of()));
      assertTrue(value(s, "densephrases_jvm_heap_used_bytes", Map.of()) > 0);
    }
  }

  @Test
  void labelValuesAreEscaped() {
    Metrics m = new Metrics(new ServerInfo("b\"ack\\end", "dev\nice", "sq8", "m", 1, 2, 3, 4));
    m.request("/api/search", 200, 1_500_000);
    List<Sample> s = parse(m.render());
    assertEquals(1, value(s, "densephrases_backend_info", Map.of("backend", "b\\\"ack\\\\end", "device", "dev\\nice")));
    assertEquals(1, value(s, "densephrases_http_request_duration_seconds_bucket",
        Map.of("endpoint", "/api/search", "le", "0.0025")));
    assertEquals(0, value(s, "densephrases_http_request_duration_seconds_bucket",
        Map.of("endpoint", "/api/search", "le", "0.001")));
  }
}
