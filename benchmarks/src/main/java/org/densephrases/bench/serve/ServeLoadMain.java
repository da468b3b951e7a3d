package org.densephrases.bench.serve;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.app.Options;
import org.densephrases.app.Sessions;
import org.densephrases.app.TextFiles;
import org.densephrases.app.Workspace;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.serve.SearchServer;
import org.densephrases.app.serve.ServeConfig;
import org.densephrases.app.serve.ServerInfo;
import org.densephrases.app.serve.SessionAnswerer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.data.SquadReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load test of {@code densephrases serve} on loopback (tools/bench-serve.sh runs it): the server is started in this
 * JVM exactly as the serve verb starts it, then N client threads (JDK HttpClient, HTTP/1.1) send GET /api/search with
 * SQuAD dev questions in a closed loop for a bounded time and request count, at each concurrency level. Reports
 * sustained queries/s, p50/p99 latency, errors, mean questions per search call, and heap after a full GC before and
 * after each level (memory steady = no growth). Clients share the CPU with the server: on a small machine the numbers
 * are a floor for the server alone.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
    description = "Loopback load test of the search server at several client counts.")
public final class ServeLoadMain implements Callable<Integer> {
  private ServeLoadMain() {}

  @Option(names = "--dump", description = "dump directory (default: ${DEFAULT-VALUE})")
  Path dump = Path.of("work/dumps/serve-bench-first1000");

  @Option(names = "--model", description = "question encoder (default: the committed model)")
  String model;

  @Option(names = "--index", description = "exact, sq8 or pq (default: ${DEFAULT-VALUE})")
  String index = "sq8";

  @Option(names = "--backend", description = "kernel backend (default: ${DEFAULT-VALUE})")
  String backend = "auto";

  @Option(names = "--nprobe", description = "default: ${DEFAULT-VALUE}")
  int nprobe = 64;

  @Option(names = {"-k", "--k"}, description = "answers per question (default: ${DEFAULT-VALUE})")
  int k = 10;

  @Option(names = "--clients", split = ",", description = "concurrency levels (default: 1,8,64)")
  int[] clients = {1, 8, 64};

  @Option(names = "--seconds", description = "measured time per level (default: ${DEFAULT-VALUE})")
  int seconds = 20;

  @Option(names = "--max-requests", description = "request cap per level (default: ${DEFAULT-VALUE})")
  int maxRequests = 20_000;

  @Option(names = "--warmup-seconds", description = "unmeasured load before each level (default: ${DEFAULT-VALUE})")
  int warmupSeconds = 3;

  @Option(names = "--batch-wait-ms", description = "server micro-batch wait (default: ${DEFAULT-VALUE})")
  int batchWaitMs = 2;

  @Option(names = "--batch-max", description = "server: most questions per search call; 1 = no batching "
      + "(default: ${DEFAULT-VALUE})")
  int batchMax = 64;

  @Option(names = "--search-threads", description = "server search workers (default: ${DEFAULT-VALUE})")
  int searchThreads = 2;

  @Option(names = "--dev", description = "SQuAD file the questions come from (default: ${DEFAULT-VALUE})")
  Path dev = Path.of(Workspace.DEFAULT_DEV);

  @Option(names = "--questions", description = "distinct questions cycled through (default: ${DEFAULT-VALUE})")
  int numQuestions = 1000;

  @Option(names = "--out", description = "markdown report (default: ${DEFAULT-VALUE})")
  Path out = Path.of("benchmarks/results/serve-load.md");

  @Option(names = "--note", description = "a line for the report (the setup, the machine's other load)")
  String note = "";

  @Option(names = "--mixes", split = ",", description = "what to run: levels (the client counts above), flood, "
      + "slowloris (default: levels,flood,slowloris)")
  List<String> mixes = List.of("levels", "flood", "slowloris");

  @Option(names = "--mix-seconds", description = "duration of each abuse mix (default: ${DEFAULT-VALUE})")
  int mixSeconds = 30;

  @Option(names = "--light-clients", description = "clients asking k=1 questions during a mix "
      + "(default: ${DEFAULT-VALUE})")
  int lightClients = 2;

  @Option(names = "--flood-clients", description = "clients sending heavy batches in the flood mix "
      + "(default: ${DEFAULT-VALUE})")
  int floodClients = 6;

  @Option(names = "--slow-connections", description = "connections trickling headers in the slowloris mix "
      + "(default: ${DEFAULT-VALUE})")
  int slowConnections = 200;

  /** One measured run of closed-loop clients; statuses counts every answer that was not 200, and I/O failures. */
  record Level(int clients, long requests, long errors, double seconds, double qps, double p50, double p99,
      double meanBatch, long heapStart, long heapEnd, List<String> errorSamples, Map<String, Long> statuses,
      double meanQueueMs, double meanSearchMs) {}

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private boolean nprobeGiven() {
    return spec != null && spec.commandLine().getParseResult().hasMatchedOption("--nprobe");
  }

