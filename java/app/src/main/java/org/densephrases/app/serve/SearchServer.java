package org.densephrases.app.serve;

import com.google.gson.JsonObject;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.densephrases.index.search.Answer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP service: Jetty 12 (core handlers, no servlet layer) in front of one {@link MicroBatcher} and one
 * {@link Answerer} (model and index loaded once, shared by every request).
 *
 * <pre>
 * GET  /api/search?q=&amp;k=&amp;unit=&amp;max_answer_length=   one question
 * POST /api/batch {"questions": [...], "k", "unit", "max_answer_length"}   many, one search call
 * GET  /health     GET /metrics (Prometheus text)     GET / and /&lt;file&gt;: the web page
 * </pre>
 *
 * <p>Searches complete asynchronously: a request waits in the batcher's queue without holding a Jetty thread, and its
 * response is written from Jetty's pool. A failed search answers 500 with JSON and leaves the server as it was.
 * {@link #close()} stops gracefully: new connections are refused, requests in flight finish (up to
 * {@code shutdownMillis}), then the search workers drain and stop.
 */
public final class SearchServer implements AutoCloseable {
  private final ServeConfig config;
  private final Answerer answerer;
  private final ServerInfo info;
  private final Metrics metrics;
  private final MicroBatcher batcher;
  private final Requests requests;
  private final StaticFiles files = new StaticFiles();
  private final Server server;
  private final ServerConnector connector;
  private final Executor executor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final long startNanos = System.nanoTime();

  private SearchServer(ServeConfig config, Answerer answerer) {
    this.config = config;
    this.answerer = answerer;
    this.info = answerer.info();
    this.metrics = new Metrics(info);
    this.requests = new Requests(config);
    this.batcher = new MicroBatcher(answerer, config.defaults(), config.batchWaitMillis(), config.batchMaxQuestions(),
        config.searchThreads(), config.maxQueuedQuestions(), metrics);
    metrics.gauges(inFlight::get, batcher::queuedQuestions);
    QueuedThreadPool pool = new QueuedThreadPool(config.httpThreads(), Math.min(8, config.httpThreads()));
    pool.setName("densephrases-http");
    this.server = new Server(pool);
    this.executor = pool;
    this.connector = new ServerConnector(server);
    connector.setHost(config.host());
    connector.setPort(config.port());
    server.addConnector(connector);
    server.setHandler(new GracefulHandler(new Api()));
    server.setErrorHandler(new JsonErrorHandler());
    server.setStopTimeout(config.shutdownMillis());
    server.setStopAtShutdown(false); // ServeCommand's shutdown hook closes us, in order (server, then workers)
  }

