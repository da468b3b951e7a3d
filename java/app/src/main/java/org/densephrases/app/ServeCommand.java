package org.densephrases.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.serve.ModelAnswerer;
import org.densephrases.app.serve.SearchServer;
import org.densephrases.app.serve.ServeConfig;
import org.densephrases.app.serve.ServerInfo;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases serve}: the search service. Loads the question encoder and opens the dump (and index) once,
 * then answers HTTP requests until stopped (Ctrl-C / SIGTERM stop it gracefully: requests in flight finish). The API
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

  @Option(names = "--index", description = "exact, sq8 or pq (default: ${DEFAULT-VALUE})")
  String index = "sq8";

  @Option(names = "--backend", description = "kernel backend: auto, cuda, simd, scalar (default: auto)")
  String backend = "auto";

  @Option(names = "--host", description = "address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all)")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "TCP port, 0 = any free one (default: ${DEFAULT-VALUE})")
  int port = 8080;

  @Option(names = {"-k", "--k"}, description = "answers when a request does not say (default: ${DEFAULT-VALUE})")
  int k = 10;

  @Option(names = "--unit", description = "unit when a request does not say (default: ${DEFAULT-VALUE})")
  String unit = "phrase";

  @Option(names = "--max-answer-length", description = "L when a request does not say (default: ${DEFAULT-VALUE})")
  int maxAnswerLength = 20;

  @Option(names = "--nprobe", description = "IVF lists probed per question (default: ${DEFAULT-VALUE})")
  int nprobe = 64;

  @Option(names = "--candidates", description = "first-stage candidates per direction (default: ${DEFAULT-VALUE})")
  int candidates = 256;

  @Option(names = "--max-question-chars", description = "longest question accepted (default: ${DEFAULT-VALUE})")
  int maxQuestionChars = EncoderModel.MAX_QUESTION_CHARS;

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

  @Option(names = "--shutdown-ms", description = "how long a stop waits for requests in flight (default: ${DEFAULT-VALUE})")
  long shutdownMs = 30_000;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::serve);
  }

  /** Every option checked before anything slow is loaded. */
  ServeConfig config() {
    Options.checkRange("--nprobe", nprobe, 1, KernelLimits.MAX_K);
    Options.checkRange("--candidates", candidates, 1, KernelLimits.MAX_K);
    Options.checkRange("--max-answer-length", maxAnswerLength, 1, KernelLimits.MAX_ANSWER_LENGTH);
    Options.checkRange("--k", k, 1, SearchOptions.MAX_RESULTS);
    SearchOptions d = SearchOptions.defaults().withUnit(Unit.parse(unit)).withK(k).withNprobe(nprobe)
        .withCandidates(candidates).withMaxAnswerLength(maxAnswerLength);
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatch, maxBodyBytes, batchWaitMs, batchMax,
        searchThreads, maxQueued, httpThreads, shutdownMs, d);
  }

  private Integer serve() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ServeConfig cfg = config();
    long t0 = System.nanoTime();
    ModelAnswerer answerer = open(dump, model, index, backend, nprobe, encoder);
    SearchServer server;
    try {
      // One search before listening: the searcher loads its tables into the backend on first use (seconds for a
      // large dump), which the first user would otherwise wait for.
      long tw = System.nanoTime();
      answerer.answer(List.of("warm up"), cfg.defaults(), List.of(cfg.defaults().unit()));
      out.printf(Locale.ROOT, "warm-up search %.1fs%n", (System.nanoTime() - tw) / 1e9);
      server = SearchServer.start(cfg, answerer);
    } catch (Exception e) {
      answerer.close();
      if (e instanceof IOException io) { // the port is taken or the host is not ours: the user's to fix
        throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + io.getMessage(), io);
      }
      throw e;
    }
    ServerInfo i = answerer.info();
    out.printf(Locale.ROOT, "serving %s (%s index, %s backend on %s, %,d phrases in %,d documents, model %s; "
        + "loaded in %.1fs)%n", server.uri(), i.index(), i.backend(), i.device(), i.phrases(), i.documents(),
        i.modelId(), (System.nanoTime() - t0) / 1e9);
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      err.println("densephrases serve: stopping (requests in flight finish first, at most " + shutdownMs + " ms)");
      err.flush();
      server.close(); // graceful: requests in flight finish first
      answerer.close();
      err.println("densephrases serve: stopped");
      err.flush();
    }, "densephrases-serve-stop"));
    server.join();
    return 0;
  }

  /**
   * The question encoder and the searcher over the dump (and index), as serve loads them; the load test uses it too.
   * The model is loaded after the dump and index are checked (fast failures first).
   *
   * @param nprobe the lists every search probes: refused here when the index has fewer
   */
  static ModelAnswerer open(Path dumpDir, String modelName, String index, String backendName, int nprobe)
      throws IOException {
    return open(dumpDir, modelName, index, backendName, nprobe, new EncoderOptions());
  }

  /** As {@link #open(Path, String, String, String, int)}, with the encoder engine and its threads. */
  static ModelAnswerer open(Path dumpDir, String modelName, String index, String backendName, int nprobe,
      EncoderOptions encoder) throws IOException {
    String modelSpec = modelName != null ? modelName : EncoderModel.defaultModel();
    encoder.check(modelSpec);
    String modelId = EncoderModel.idOf(modelSpec);
    Path dir = dumpDir != null ? dumpDir : SearchCommand.defaultDump(modelSpec);
    KernelBackend kb = Backend.of(backendName);
    Searchers s = Searchers.open(dir, index, modelId, 0, kb);
    try {
      // Checked here, not at the first request: every search would fail with it.
      if (s.index != null && nprobe > Math.min(s.index.nlist(), KernelLimits.MAX_K)) {
        throw new IllegalArgumentException("--nprobe " + nprobe + " exceeds the index's " + s.index.nlist()
            + " lists");
      }
      PhraseEncoder m = encoder.load(modelSpec);
      long indexBytes = s.index != null ? s.index.byteSize() : Math.round(s.bytesPerPhrase() * s.dump.numTokens());
      ServerInfo info = new ServerInfo(kb.name(), kb.device(), s.kind, modelId, indexBytes, s.dump.bytes(),
          s.dump.numTokens(), s.dump.numDocs());
      return new ModelAnswerer(m, s.searcher, info, s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }
}
