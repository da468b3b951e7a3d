package org.densephrases.app.serve;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP service: Jetty 12 (core handlers, no servlet layer) in front of one {@link MicroBatcher} and one
 * {@link Answerer} (model and index loaded once, shared by every request).
 *
 * <pre>
 * GET  /api/search?q=&amp;k=&amp;unit=&amp;max_answer_length=&amp;timeout_ms=   one question
 * POST /api/batch {"questions": [...], "k", "unit", "max_answer_length", "timeout_ms"}   many, one search call
 * GET  /health     GET /metrics (Prometheus text)     GET / and /&lt;file&gt;: the web page
 * </pre>
 *
 * <p>Searches complete asynchronously: a request waits in the batcher's queue without holding a Jetty thread, and its
 * response is written from Jetty's pool. Every request has a deadline (504 when it passes); a client that goes away
 * has its queued job dropped; a failed search answers 500 with JSON and leaves the server as it was. Before routing,
 * a request must name an allowed Host (DNS rebinding), carry the API key when one is set, and a POST must be
 * {@code application/json}; CORS headers are sent only to configured origins. {@link ConnectionGuard} closes slow and
 * surplus connections. {@link #close()} stops within {@code shutdownMillis}: queued requests get 503 at once, new
 * connections are refused, searches in progress get until the time is up, then whatever is left is answered 503.
 */
public final class SearchServer implements AutoCloseable {
  private final ServeConfig config;
  private final Guards guards;
  private final Answerer answerer;
  private final Metrics metrics;
  private final MicroBatcher batcher;
  private final Requests requests;
  private final ConnectionGuard connections;
  private final Access access;
  private final StaticFiles files = new StaticFiles();
  private final Server server;
  private final ServerConnector connector;
  private final Executor executor;
  private final ScheduledExecutorService timers;
  private final Set<Exchange> live = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long startNanos = System.nanoTime();

  private SearchServer(ServeConfig config, Answerer answerer) {
    this.config = config;
    this.guards = config.guards();
    this.answerer = answerer;
    this.metrics = new Metrics(answerer::info); // answerer.info() changes when a new generation is loaded
    this.requests = new Requests(config);
    this.batcher = new MicroBatcher(answerer, config.defaults(), config.batchWaitMillis(), config.batchMaxQuestions(),
        config.searchThreads(), config.maxQueuedQuestions(), guards.maxQueueMillis(), metrics);
    this.connections = new ConnectionGuard(guards.maxConnectionsPerAddress(), guards.headerTimeoutMillis(), metrics);
    this.access = new Access(config.host(), guards);
    metrics.gauges(inFlight::get, batcher::queuedQuestions, connections::open);
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("densephrases-timers")
        .daemon(true).unstarted(r));
    QueuedThreadPool pool = new QueuedThreadPool(config.httpThreads(), Math.min(8, config.httpThreads()));
    pool.setName("densephrases-http");
    this.server = new Server(pool);
    this.executor = pool;
    this.connector = new ServerConnector(server);
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(guards.idleTimeoutMillis());
    connector.addEventListener(connections);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(guards.maxConnections(), connector));
    server.setHandler(new GracefulHandler(new Api()));
    server.setErrorHandler(new JsonErrorHandler(metrics));
    server.setStopTimeout(config.shutdownMillis());
    server.setStopAtShutdown(false); // ServeCommand stops us on SIGTERM/SIGINT, in order (server, then answerer)
  }

  /**
   * Starts serving; the port is bound when this returns.
   *
   * @param config how to listen, batch and guard
   * @param answerer what answers questions; the server does not close it
   * @return the running server
   * @throws Exception when the port cannot be bound or Jetty fails to start
   */
  public static SearchServer start(ServeConfig config, Answerer answerer) throws Exception {
    SearchServer s = new SearchServer(config, answerer);
    try {
      s.server.start();
    } catch (Exception e) {
      s.batcher.close(0);
      s.connections.close();
      s.timers.shutdownNow();
      try {
        s.server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return s;
  }

  /**
   * The bound port (the ephemeral one when the config said 0).
   *
   * @return the local TCP port, never 0 once started
   */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@return the server's base URL ({@code http://host:port/}; a wildcard bind address reads as 127.0.0.1)} */
  public URI uri() {
    String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    if (h.equals("0.0.0.0") || h.equals("[::]")) {
      h = "127.0.0.1";
    }
    return URI.create("http://" + h + ":" + port() + "/");
  }

  /** {@return the server's counters and histograms, as {@code /metrics} renders them} */
  public Metrics metrics() {
    return metrics;
  }

  /**
   * Host header names accepted (lower case, no port).
   *
   * @return the accepted names
   */
  public Set<String> allowedHosts() {
    return access.allowedHosts();
  }

  /**
   * Blocks until the server stops.
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public void join() throws InterruptedException {
    server.join();
  }

  /**
   * Stops within {@code shutdownMillis}: queued requests are answered 503 at once and the listener stops accepting;
   * searches in progress may finish until shortly before the time is up, when every request still open is answered
   * 503; then Jetty stops and the search workers are waited for with what time is left. Never throws: problems are
   * reported on stderr.
   *
   * @return true if everything stopped in time (a search call that outlasts the timeout leaves its daemon worker
   *     behind: the answerer's close must cope with a call in progress)
   */
  public boolean stop() {
    if (!closed.compareAndSet(false, true)) {
      return true;
    }
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.shutdownMillis());
    long margin = TimeUnit.MILLISECONDS.toNanos(Math.min(500, config.shutdownMillis() / 5));
    boolean ok = true;
    batcher.shutdown();
    Thread jetty = Thread.ofPlatform().name("densephrases-jetty-stop").start(() -> {
      try {
        server.stop();
      } catch (Exception e) {
        System.err.println("densephrases serve: stopping the HTTP server: " + e);
      }
    });
    try {
      if (!batcher.awaitRunning(Math.max(0, end - margin - System.nanoTime()))) {
        ok = false;
        batcher.failRunning("the server is shutting down and the search did not finish within the shutdown "
            + "timeout of " + config.shutdownMillis() + " ms");
      }
      // Answers of calls that just ended are being written; whatever is still open after that (a body still
      // arriving, a request Jetty has not handed over) is answered now, so Jetty's graceful stop ends in time.
      while (!live.isEmpty() && System.nanoTime() < end - margin / 2) {
        Thread.sleep(5);
      }
      for (Exchange x : List.copyOf(live)) {
        x.error(503, "the server is shutting down");
      }
      jetty.join(Duration.ofNanos(Math.max(1, end - System.nanoTime()) + margin));
      if (jetty.isAlive()) {
        ok = false;
        System.err.println("densephrases serve: the HTTP server did not stop within the shutdown timeout");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ok = false;
    }
    connections.close();
    timers.shutdownNow();
    if (!batcher.close(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())))) {
      ok = false;
      System.err.println("densephrases serve: a search call was still running at the shutdown timeout; its answers "
          + "are dropped");
    }
    return ok;
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  private final class Api extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Exchange x = new Exchange(request, response, callback);
      try {
        route(x);
      } catch (ApiException e) {
        x.error(e.status, e.getMessage());
      } catch (RuntimeException e) {
        x.fail(e);
      }
      return true;
    }
  }

  private static String endpointOf(String path) {
    return switch (path) {
      case "/api/search", "/api/batch", "/health", "/metrics" -> path;
      default -> path.startsWith("/api/") || path.equals("/api") ? "other" : "static";
    };
  }

  private void route(Exchange x) {
    String path = Request.getPathInContext(x.request);
    x.endpoint = endpointOf(path);
    access.checkHost(x.request);
    boolean api = path.startsWith("/api/") || path.equals("/metrics");
    if (access.cors(x.request, x.response, api)) {
      x.send(204, "text/plain; charset=utf-8", new byte[0]); // a preflight from an allowed origin
      return;
    }
    if (api) {
      access.checkKey(x.request, x.response);
    }
    switch (path) {
      case "/api/search" -> {
        allow(x, "GET");
        search(x);
      }
      case "/api/batch" -> {
        allow(x, "POST");
        batch(x);
      }
      case "/health" -> {
        allow(x, "GET", "HEAD");
        x.json(200, health());
      }
      case "/metrics" -> {
        allow(x, "GET");
        x.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render().getBytes(StandardCharsets.UTF_8));
      }
      default -> {
        if (x.endpoint.equals("other")) {
          throw new ApiException(404, "no such endpoint " + Requests.abbreviate(path)
              + ": the API has GET /api/search and POST /api/batch");
        }
        allow(x, "GET", "HEAD");
        var f = files.find(path).orElseThrow(() -> new ApiException(404, "not found: " + Requests.abbreviate(path)));
        x.response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        x.response.getHeaders().put("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
        x.send(200, f.contentType(), f.bytes());
      }
    }
  }

  private static void allow(Exchange x, String... methods) {
    String m = x.request.getMethod();
    for (String ok : methods) {
      if (ok.equals(m)) {
        return;
      }
    }
    String list = String.join(", ", methods);
    x.response.getHeaders().put(HttpHeader.ALLOW, list);
    throw new ApiException(405, "method " + Requests.abbreviate(m) + " not allowed on " + x.endpoint + ": use "
        + String.join(" or ", methods));
  }

  private void search(Exchange x) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    try {
      Fields fields = Request.extractQueryParameters(x.request, StandardCharsets.UTF_8);
      for (Fields.Field f : fields) {
        params.put(f.getName(), f.getValues());
      }
    } catch (RuntimeException e) {
      throw Requests.bad("malformed query string: " + Requests.abbreviate(String.valueOf(e.getMessage())));
    }
    Requests.Search s = requests.search(params);
    submit(x, List.of(s.question()), s.query(), s.timeoutMillis(), r -> {
      JsonObject o = new JsonObject();
      o.addProperty("question", s.question());
      o.addProperty("unit", s.query().unit().toString());
      o.addProperty("k", s.query().k());
      o.addProperty("max_answer_length", s.query().maxAnswerLength());
      o.add("answers", JsonViews.answers(r.answers().get(0)));
      return o;
    });
  }

  private void batch(Exchange x) {
    String type = x.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null) {
      throw new ApiException(415, "no Content-Type: send the body as Content-Type: application/json");
    }
    String t = type.toLowerCase(Locale.ROOT).replace(" ", "");
    if (!(t.equals("application/json") || t.startsWith("application/json;"))) {
      throw new ApiException(415, "content type " + Requests.abbreviate(type) + " is not accepted: send "
          + "application/json");
    }
    if (t.contains("charset=") && !t.contains("charset=utf-8") && !t.contains("charset=\"utf-8\"")) {
      throw new ApiException(415, "content type " + Requests.abbreviate(type) + ": the body must be UTF-8");
    }
    long length = x.request.getLength();
    if (length > config.maxBodyBytes()) {
      throw new ApiException(413, "the request body has " + length + " bytes; at most " + config.maxBodyBytes());
    }
    // The body must arrive in time: a client that announces more than it sends, or trickles, gets 408.
    long bodyMillis = guards.bodyTimeoutMillis();
    var timer = timers.schedule(() -> {
      x.response.getHeaders().put(HttpHeader.CONNECTION, "close");
      x.error(408, "the request body did not arrive within " + bodyMillis + " ms (" + Request.getContentBytesRead(
          x.request) + (length >= 0 ? " of " + length : "") + " bytes came)");
    }, bodyMillis, TimeUnit.MILLISECONDS);
    // Read without holding a thread; a body without Content-Length is cut off at the cap.
    Content.Source.asByteArrayAsync(x.request, config.maxBodyBytes()).whenComplete((bytes, err) -> {
      timer.cancel(false);
      if (x.done.get()) {
        return;
      }
      try {
        if (err != null) {
          Throwable e = unwrap(err);
          // Jetty fails the read with IllegalStateException("Max size (N) exceeded") once the cap is passed.
          boolean tooBig = Request.getContentBytesRead(x.request) > config.maxBodyBytes()
              || (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("Max size"));
          throw new ApiException(tooBig ? 413 : 400, tooBig
              ? "the request body is larger than " + config.maxBodyBytes() + " bytes"
              : "could not read the request body: " + Requests.abbreviate(String.valueOf(e.getMessage())));
        }
        Requests.Batch b = requests.batch(bytes);
        submit(x, b.questions(), b.query(), b.timeoutMillis(), r -> {
          JsonObject o = new JsonObject();
          o.addProperty("unit", b.query().unit().toString());
          o.addProperty("k", b.query().k());
          o.addProperty("max_answer_length", b.query().maxAnswerLength());
          var results = new com.google.gson.JsonArray();
          for (int i = 0; i < b.questions().size(); i++) {
            JsonObject one = new JsonObject();
            one.addProperty("question", b.questions().get(i));
            one.add("answers", JsonViews.answers(r.answers().get(i)));
            results.add(one);
          }
          o.add("results", results);
          return o;
        });
      } catch (ApiException e) {
        x.error(e.status, e.getMessage());
      } catch (RuntimeException e) {
        x.fail(e);
      }
    });
  }

  /** Queues the questions with what is left of the request's deadline; the response is written when they end. */
  private void submit(Exchange x, List<String> questions, Query query, long timeoutMillis,
      Function<MicroBatcher.Result, JsonObject> view) {
    long left = timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - x.startNanos);
    if (left <= 0) {
      metrics.deadlineExceeded("reading");
      throw new ApiException(504, "the request's deadline of " + timeoutMillis + " ms passed before it was read");
    }
    CompletableFuture<MicroBatcher.Result> f;
    try {
      f = batcher.submit(questions, query, x.client, left, timeoutMillis);
    } catch (MicroBatcher.OverloadedException e) {
      x.response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
      throw new ApiException(503, e.getMessage());
    } catch (MicroBatcher.ClosedException e) {
      x.response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      throw new ApiException(503, e.getMessage());
    }
    x.job = f;
    if (x.done.get()) {
      f.cancel(false); // the client went away while the request was being queued
    }
    x.watchClient();
    f.whenCompleteAsync((r, err) -> {
      if (err != null) {
        Throwable t = unwrap(err);
        switch (t) {
          case CancellationException c -> { } // the client went away: nobody to answer
          case MicroBatcher.DeadlineException d -> x.error(504, d.getMessage());
          case MicroBatcher.ClosedException c -> x.error(503, c.getMessage());
          default -> x.fail(t);
        }
        return;
      }
      try {
        JsonObject o = view.apply(r);
        o.addProperty("took_ms", JsonViews.millis(System.nanoTime() - x.startNanos));
        o.addProperty("search_ms", JsonViews.millis(r.searchNanos()));
        JsonObject stages = new JsonObject(); // of search_ms, per stage (the whole batch call the request was in)
        stages.addProperty("encode_ms", JsonViews.millis(Math.round(r.stageMs()[0] * 1e6)));
        stages.addProperty("first_stage_ms", JsonViews.millis(Math.round(r.stageMs()[1] * 1e6)));
        stages.addProperty("span_ms", JsonViews.millis(Math.round(r.stageMs()[2] * 1e6)));
        stages.addProperty("aggregate_ms", JsonViews.millis(Math.round(r.stageMs()[3] * 1e6)));
        o.add("stages", stages);
        o.addProperty("queue_ms", JsonViews.millis(r.queueNanos()));
        o.addProperty("batch_questions", r.batchQuestions());
        ServerInfo info = answerer.info();
        o.addProperty("backend", info.backend());
        o.addProperty("index", info.index());
        x.json(200, o);
      } catch (RuntimeException e) {
        x.fail(e);
      }
    }, executor);
  }

  private JsonObject health() {
    ServerInfo info = answerer.info();
    JsonObject o = new JsonObject();
    o.addProperty("status", "ok");
    o.addProperty("backend", info.backend());
    o.addProperty("device", info.device());
    o.addProperty("index", info.index());
    o.addProperty("model", info.modelId());
    o.addProperty("phrases", info.phrases());
    o.addProperty("documents", info.documents());
    o.addProperty("index_bytes", info.indexBytes());
    o.addProperty("generation", info.generation());
    o.addProperty("uptime_s", Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3);
    return o;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * One request: writes at most one response and records it in the metrics once the response has gone out (a
   * response the client did not stay for is counted as abandoned, under no status).
   */
  private final class Exchange {
    final Request request;
    final Response response;
    final Callback callback;
    final Connection connection;
    final String client;
    final long startNanos = System.nanoTime();
    final AtomicBoolean done = new AtomicBoolean();
    volatile String endpoint = "other";
    volatile CompletableFuture<MicroBatcher.Result> job;
    private final AtomicBoolean watching = new AtomicBoolean();
    private volatile boolean closeAfter;

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.connection = request.getConnectionMetaData().getConnection();
      this.client = Request.getRemoteAddr(request);
      inFlight.incrementAndGet();
      live.add(this);
      connections.requestStarted(connection);
      // A client that closes its connection: drop its queued job. An idle connection while we search is not a
      // failure: the request's deadline bounds the wait.
      request.addFailureListener(this::abandon);
      request.addIdleTimeoutListener(t -> false);
    }

    /**
     * Watches the connection while the request waits for its answer. Jetty's HTTP/1.1 connection does not read while
     * a request is being handled, so a client that closes its socket goes unnoticed until the response is written
     * (the failure listener above only hears of it then, or of a failed read). Once the request is fully read we
     * register our own read interest: end of stream means the client went away (its job is cancelled); bytes mean a
     * pipelined next request, which we cannot hand back to Jetty, so the connection closes after this response.
     */
    // Registering and removing our read interest are serialised with each other, and a registration checks `done`
    // inside the lock: otherwise a response written meanwhile could leave our interest behind, and Jetty's own read
    // of the next request would then fail.
    synchronized void watchClient() {
      if (done.get() || !(connection.getEndPoint() instanceof AbstractEndPoint)) {
        return;
      }
      watching.set(true);
      if (!connection.getEndPoint().tryFillInterested(watcher)) {
        watching.set(false); // someone (Jetty) is already reading: it will see the close
      }
    }

    /** Our read interest, removed before the response is written (Jetty reads the next request after it). */
    private synchronized void unwatch() {
      if (watching.compareAndSet(true, false)
          && connection.getEndPoint() instanceof AbstractEndPoint ep) {
        ep.getFillInterest().onFail(new CancellationException("answered"));
      }
    }

    private final Callback watcher = new Callback() {
      @Override
      public void succeeded() {
        if (!watching.compareAndSet(true, false) || done.get()) {
          return;
        }
        int n;
        try {
          n = connection.getEndPoint().fill(BufferUtil.allocate(1));
        } catch (IOException e) {
          n = -1;
        }
        if (n < 0) {
          abandon(new EofException("the client closed the connection"));
        } else if (n == 0) {
          watchClient();
        } else {
          closeAfter = true;
        }
      }

      @Override
      public void failed(Throwable t) {
        if (!watching.compareAndSet(true, false) || done.get()) {
          return;
        }
        if (t instanceof TimeoutException) {
          watchClient(); // idle, not gone: the request's deadline bounds the wait
        } else {
          abandon(t);
        }
      }

      @Override
      public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
      }
    };

    void abandon(Throwable cause) {
      if (!(cause instanceof IOException)) {
        return; // not the connection (a read over the body cap, say): the code reading the request answers it
      }
      if (!done.compareAndSet(false, true)) {
        return; // the response is being written; its callback sees the failure
      }
      CompletableFuture<MicroBatcher.Result> j = job;
      if (j != null) {
        j.cancel(false);
      }
      metrics.abandoned(endpoint);
      request.setAttribute(JsonErrorHandler.ABANDONED, Boolean.TRUE); // Jetty's error response to nobody: not counted
      end();
      callback.failed(cause);
    }

    private void end() {
      inFlight.decrementAndGet();
      live.remove(this);
      connections.requestEnded(connection);
    }

    void json(int status, JsonObject o) {
      send(status, "application/json; charset=utf-8", JsonViews.write(o).getBytes(StandardCharsets.UTF_8));
    }

    void error(int status, String message) {
      send(status, "application/json; charset=utf-8",
          JsonViews.error(status, message).getBytes(StandardCharsets.UTF_8));
    }

    /** A bug or a failed search: 500 with the exception's message; the server goes on. */
    void fail(Throwable e) {
      System.err.println("densephrases serve: " + endpoint + " failed: " + e);
      error(500, "search failed: " + e.getClass().getSimpleName() + (e.getMessage() != null ? ": "
          + Requests.abbreviate(e.getMessage()) : ""));
    }

    void send(int status, String contentType, byte[] body) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      long nanos = System.nanoTime() - startNanos;
      CompletableFuture<MicroBatcher.Result> j = job;
      if (j != null && !j.isDone()) {
        j.cancel(false); // answered otherwise (shutdown): the job need not run
      }
      unwatch();
      response.setStatus(status);
      if (closeAfter) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      if (!endpoint.equals("static")) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      }
      response.write(true, ByteBuffer.wrap(body), Callback.from(() -> {
        metrics.request(endpoint, status, nanos);
        end();
        callback.succeeded();
      }, t -> {
        metrics.abandoned(endpoint);
        end();
        callback.failed(t);
      }));
    }
  }
}