  /** Starts serving; the port is bound when this returns. */
  public static SearchServer start(ServeConfig config, Answerer answerer) throws Exception {
    SearchServer s = new SearchServer(config, answerer);
    try {
      s.server.start();
    } catch (Exception e) {
      s.batcher.close();
      try {
        s.server.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return s;
  }

  /** The bound port (the ephemeral one when the config said 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public URI uri() {
    String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    if (h.equals("0.0.0.0")) {
      h = "127.0.0.1";
    }
    return URI.create("http://" + h + ":" + port() + "/");
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Blocks until the server stops. */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Graceful stop: refuse new connections, finish requests in flight, then stop the search workers. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the HTTP server failed: " + e.getMessage(), e);
    } finally {
      batcher.close();
    }
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

  private void route(Exchange x) {
    String path = Request.getPathInContext(x.request);
    String method = x.request.getMethod();
    switch (path) {
      case "/api/search" -> {
        x.endpoint = "/api/search";
        allow(x, "GET");
        search(x);
      }
      case "/api/batch" -> {
        x.endpoint = "/api/batch";
        allow(x, "POST");
        batch(x);
      }
      case "/health" -> {
        x.endpoint = "/health";
        allow(x, "GET");
        x.json(200, health());
      }
      case "/metrics" -> {
        x.endpoint = "/metrics";
        allow(x, "GET");
        x.send(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render().getBytes(StandardCharsets.UTF_8));
      }
      default -> {
        if (path.startsWith("/api/") || path.equals("/api")) {
          x.endpoint = "other";
          throw new ApiException(404, "no such endpoint " + abbreviate(path)
              + ": the API has GET /api/search and POST /api/batch");
        }
        x.endpoint = "static";
        allow(x, "GET");
        var f = files.find(path).orElseThrow(() -> new ApiException(404, "not found: " + abbreviate(path)));
        x.response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        x.response.getHeaders().put("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
        x.send(200, f.contentType(), f.bytes());
      }
    }
  }

  private static void allow(Exchange x, String method) {
    if (!x.request.getMethod().equals(method)) {
      x.response.getHeaders().put(HttpHeader.ALLOW, method);
      throw new ApiException(405, "method " + x.request.getMethod() + " not allowed on " + x.endpoint + ": use "
          + method);
    }
  }

  private void search(Exchange x) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    try {
      Fields fields = Request.extractQueryParameters(x.request, StandardCharsets.UTF_8);
      for (Fields.Field f : fields) {
        params.put(f.getName(), f.getValues());
      }
    } catch (RuntimeException e) {
      throw Requests.bad("malformed query string: " + e.getMessage());
    }
    Requests.Search s = requests.search(params);
    submit(x, List.of(s.question()), s.query(), r -> {
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
    long length = x.request.getLength();
    if (length > config.maxBodyBytes()) {
      throw new ApiException(413, "the request body has " + length + " bytes; at most " + config.maxBodyBytes());
    }
    String type = x.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(415, "content type " + abbreviate(type) + " is not accepted: send application/json");
    }
    // Read without holding a thread; a body without Content-Length is cut off at the cap.
    Content.Source.asByteArrayAsync(x.request, config.maxBodyBytes()).whenComplete((bytes, err) -> {
      try {
        if (err != null) {
          Throwable t = unwrap(err);
          // Jetty fails the read with IllegalStateException("Max size (N) exceeded") once the cap is passed.
          boolean tooBig = Request.getContentBytesRead(x.request) > config.maxBodyBytes()
              || (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("Max size"));
          throw new ApiException(tooBig ? 413 : 400, tooBig
              ? "the request body is larger than " + config.maxBodyBytes() + " bytes"
              : "could not read the request body: " + t.getMessage());
        }
        Requests.Batch b = requests.batch(new String(bytes, StandardCharsets.UTF_8));
        submit(x, b.questions(), b.query(), r -> {
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

  /** Queues the questions; the response is written when their search call ends. */
  private void submit(Exchange x, List<String> questions, Query query, Function<MicroBatcher.Result, JsonObject> view) {
    CompletableFuture<MicroBatcher.Result> f;
    try {
      f = batcher.submit(questions, query);
    } catch (MicroBatcher.OverloadedException | MicroBatcher.ClosedException e) {
      x.response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      throw new ApiException(503, e.getMessage());
    }
    f.whenCompleteAsync((r, err) -> {
      if (err != null) {
        x.fail(unwrap(err));
        return;
      }
      try {
        JsonObject o = view.apply(r);
        o.addProperty("took_ms", JsonViews.millis(System.nanoTime() - x.startNanos));
        o.addProperty("search_ms", JsonViews.millis(r.searchNanos()));
        o.addProperty("batch_questions", r.batchQuestions());
        o.addProperty("backend", info.backend());
        o.addProperty("index", info.index());
        x.json(200, o);
      } catch (RuntimeException e) {
        x.fail(e);
      }
    }, executor);
  }

  private JsonObject health() {
    JsonObject o = new JsonObject();
    o.addProperty("status", "ok");
    o.addProperty("backend", info.backend());
    o.addProperty("device", info.device());
    o.addProperty("index", info.index());
    o.addProperty("model", info.modelId());
    o.addProperty("phrases", info.phrases());
    o.addProperty("documents", info.documents());
    o.addProperty("index_bytes", info.indexBytes());
    o.addProperty("uptime_s", Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3);
    return o;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** One request: writes exactly one response and records it in the metrics. */
  private final class Exchange {
    final Request request;
    final Response response;
    final Callback callback;
    final long startNanos = System.nanoTime();
    final AtomicBoolean done = new AtomicBoolean();
    volatile String endpoint = "other";

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      inFlight.incrementAndGet();
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
          + abbreviate(e.getMessage()) : ""));
    }

    void send(int status, String contentType, byte[] body) {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      metrics.request(endpoint, status, System.nanoTime() - startNanos);
      inFlight.decrementAndGet();
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      if (!endpoint.equals("static")) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      }
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
