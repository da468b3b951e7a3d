package org.densephrases.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.encode.QuestionEncoderOptions;
import org.densephrases.app.serve.AdminServer;
import org.densephrases.app.serve.Answerer;
import org.densephrases.app.serve.Guards;
import org.densephrases.app.serve.ReloadingAnswerer;
import org.densephrases.app.serve.SearchServer;
import org.densephrases.app.serve.ServeConfig;
import org.densephrases.app.serve.ServerInfo;
import org.densephrases.app.serve.SessionAnswerer;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.search.SearchSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases serve}: the search service over one {@link SearchSession} (model, dump and index opened once),
 * then answers HTTP requests until stopped (Ctrl-C / SIGTERM stop it within --shutdown-ms and exit 0). The API
 * and the page are in {@link SearchServer}; java/app/NOTES.md has examples.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a phrase index over HTTP: JSON API (/api/search, /api/batch), /health, /metrics, web page.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dump", description = "dump directory (default: the model's dump of the default corpus)")
  Path dump;

  @Option(names = "--model", description = "question encoder: must be the dump's model (default: the committed model)")
  String model;

  @Mixin EncoderOptions encoder = new EncoderOptions();

  @Mixin QuestionEncoderOptions questionEncoder = new QuestionEncoderOptions();

  @Option(names = "--index", description = "exact, sq8 or pq (default: ${DEFAULT-VALUE})")
  String index = "sq8";

  @Option(names = "--backend", description = "kernel backend: auto, cuda, simd, scalar (default: auto)")
  String backend = "auto";

  @Option(names = "--host", description = "address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all)")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "TCP port, 0 = any free one (default: ${DEFAULT-VALUE})")
  int port = 8080;

  @Mixin SearchFlags flags = new SearchFlags(10);

  @Option(names = "--max-question-chars", description = "longest question accepted (default: ${DEFAULT-VALUE})")
  int maxQuestionChars = SearchSession.MAX_QUESTION_CHARS;

  @Option(names = "--max-k", description = "most answers a request may ask for (default: ${DEFAULT-VALUE})")
  int maxK = 100;

  @Option(names = "--max-batch", description = "most questions per /api/batch request (default: ${DEFAULT-VALUE})")
  int maxBatch = 64;

  @Option(names = "--max-body-bytes", description = "largest request body (default: ${DEFAULT-VALUE})")
  int maxBodyBytes = 1 << 20;

  @Option(names = "--batch-wait-ms",
      description = "how long a search worker gathers concurrent requests into one batch (default: ${DEFAULT-VALUE})")
  int batchWaitMs = 2;

  @Option(names = "--batch-max", description = "most questions per search call (default: ${DEFAULT-VALUE})")
  int batchMax = 64;

  @Option(names = "--search-threads", description = "search workers (default: ${DEFAULT-VALUE})")
  int searchThreads = 2;

  @Option(names = "--max-queued", description = "questions waiting before requests get 503 (default: ${DEFAULT-VALUE})")
  int maxQueued = 4096;

  @Option(names = "--http-threads", description = "HTTP thread pool size (default: ${DEFAULT-VALUE})")
  int httpThreads = 200;

  @Option(names = "--watch-ms", description = "how often the dump directory is checked for a new generation (from"
      + " add, remove, compact, index --retrain), loaded without downtime; 0 = never (default: ${DEFAULT-VALUE})")
  long watchMs = 2000;

  @Option(names = "--admin-port", description = "turn on the admin endpoint (POST /admin/reload: serve the dump's "
      + "newest generation now) on this port of the loopback address only; 0 = any free port (default: off)")
  Integer adminPort;

  @Option(names = "--shutdown-ms", description = "a stop (SIGTERM, Ctrl-C) ends within this time: queued requests get "
      + "503 at once, searches in progress may finish until then (default: ${DEFAULT-VALUE})")
  long shutdownMs = 30_000;

  @Option(names = "--timeout-ms", description = "deadline of a request that does not give timeout_ms; 504 after "
      + "(default: ${DEFAULT-VALUE})")
  long timeoutMs = Guards.standard().timeoutMillis();

  @Option(names = "--max-timeout-ms", description = "largest timeout_ms a request may ask for "
      + "(default: ${DEFAULT-VALUE})")
  long maxTimeoutMs = Guards.standard().maxTimeoutMillis();

  @Option(names = "--max-cost", description = "most work per request, questions x k x max_answer_length; 413 above "
      + "(default: ${DEFAULT-VALUE})")
  long maxCost = Guards.standard().maxCost();

  @Option(names = "--max-queue-ms", description = "most estimated search time queued ahead of a request; 503 above "
      + "(default: ${DEFAULT-VALUE})")
  long maxQueueMs = Guards.standard().maxQueueMillis();

  @Option(names = "--allowed-hosts", split = ",", description = "names the Host header may carry, * for any "
      + "(default: localhost, 127.0.0.1, ::1 and the --host address, or this machine's names and addresses for "
      + "0.0.0.0)")
  List<String> allowedHosts = List.of();

  @Option(names = "--cors-origin", split = ",", description = "origins whose pages may call the API (CORS), * for "
      + "any (default: none)")
  List<String> corsOrigins = List.of();

  @Option(names = "--api-key-file", description = "file holding an API key (first line, 16+ characters): /api/* and "
      + "/metrics then need 'Authorization: Bearer <key>'; use it with --host 0.0.0.0")
  Path apiKeyFile;

  @Option(names = "--header-timeout-ms", description = "a connection must send a request's headers within this time "
      + "of opening or of its last response (slow clients; keep-alive limit) (default: ${DEFAULT-VALUE})")
  long headerTimeoutMs = Guards.standard().headerTimeoutMillis();

  @Option(names = "--body-timeout-ms", description = "a request body must arrive within this time; 408 after "
      + "(default: ${DEFAULT-VALUE})")
  long bodyTimeoutMs = Guards.standard().bodyTimeoutMillis();

  @Option(names = "--idle-timeout-ms", description = "a connection silent for this long is closed "
      + "(default: ${DEFAULT-VALUE})")
  long idleTimeoutMs = Guards.standard().idleTimeoutMillis();

  @Option(names = "--max-connections-per-address", description = "open connections one client address may hold "
      + "(default: ${DEFAULT-VALUE})")
  int maxConnectionsPerAddress = Guards.standard().maxConnectionsPerAddress();

  @Option(names = "--max-connections", description = "open connections in all (default: ${DEFAULT-VALUE})")
  int maxConnections = Guards.standard().maxConnections();

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::serve);
  }

  /** Every option checked before anything slow is loaded. */
  ServeConfig config() {
    SearchOptions d = flags.options();
    Guards g = new Guards(timeoutMs, maxTimeoutMs, maxCost, maxQueueMs, allowedHosts, corsOrigins, apiKey(),
        headerTimeoutMs, bodyTimeoutMs, idleTimeoutMs, maxConnectionsPerAddress, maxConnections);
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatch, maxBodyBytes, batchWaitMs, batchMax,
        searchThreads, maxQueued, httpThreads, shutdownMs, d, g);
  }

  private String apiKey() {
    if (apiKeyFile == null) {
      return null;
    }
    try {
      String key = Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
      if (key.isEmpty()) {
        throw new IllegalArgumentException("--api-key-file " + apiKeyFile + " is empty: put the key on its first line");
      }
      return key;
    } catch (IOException e) {
      throw new IllegalArgumentException("--api-key-file " + apiKeyFile + " cannot be read: " + e.getMessage());
    }
  }

  static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  private Integer serve() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ServeConfig cfg = config();
    if (adminPort != null) {
      Options.checkRange("--admin-port", adminPort, 0, 65535);
    }
    long t0 = System.nanoTime();
    SessionAnswerer first =
        new SessionAnswerer(Sessions.open(dump, model, encoder, questionEncoder, index, backend, cfg.defaults(),
            flags.nprobe));
    cfg = cfg.withDefaults(first.defaults()); // nprobe resolved against the index
    Answerer answerer = watchMs > 0 || adminPort != null ? reloading(first, cfg.defaults(), watchMs) : first;
    SearchServer server;
    AdminServer admin = null;
    try {
      // One search before listening: the searcher loads its tables into the backend on first use (seconds for a
      // large dump), which the first user would otherwise wait for.
      long tw = System.nanoTime();
      answerer.answer(List.of("warm up"), cfg.defaults(), List.of(cfg.defaults().unit()));
      out.printf(Locale.ROOT, "warm-up search %.1fs%n", (System.nanoTime() - tw) / 1e9);
      server = SearchServer.start(cfg, answerer);
      if (adminPort != null) {
        try {
          admin = AdminServer.start(adminPort, (ReloadingAnswerer) answerer);
        } catch (IOException e) {
          server.stop();
          throw new IllegalArgumentException("cannot listen on the admin port " + adminPort + ": " + e.getMessage(),
              e);
        }
      }
    } catch (Exception e) {
      answerer.close();
      if (e instanceof IOException io) { // the port is taken or the host is not ours: the user's to fix
        throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + io.getMessage(), io);
      }
      throw e;
    }
    ServerInfo i = answerer.info();
    if (answerer instanceof ReloadingAnswerer r) {
      r.onReload(server.metrics()::reloaded);
    }
    out.printf(Locale.ROOT, "serving %s (%s index, %s backend on %s, %,d phrases in %,d documents, model %s, "
        + "generation %d%s; loaded in %.1fs)%n", server.uri(), i.index(), i.backend(), i.device(), i.phrases(),
        i.documents(), i.modelId(), i.generation(), watchMs > 0 ? ", watching for new ones every " + watchMs + " ms"
        : "", (System.nanoTime() - t0) / 1e9);
    if (admin != null) {
      out.printf(Locale.ROOT, "admin endpoint: POST http://%s:%d/admin/reload (loopback only)%n",
          admin.address().getAddress().getHostAddress(), admin.address().getPort());
    }
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    if (!loopback(host) && cfg.guards().apiKey() == null) {
      err.println("densephrases serve: warning: listening on " + host + " without --api-key-file: anyone who can "
          + "reach this port can query it");
      err.flush();
    }
    // SIGTERM and Ctrl-C stop the server here, in order, and serve returns 0: a stop asked for is a clean exit (the
    // JVM's own handling would exit 143 and run the hooks in no order). The hook covers other ways out.
    AdminServer adminServer = admin;
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      err.println("densephrases serve: stopping (queued requests get 503; searches in progress have until "
          + shutdownMs + " ms)");
      err.flush();
      if (adminServer != null) {
        adminServer.close();
      }
      boolean clean = server.stop();
      try {
        answerer.close();
      } catch (RuntimeException e) {
        err.println("densephrases serve: closing the model and index: " + e.getMessage());
      }
      err.println("densephrases serve: stopped" + (clean ? "" : " (see above)"));
      err.flush();
      stopped.countDown();
    };
    Signals.onStop(() -> Thread.ofPlatform().name("densephrases-serve-stop").start(stop));
    Thread hook = new Thread(stop, "densephrases-serve-hook");
    Runtime.getRuntime().addShutdownHook(hook);
    server.join();
    stopped.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    return 0;
  }

  /**
   * Serves {@code first}'s generation and, every {@code watchMs}, looks for a newer one (add, remove, compact,
   * index --retrain): it is opened beside the served one, sharing the question encoder, warmed up with
   * {@code warmUp} and then served; searches in flight finish on the old one ({@link ReloadingAnswerer}).
   */
  static ReloadingAnswerer reloading(SessionAnswerer first, SearchOptions warmUp, long watchMs) {
    Path dir = first.session().dump().dir();
    return new ReloadingAnswerer(first, cur -> ((SessionAnswerer) cur).reopen(), () -> Generations.latest(dir),
        warmUp, watchMs);
  }
}
