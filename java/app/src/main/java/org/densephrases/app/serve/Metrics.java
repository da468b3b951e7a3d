package org.densephrases.app.serve;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters, written in the Prometheus text exposition format (version 0.0.4) by hand: a few counters, two
 * histograms and some gauges do not need a client library. Every metric is named {@code densephrases_*}; endpoint
 * labels come from a fixed set (the server maps every other path to "static" or "other"), so label values stay few.
 */
public final class Metrics {
  /** Request latency buckets, seconds. */
  static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /** Questions per search call. */
  static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

  private static final class Histogram {
    final double[] bounds;
    final LongAdder[] counts; // per bucket, not cumulative; the last one is +Inf
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new LongAdder[bounds.length + 1];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double v) {
      int i = 0;
      while (i < bounds.length && v > bounds[i]) {
        i++;
      }
      counts[i].increment();
      sum.add(v);
      count.increment();
    }

    void write(StringBuilder sb, String name, String labels) {
      // Read count first, buckets after: a concurrent observation may then make +Inf exceed _count by a few, never
      // fall below it. Cumulative buckets are summed from one snapshot of the per-bucket counts.
      long[] snap = new long[counts.length];
      for (int i = 0; i < counts.length; i++) {
        snap[i] = counts[i].sum();
      }
      long cum = 0;
      String sep = labels.isEmpty() ? "" : labels + ",";
      for (int i = 0; i < bounds.length; i++) {
        cum += snap[i];
        sb.append(name).append("_bucket{").append(sep).append("le=\"").append(num(bounds[i])).append("\"} ")
            .append(cum).append('\n');
      }
      cum += snap[bounds.length];
      sb.append(name).append("_bucket{").append(sep).append("le=\"+Inf\"} ").append(cum).append('\n');
      String l = labels.isEmpty() ? "" : "{" + labels + "}";
      sb.append(name).append("_sum").append(l).append(' ').append(num(sum.sum())).append('\n');
      sb.append(name).append("_count").append(l).append(' ').append(cum).append('\n');
    }
  }

  private final java.util.function.Supplier<ServerInfo> info; // changes when serve reloads a new generation
  private final LongAdder reloads = new LongAdder();
  private final long startNanos = System.nanoTime();
  private final Map<String, Map<Integer, LongAdder>> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final Histogram batchSize = new Histogram(BATCH_BUCKETS);
  private final DoubleAdder searchSeconds = new DoubleAdder();
  private final LongAdder questions = new LongAdder();
  private final LongAdder searchFailures = new LongAdder();
  private final Map<String, LongAdder> abandoned = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> cancelled = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadlines = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> connectionsClosed = new ConcurrentHashMap<>();
  private final Histogram queueWait = new Histogram(LATENCY_BUCKETS);
  /** Per search call, seconds in each stage (encode, first_stage, span, aggregate), in that order. */
  private final Map<String, Histogram> stages = stageHistograms();
  private volatile IntSupplier inFlight = () -> 0;
  private volatile IntSupplier queued = () -> 0;
  private volatile IntSupplier connections = () -> 0;

  Metrics(ServerInfo info) {
    this(() -> info);
  }

  /** Metrics of what {@code info} says is served at the time of each rendering. */
  Metrics(java.util.function.Supplier<ServerInfo> info) {
    this.info = info;
  }

  /** A new dump generation was loaded. */
  public void reloaded() {
    reloads.increment();
  }

  void gauges(IntSupplier inFlightRequests, IntSupplier queuedQuestions, IntSupplier openConnections) {
    this.inFlight = inFlightRequests;
    this.queued = queuedQuestions;
    this.connections = openConnections;
  }

  /** A request whose client went away before its response was written: not counted under any status. */
  void abandoned(String endpoint) {
    abandoned.computeIfAbsent(endpoint, e -> new LongAdder()).increment();
  }

  /** A request Jetty refused itself (bad request line, header or URI too large, ...) before our handler saw it. */
  void rejectedByJetty(int status) {
    requests.computeIfAbsent("jetty", e -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new LongAdder()).increment();
  }

  /** A queued job dropped because its client went away; stage = queued or running. */
  void cancelled(String stage) {
    cancelled.computeIfAbsent(stage, e -> new LongAdder()).increment();
  }

  /** A job whose deadline passed; stage = queued or running. */
  void deadlineExceeded(String stage) {
    deadlines.computeIfAbsent(stage, e -> new LongAdder()).increment();
  }

  /** Time a job waited for a search worker. */
  void queueWait(long nanos) {
    queueWait.observe(nanos / 1e9);
  }

  /** A connection the server closed on its own: per_address_cap, header_timeout. */
  void connectionClosed(String reason) {
    connectionsClosed.computeIfAbsent(reason, e -> new LongAdder()).increment();
  }

  /** Counter value by label (tests). */
  long count(String counter, String label) {
    Map<String, LongAdder> m = switch (counter) {
      case "abandoned" -> abandoned;
      case "cancelled" -> cancelled;
      case "deadline" -> deadlines;
      case "connections_closed" -> connectionsClosed;
      default -> throw new IllegalArgumentException(counter);
    };
    LongAdder a = m.get(label);
    return a == null ? 0 : a.sum();
  }

  /** One finished request. */
  void request(String endpoint, int status, long nanos) {
    requests.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new LongAdder()).increment();
    latency.computeIfAbsent(endpoint, e -> new Histogram(LATENCY_BUCKETS)).observe(nanos / 1e9);
  }

  /** One search call of n questions. */
  void batchRan(int n, long nanos) {
    batchSize.observe(n);
    questions.add(n);
    searchSeconds.add(nanos / 1e9);
  }

  private static Map<String, Histogram> stageHistograms() {
    Map<String, Histogram> m = new java.util.LinkedHashMap<>();
    for (String st : new String[] {"encode", "first_stage", "span", "aggregate"}) {
      m.put(st, new Histogram(LATENCY_BUCKETS));
    }
    return m;
  }

  /** The stages of one search call: one observation per stage of the stage histograms. */
  void stagesRan(org.densephrases.search.SearchSession.Results r) {
    stages.get("encode").observe(r.encodeMs() / 1e3);
    stages.get("first_stage").observe(r.firstStageMs() / 1e3);
    stages.get("span").observe(r.spanMs() / 1e3);
    stages.get("aggregate").observe(r.aggregateMs() / 1e3);
  }

  void searchFailed() {
    searchFailures.increment();
  }

  /** Requests counted so far for an endpoint and status (tests). */
  long requests(String endpoint, int status) {
    Map<Integer, LongAdder> m = requests.get(endpoint);
    LongAdder a = m == null ? null : m.get(status);
    return a == null ? 0 : a.sum();
  }

  /**
   * The exposition, content type {@code text/plain; version=0.0.4}.
   *
   * @return every metric with its HELP and TYPE lines, rendered now (gauges and server info read at this moment)
   */
  public String render() {
    ServerInfo info = this.info.get();
    StringBuilder sb = new StringBuilder(4096);
    header(sb, "densephrases_http_requests_total", "counter", "HTTP requests by endpoint and status code.");
    for (var e : new TreeMap<>(requests).entrySet()) {
      for (var s : new TreeMap<>(e.getValue()).entrySet()) {
        sb.append("densephrases_http_requests_total{endpoint=\"").append(esc(e.getKey())).append("\",status=\"")
            .append(s.getKey()).append("\"} ").append(s.getValue().sum()).append('\n');
      }
    }
    header(sb, "densephrases_http_request_duration_seconds", "histogram",
        "Time from a request's arrival to its response being handed to the connection, by endpoint.");
    for (var e : new TreeMap<>(latency).entrySet()) {
      e.getValue().write(sb, "densephrases_http_request_duration_seconds", "endpoint=\"" + esc(e.getKey()) + "\"");
    }
    labelled(sb, "densephrases_http_requests_abandoned_total", "Requests whose client went away before the response "
        + "was written (not counted in http_requests_total).", "endpoint", abandoned);
    labelled(sb, "densephrases_cancelled_total", "Jobs whose client went away: dropped from the queue (stage "
        + "queued) or answered to nobody (stage running).", "stage", cancelled);
    labelled(sb, "densephrases_deadline_exceeded_total", "Requests answered 504 because their deadline passed, by "
        + "where they were.", "stage", deadlines);
    labelled(sb, "densephrases_connections_closed_total", "Connections the server closed on its own, by reason.",
        "reason", connectionsClosed);
    header(sb, "densephrases_queue_wait_seconds", "histogram", "Time a job waited in the queue for a search worker.");
    queueWait.write(sb, "densephrases_queue_wait_seconds", "");
    header(sb, "densephrases_search_batch_questions", "histogram",
        "Questions per search call (micro-batched single requests and /api/batch requests).");
    batchSize.write(sb, "densephrases_search_batch_questions", "");
    header(sb, "densephrases_search_seconds_total", "counter", "Time spent in search calls (encoding included).");
    sb.append("densephrases_search_seconds_total ").append(num(searchSeconds.sum())).append('\n');
    header(sb, "densephrases_search_stage_seconds", "histogram", "Time of each stage of a search call: encode"
        + " (question encoder), first_stage (IVF or flat scan), span (span scoring), aggregate (grouping, texts,"
        + " evidence).");
    for (var e : stages.entrySet()) {
      e.getValue().write(sb, "densephrases_search_stage_seconds", "stage=\"" + e.getKey() + "\"");
    }
    header(sb, "densephrases_questions_total", "counter", "Questions answered by search calls.");
    sb.append("densephrases_questions_total ").append(questions.sum()).append('\n');
    header(sb, "densephrases_search_failures_total", "counter", "Search calls that failed (their requests got 500).");
    sb.append("densephrases_search_failures_total ").append(searchFailures.sum()).append('\n');
    header(sb, "densephrases_http_requests_in_flight", "gauge", "Requests being handled now.");
    sb.append("densephrases_http_requests_in_flight ").append(inFlight.getAsInt()).append('\n');
    header(sb, "densephrases_queued_questions", "gauge", "Questions waiting for a search worker.");
    sb.append("densephrases_queued_questions ").append(queued.getAsInt()).append('\n');
    header(sb, "densephrases_connections_open", "gauge", "Open HTTP connections.");
    sb.append("densephrases_connections_open ").append(connections.getAsInt()).append('\n');
    header(sb, "densephrases_backend_info", "gauge", "What is served: kernel backend, its device, index and model.");
    sb.append("densephrases_backend_info{backend=\"").append(esc(info.backend())).append("\",device=\"")
        .append(esc(info.device())).append("\",index=\"").append(esc(info.index())).append("\",model=\"")
        .append(esc(info.modelId())).append("\"} 1\n");
    header(sb, "densephrases_index_bytes", "gauge",
        "Bytes of the first-stage structure (IVF index file, or the scanned dump vectors for exact search).");
    sb.append("densephrases_index_bytes ").append(info.indexBytes()).append('\n');
    header(sb, "densephrases_dump_bytes", "gauge", "Bytes of the phrase dump (vectors and metadata).");
    sb.append("densephrases_dump_bytes ").append(info.dumpBytes()).append('\n');
    header(sb, "densephrases_index_phrases", "gauge", "Phrase tokens searchable (each a start and an end).");
    sb.append("densephrases_index_phrases ").append(info.phrases()).append('\n');
    header(sb, "densephrases_index_documents", "gauge", "Documents (paragraphs) in the dump.");
    sb.append("densephrases_index_documents ").append(info.documents()).append('\n');
    header(sb, "densephrases_dump_generation", "gauge", "Dump generation served (0: never changed after the dump).");
    sb.append("densephrases_dump_generation ").append(info.generation()).append('\n');
    header(sb, "densephrases_reloads_total", "counter", "New dump generations loaded while serving.");
    sb.append("densephrases_reloads_total ").append(reloads.sum()).append('\n');
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    header(sb, "densephrases_jvm_heap_used_bytes", "gauge", "JVM heap in use (garbage included).");
    sb.append("densephrases_jvm_heap_used_bytes ").append(heap.getUsed()).append('\n');
    header(sb, "densephrases_uptime_seconds", "gauge", "Seconds since the server started.");
    sb.append("densephrases_uptime_seconds ").append(num((System.nanoTime() - startNanos) / 1e9)).append('\n');
    return sb.toString();
  }

  private static void labelled(StringBuilder sb, String name, String help, String label,
      Map<String, LongAdder> values) {
    header(sb, name, "counter", help);
    for (var e : new TreeMap<>(values).entrySet()) {
      sb.append(name).append('{').append(label).append("=\"").append(esc(e.getKey())).append("\"} ")
          .append(e.getValue().sum()).append('\n');
    }
  }

  private static void header(StringBuilder sb, String name, String type, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** Label values escape backslash, double quote and newline (the format's rule). */
  static String esc(String s) {
    return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v); // shortest round-trip form; Prometheus parses "1.0E-4" too
  }
}