  /**
   * Runs the load test and exits with its status.
   *
   * @param args the options (see {@code --help})
   */
  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new ServeLoadMain());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException) { // the user's to fix: one line, exit 2
        cmd.getErr().println("bench-serve: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    System.exit(cl.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    for (int c : clients) {
      Options.checkRange("--clients", c, 1, 1024);
    }
    Options.checkRange("--seconds", seconds, 1, 3600);
    Options.checkRange("--max-requests", maxRequests, 1, 10_000_000);
    Options.checkRange("--mix-seconds", mixSeconds, 1, 600);
    Options.checkRange("--light-clients", lightClients, 1, 64);
    Options.checkRange("--flood-clients", floodClients, 1, 64);
    Options.checkRange("--slow-connections", slowConnections, 1, 2000);
    for (String m : mixes) {
      if (!List.of("levels", "flood", "slowloris").contains(m)) {
        throw new IllegalArgumentException("--mixes: unknown mix '" + m + "': expected levels, flood, slowloris");
      }
    }
    List<String> questions = questions();
    double load0 = loadAverage();
    long t0 = System.nanoTime();
    // Without --nprobe the session probes min(64, the index's lists), so a small dump's index works as it is.
    SessionAnswerer answerer = new SessionAnswerer(Sessions.open(dump, model, new EncoderOptions(), index, backend,
        SearchOptions.defaults().withNprobe(nprobe), nprobeGiven() ? nprobe : null));
    if (answerer.defaults().nprobe() != nprobe) {
      nprobe = answerer.defaults().nprobe();
      System.out.println("bench-serve: the index has " + nprobe + " lists: --nprobe " + nprobe);
    }
    Options.checkRange("--batch-max", batchMax, 1, 4096);
    ServeConfig cfg = ServeConfig.standard().withPort(0).withLimits(512, 100, batchMax, 1 << 20)
        .withBatching(batchWaitMs, batchMax, searchThreads)
        .withDefaults(ServeConfig.standard().defaults().withNprobe(nprobe).withK(k).withUnit(Unit.PHRASE));
    List<Level> levels = new ArrayList<>();
    List<ServeAbuseLoad.Mix> mixResults = new ArrayList<>();
    long heapBefore;
    long heapAfter;
    try (SearchServer server = SearchServer.start(cfg, answerer)) {
      System.out.printf(Locale.ROOT, "bench-serve: server up at %s in %.1fs; %d questions%n", server.uri(),
          (System.nanoTime() - t0) / 1e9, questions.size());
      heapBefore = heapAfterGc();
      for (int c : mixes.contains("levels") ? clients : new int[0]) {
        List<HttpClient> pool = levelClients(c);
        run(pool, server.uri(), questions, c, warmupSeconds, Integer.MAX_VALUE, k); // warm-up, not measured
        long hs = heapAfterGc();
        Level l = run(pool, server.uri(), questions, c, seconds, maxRequests, k);
        long he = heapAfterGc();
        l = new Level(l.clients, l.requests, l.errors, l.seconds, l.qps, l.p50, l.p99, l.meanBatch, hs, he,
            l.errorSamples, l.statuses, l.meanQueueMs, l.meanSearchMs);
        levels.add(l);
        System.out.printf(Locale.ROOT, "bench-serve: %3d clients: %,d requests in %.1fs, %.1f q/s, p50 %.1f ms, "
            + "p99 %.1f ms, %d errors, mean batch %.1f, heap after GC %.1f -> %.1f MB%n", c, l.requests, l.seconds,
            l.qps, l.p50, l.p99, l.errors, l.meanBatch, hs / 1e6, he / 1e6);
        for (String e : l.errorSamples) {
          System.out.println("  error: " + e);
        }
      }
      if (mixes.contains("flood") || mixes.contains("slowloris")) {
        run(List.of(ServeAbuseLoad.clientFrom(ServeAbuseLoad.LIGHT_ADDRESS)), server.uri(), questions, 1,
            warmupSeconds, Integer.MAX_VALUE, 1); // warm-up: tables loaded, code compiled, before the mixes
      }
      if (mixes.contains("flood")) {
        mixResults.add(ServeAbuseLoad.flood(this, server, questions, floodClients, lightClients, mixSeconds,
            cfg.guards().maxCost(), cfg.maxK()));
      }
      if (mixes.contains("slowloris")) {
        mixResults.add(ServeAbuseLoad.slowloris(this, server, questions, slowConnections, lightClients, mixSeconds));
      }
      heapAfter = heapAfterGc();
    } finally {
      answerer.close();
    }
    String report = report(answerer.info(), levels, questions.size(), load0, loadAverage(), heapBefore, heapAfter)
        + ServeAbuseLoad.markdown(mixResults);
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    TextFiles.writeAtomically(out, report);
    if (!mixResults.isEmpty()) {
      List<String> names = new ArrayList<>();
      List<double[]> pcts = new ArrayList<>();
      for (Level l : levels) {
        if (l.clients == 1) {
          names.add("1 client alone");
          pcts.add(new double[] {l.p50, l.p99});
        }
      }
      for (ServeAbuseLoad.Mix m : mixResults) {
        names.add(m.light().clients() + " clients, " + m.name());
        pcts.add(new double[] {m.light().p50(), m.light().p99()});
      }
      Path png = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".png");
      ServeAbuseLoad.chart(png, names, pcts.stream().mapToDouble(x -> x[0]).toArray(),
          pcts.stream().mapToDouble(x -> x[1]).toArray());
      System.out.println("bench-serve: wrote " + png);
    }
    System.out.println(report);
    System.out.println("bench-serve: wrote " + out);
    long errors = levels.stream().mapToLong(Level::errors).sum()
        + mixResults.stream().mapToLong(m -> m.light().errors()).sum();
    return errors == 0 ? 0 : 1;
  }

  private List<String> questions() {
    List<String> all = new ArrayList<>();
    for (SquadParagraph p : SquadReader.read(dev).paragraphs()) {
      for (SquadQuestion q : p.questions()) {
        all.add(q.question().strip());
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException(dev + " holds no questions");
    }
    int step = Math.max(1, all.size() / numQuestions);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < all.size() && out.size() < numQuestions; i += step) {
      out.add(all.get(i));
    }
    return out;
  }

  private static final Pattern BATCH = Pattern.compile("\"batch_questions\":(\\d+)");
  private static final Pattern QUEUE_MS = Pattern.compile("\"queue_ms\":([0-9.]+)");
  private static final Pattern SEARCH_MS = Pattern.compile("\"search_ms\":([0-9.]+)");

  /** One client per 16 threads, each from its own loopback address (the server caps connections per address). */
  static List<HttpClient> levelClients(int c) {
    List<HttpClient> out = new ArrayList<>();
    for (int i = 0; i < (c + 15) / 16; i++) {
      out.add(ServeAbuseLoad.clientFrom("127.0.1." + (1 + i)));
    }
    return out;
  }

  /**
   * c threads in a closed loop asking {@code kk} answers, until the time or the request cap is reached; thread t
   * uses clients[t % size].
   */
  Level run(List<HttpClient> clients, URI base, List<String> questions, int c, int secs, int cap, int kk)
      throws InterruptedException {
    Map<String, java.util.concurrent.atomic.LongAdder> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger issued = new AtomicInteger();
    AtomicLong errors = new AtomicLong();
    AtomicLong batchSum = new AtomicLong();
    java.util.concurrent.atomic.DoubleAdder queueMs = new java.util.concurrent.atomic.DoubleAdder();
    java.util.concurrent.atomic.DoubleAdder searchMs = new java.util.concurrent.atomic.DoubleAdder();
    ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
    long[][] lat = new long[c][];
    int[] count = new int[c];
    long start = System.nanoTime();
    long deadline = start + secs * 1_000_000_000L;
    Thread[] ts = new Thread[c];
    for (int t = 0; t < c; t++) {
      int me = t;
      HttpClient client = clients.get(t % clients.size());
      ts[t] = Thread.ofPlatform().name("bench-client-" + t).start(() -> {
        long[] mine = new long[1024];
        int n = 0;
        while (System.nanoTime() < deadline) {
          int i = issued.getAndIncrement();
          if (i >= cap) {
            break;
          }
          String q = questions.get(i % questions.size());
          HttpRequest r = HttpRequest.newBuilder(base.resolve("api/search?k=" + kk + "&q="
              + URLEncoder.encode(q, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(60)).build();
          long t1 = System.nanoTime();
          try {
            HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
            long dt = System.nanoTime() - t1;
            if (resp.statusCode() != 200) {
              errors.incrementAndGet();
              statuses.computeIfAbsent(Integer.toString(resp.statusCode()),
                  x -> new java.util.concurrent.atomic.LongAdder()).increment();
              if (samples.size() < 5) {
                samples.add(resp.statusCode() + " " + resp.body());
              }
              continue;
            }
            Matcher m = BATCH.matcher(resp.body());
            if (m.find()) {
              batchSum.addAndGet(Integer.parseInt(m.group(1)));
            }
            Matcher qm = QUEUE_MS.matcher(resp.body());
            Matcher sm = SEARCH_MS.matcher(resp.body());
            if (qm.find() && sm.find()) {
              queueMs.add(Double.parseDouble(qm.group(1)));
              searchMs.add(Double.parseDouble(sm.group(1)));
            }
            if (n == mine.length) {
              mine = Arrays.copyOf(mine, n * 2);
            }
            mine[n++] = dt;
          } catch (IOException e) {
            errors.incrementAndGet();
            statuses.computeIfAbsent(e.getClass().getSimpleName(), x -> new java.util.concurrent.atomic.LongAdder())
                .increment();
            if (samples.size() < 5) {
              samples.add(e.toString());
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        lat[me] = mine;
        count[me] = n;
      });
    }
    for (Thread t : ts) {
      t.join();
    }
    double wall = (System.nanoTime() - start) / 1e9;
    int total = 0;
    for (int n : count) {
      total += n;
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < c; t++) {
      System.arraycopy(lat[t], 0, all, at, count[t]);
      at += count[t];
    }
    Arrays.sort(all);
    return new Level(c, total + errors.get(), errors.get(), wall, total / wall, pct(all, 0.50), pct(all, 0.99),
        total == 0 ? 0 : (double) batchSum.get() / total, 0, 0, List.copyOf(samples), snapshot(statuses),
        total == 0 ? Double.NaN : queueMs.sum() / total, total == 0 ? Double.NaN : searchMs.sum() / total);
  }

  private static Map<String, Long> snapshot(Map<String, java.util.concurrent.atomic.LongAdder> m) {
    Map<String, Long> out = new java.util.TreeMap<>();
    m.forEach((key, v) -> out.put(key, v.sum()));
    return out;
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private String report(ServerInfo info, List<Level> levels, int nq, double load0, double load1, long heapBefore,
      long heapAfter) {
    StringBuilder sb = new StringBuilder();
    sb.append("# densephrases serve: load test on loopback\n\n");
    sb.append(String.format(Locale.ROOT, "Run %s by `tools/bench-serve.sh` (`ServeLoadMain`): the server is started "
        + "in-process exactly as `densephrases serve` starts it, then N client threads (JDK HttpClient, HTTP/1.1, "
        + "closed loop: each sends its next question when the last is answered) ask `GET /api/search?k=%d` with "
        + "%d SQuAD dev questions in turn, for %d s or %,d requests per level (whichever comes first) after a %d s "
        + "warm-up. Heap = used heap after a full GC just before and just after each level.%n%n",
        Instant.now().truncatedTo(ChronoUnit.SECONDS), k, nq, seconds, maxRequests, warmupSeconds));
    if (!note.isBlank()) {
      sb.append(note.strip()).append("\n\n");
    }
    sb.append("| | |\n|---|---|\n");
    sb.append(String.format(Locale.ROOT, "| backend | %s on %s |%n", info.backend(), info.device()));
    sb.append(String.format(Locale.ROOT, "| index | %s, %,d bytes (first stage); dump %,d bytes |%n", info.index(),
        info.indexBytes(), info.dumpBytes()));
    sb.append(String.format(Locale.ROOT, "| corpus | %s: %,d documents, %,d phrases |%n", dump, info.documents(),
        info.phrases()));
    sb.append(String.format(Locale.ROOT, "| model | %s |%n", info.modelId()));
    sb.append(String.format(Locale.ROOT, "| search | k %d, phrase unit, nprobe %d, 256 candidates, L 20 |%n", k,
        nprobe));
    sb.append(String.format(Locale.ROOT, "| server | micro-batch wait %d ms, at most %d questions per call, %d "
        + "search workers |%n", batchWaitMs, batchMax, searchThreads));
    sb.append(String.format(Locale.ROOT, "| machine | %d cores, Java %s, max heap %.1f GB; load average %.1f before, "
        + "%.1f after (clients run on the same cores) |%n%n", Runtime.getRuntime().availableProcessors(),
        Runtime.version(), Runtime.getRuntime().maxMemory() / 1e9, load0, load1));
    sb.append("| clients | requests | errors | queries/s | p50 ms | p99 ms | questions per search call | "
        + "heap after GC, start -> end (MB) |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Level l : levels) {
      sb.append(String.format(Locale.ROOT, "| %d | %,d | %d | %.1f | %.1f | %.1f | %.1f | %.1f -> %.1f |%n",
          l.clients, l.requests, l.errors, l.qps, l.p50, l.p99, l.meanBatch, l.heapStart / 1e6, l.heapEnd / 1e6));
    }
    sb.append(String.format(Locale.ROOT, "%nHeap after GC over the whole run: %.1f MB before the first level, "
        + "%.1f MB after the last.%n", heapBefore / 1e6, heapAfter / 1e6));
    return sb.toString();
  }
}
