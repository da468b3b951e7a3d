package org.densephrases.bench.scale;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.app.Backend;
import org.densephrases.app.Options;
import org.densephrases.app.Percentiles;
import org.densephrases.app.UserErrors;
import org.densephrases.kernels.Progress;
import org.densephrases.index.ivf.BuildReport;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.IvfSearcher;
import org.densephrases.index.ivf.Recall;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The scale benchmark ({@code tools/bench-scale.sh}): first-stage search cost vs corpus size on synthetic clustered vectors (not encoded
 * text), 10^6 to 10^8 and beyond. For each size an IVF index is built from vectors generated on the fly (streamed
 * twice, never held in memory), then searched: one question per call (p50/p99) and all questions in one batch
 * (throughput); recall against exact search where the exact scan is affordable. Results go to a markdown table and a
 * PNG of latency vs size, rewritten after each size so a long run leaves partial results.
 *
 * <p>Only the first stage (IVF probe + code scan + top-k) is measured: it is the part whose cost grows with the
 * corpus. The second stage rescoring reads the k1 candidates' vectors from the dump whatever its size.
 */
@Command(name = "bench-scale", mixinStandardHelpOptions = true,
    description = "Scale benchmark: IVF index size, search latency and throughput vs corpus size (synthetic).")
public final class BenchScaleMain implements Callable<Integer> {
  private BenchScaleMain() {}

  @Spec CommandSpec spec;

  /**
   * Runs the benchmark; its class path needs only the kernels, index and app jars, picocli and this module's jar (no
   * DJL; no java.desktop is needed unless a PNG is drawn).
   *
   * @param args the options ({@code --help} lists them)
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command with its error handler: bad input is one line on stderr and exit code 2.
   *
   * @return a new command line
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BenchScaleMain());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException) {
        cmd.getErr().println("bench-scale: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  @Option(names = "--sizes", split = ",", description = "vector counts (default: 1000000,10000000,100000000)")
  List<Long> sizes = List.of(1_000_000L, 10_000_000L, 100_000_000L);

  @Option(names = "--dim", description = "vector dimension (default: ${DEFAULT-VALUE})")
  int dim = 64;

  @Option(names = "--codec", split = ",", description = "sq8, pq (default: sq8,pq)")
  List<String> codecs = List.of("sq8", "pq");

  @Option(names = "--m", description = "PQ bytes per vector (default: dim/4)")
  int m = 0;

  @Option(names = "--nlist", description = "inverted lists, the same at every size (default: ${DEFAULT-VALUE})")
  int nlist = 1024;

  @Option(names = "--clusters", description = "clusters of the synthetic data (default: ${DEFAULT-VALUE})")
  int clusters = 4096;

  @Option(names = "--noise", description = "noise std relative to the centres' (default: ${DEFAULT-VALUE})")
  float noise = 0.5f;

  @Option(names = "--queries", description = "questions per measurement (default: ${DEFAULT-VALUE})")
  int queries = 100;

  @Option(names = "--nprobe", description = "lists probed (default: ${DEFAULT-VALUE})")
  int nprobe = 16;

  @Option(names = "--k", description = "first-stage candidates per question (default: ${DEFAULT-VALUE})")
  int k = 100;

  @Option(names = "--recall-max", description = "measure recall vs exact search up to this size (default: ${DEFAULT-VALUE})")
  long recallMax = 10_000_000L;

  @Option(names = "--pq-max", description = "build PQ only up to this size (default: every size)")
  long pqMax = Long.MAX_VALUE;

  @Option(names = "--train-size", description = "k-means/codec training sample (default: 64 x nlist)")
  int trainSize = 0;

  @Option(names = "--work", description = "where index files are built (default: ${DEFAULT-VALUE})")
  Path work = Path.of("work", "scale");

  @Option(names = "--keep", description = "keep the index files (default: delete each after measuring it)")
  boolean keep;

  @Option(names = "--backend", split = ",", description = "kernel backends: auto, cuda, simd, scalar; several "
      + "(e.g. cuda,simd) measure the same index with each, built once with the first (default: auto)")
  List<String> backend = List.of("auto");

  @Option(names = "--out", description = "markdown table (default: ${DEFAULT-VALUE})")
  Path out = Path.of("benchmarks/results/scale.md");

  @Option(names = "--png", description = "latency chart (default: ${DEFAULT-VALUE})")
  Path png = Path.of("benchmarks/results/scale-latency.png");

  @Option(names = "--tsv", description = "raw results, one line per (size, codec) (default: <out>.tsv with the"
      + " backend's name)")
  Path tsv;

  @Option(names = "--plot", split = ",", description = "only draw --png from these TSV files (e.g. a CPU run here and"
      + " a CUDA run from the GPU machine, whose runtime has no java.desktop)")
  List<Path> plot;

  @Option(names = "--seed", description = "data seed (default: ${DEFAULT-VALUE})")
  long seed = 7;

  /** One measured (size, codec). */
  record Result(long n, String codec, int codeBytes, long fileBytes, double buildSec, double trainSec,
      double assignSec, double encodeSec, double p50, double p99, double qpsSingle, double qpsBatch, double recall,
      String backend) {
    String tsv() {
      return String.join("\t", Long.toString(n), codec, Integer.toString(codeBytes), Long.toString(fileBytes),
          d(buildSec), d(trainSec), d(assignSec), d(encodeSec), d(p50), d(p99), d(qpsSingle), d(qpsBatch), d(recall),
          backend);
    }

    /** A TSV line; files written before the backend column (13 fields) take {@code fileBackend}. */
    static Result parse(String line, String fileBackend) {
      String[] f = line.split("\t");
      return new Result(Long.parseLong(f[0]), f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]),
          Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]),
          Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]), Double.parseDouble(f[11]),
          Double.parseDouble(f[12]), f.length > 13 ? f[13] : fileBackend);
    }

    private static String d(double v) {
      return Double.toString(v);
    }
  }

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::bench);
  }

  private double loadAtStart;

  private Integer bench() throws Exception {
    if (plot != null) {
      List<LogLogChart.Series> series = new ArrayList<>();
      for (Path p : plot) {
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        String name = p.getFileName().toString().replaceAll("^scale-|\\.tsv$", "");
        series.addAll(seriesOf(lines.stream().filter(x -> !x.startsWith("#") && !x.isBlank())
            .map(x -> Result.parse(x, name)).toList(), name + " "));
      }
      LogLogChart.write(png, "IVF first-stage search vs corpus size", "vectors in the index",
          "ms per question", series);
      spec.commandLine().getOut().println("bench-scale: wrote " + png);
      return 0;
    }
    loadAtStart = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    PrintWriter o = spec.commandLine().getOut();
    Options.checkRange("--dim", dim, 2, 4095);
    Options.checkRange("--queries", queries, 1, 100_000);
    Options.checkRange("--nprobe", nprobe, 1, nlist);
    Options.checkRange("--k", k, 1, org.densephrases.kernels.KernelLimits.MAX_K);
    int pqM = m > 0 ? m : Math.max(1, dim / 4);
    if (codecs.stream().anyMatch(c -> c.equalsIgnoreCase("pq")) && dim % pqM != 0) {
      throw new IllegalArgumentException("--m " + pqM + " does not divide --dim " + dim);
    }
    List<KernelBackend> kbs = new ArrayList<>();
    for (String b : backend) {
      KernelBackend x = Backend.of(b.trim());
      if (kbs.stream().noneMatch(y -> y.name().equals(x.name()))) {
        kbs.add(x);
      }
    }
    KernelBackend kb = kbs.get(0); // builds the indexes and the exact reference
    Files.createDirectories(work);
    List<Result> results = new ArrayList<>();
    Progress.Listener l = (phase, done, total, rate, eta, fin) -> {
      o.println("  " + Progress.format(phase, done, total, rate, eta, fin));
      o.flush();
    };
    for (long n : sizes) {
      Options.checkRange("--sizes", n, nlist, Integer.MAX_VALUE);
      SyntheticSource src = new SyntheticSource(n, dim, clusters, noise, seed);
      float[] q = Recall.sampleQueries(src, queries, 0.5f, seed + 1);
      TopK exact = null;
      if (n <= recallMax) {
        long t0 = System.nanoTime();
        exact = Recall.exact(src, q, queries, 10, kb.vectorScanner());
        o.printf(Locale.ROOT, "bench-scale: n=%d exact top-10 of %d queries in %.1fs%n", n, queries,
            (System.nanoTime() - t0) / 1e9);
      }
      for (String c : codecs) {
        String codec = c.trim().toLowerCase(Locale.ROOT);
        if (codec.equals("pq") && n > pqMax) {
          o.printf(Locale.ROOT, "bench-scale: n=%d pq skipped (--pq-max %d)%n", n, pqMax);
          continue;
        }
        IndexSpec is = switch (codec) {
          case "sq8" -> IndexSpec.sq8(nlist);
          case "pq" -> IndexSpec.pq(nlist, pqM);
          default -> throw new IllegalArgumentException("--codec: unknown codec '" + c + "' (sq8, pq)");
        };
        if (trainSize > 0) {
          is = is.withTrainSize(trainSize);
        }
        long need = (long) (n * (is.codeBytes(dim) + 8L) * 1.02) + 4L * nlist * dim;
        long free = Files.getFileStore(work.toAbsolutePath()).getUsableSpace();
        if (need > free - (2L << 30)) {
          o.printf(Locale.ROOT, "bench-scale: n=%d %s skipped: needs %.1f GB, %.1f GB free%n", n, codec, need / 1e9,
              free / 1e9);
          continue;
        }
        Path file = work.resolve("scale-" + n + "-" + codec + ".idx");
        o.printf(Locale.ROOT, "bench-scale: n=%d dim=%d %s nlist=%d: building (%.1f GB)%n", n, dim, codec, nlist,
            need / 1e9);
        o.flush();
        BuildReport br = new IndexBuilder(is, kb, l).build(src, file);
        try (IvfIndex idx = IvfIndex.open(file, org.densephrases.index.format.Expect.ANY,
            org.densephrases.index.format.Verify.LAZY)) {
          for (KernelBackend sb : kbs) {
            results.add(measure(o, idx, sb, n, codec, pqM, is, br, q, exact));
          }
        }
        if (!keep) {
          Files.deleteIfExists(file);
        }
        write(results, kbs, pqM);
      }
    }
    write(results, kbs, pqM);
    o.println("bench-scale: wrote " + out + " and " + png);
    return 0;
  }

  /** First-stage latency, throughput and recall of one backend on a built index. */
  private Result measure(PrintWriter o, IvfIndex idx, KernelBackend sb, long n, String codec, int pqM, IndexSpec is,
      BuildReport br, float[] q, TopK exact) {
    try (IvfSearcher s = new IvfSearcher(idx, sb)) {
      for (int i = 0; i < Math.min(5, queries); i++) {
        s.search(Arrays.copyOfRange(q, i * dim, (i + 1) * dim), 1, nprobe, k); // warm-up
      }
      double[] lat = new double[queries];
      long t0 = System.nanoTime();
      for (int i = 0; i < queries; i++) {
        long ts = System.nanoTime();
        s.search(Arrays.copyOfRange(q, i * dim, (i + 1) * dim), 1, nprobe, k);
        lat[i] = (System.nanoTime() - ts) / 1e6;
      }
      double single = queries / ((System.nanoTime() - t0) / 1e9);
      long tb = System.nanoTime();
      s.search(q, queries, nprobe, k);
      double batch = queries / ((System.nanoTime() - tb) / 1e9);
      double recall = Double.NaN;
      if (exact != null) {
        recall = Recall.measure(s, exact, q, queries, 10, k, nprobe).recall();
      }
      Arrays.sort(lat);
      Result r = new Result(n, codec.equals("pq") ? "PQ" + pqM : "SQ8", is.codeBytes(dim), br.fileBytes(),
          br.totalSeconds(), br.trainSeconds(), br.assignSeconds(), br.encodeSeconds(),
          Percentiles.of(lat, 0.5), Percentiles.of(lat, 0.99), single, batch, recall,
          sb.name());
      o.printf(Locale.ROOT, "bench-scale: n=%d %s [%s]: %.1f bytes/vector, built in %.0fs, p50 %.2f ms, p99 %.2f ms,"
              + " %.1f q/s single, %.1f q/s batch, 10-recall@%d %s%n", n, r.codec(), sb.name(),
          (double) r.fileBytes() / n, r.buildSec(), r.p50(), r.p99(), single, batch, k,
          Double.isNaN(recall) ? "(not measured)" : String.format(Locale.ROOT, "%.3f", recall));
      o.flush();
      return r;
    }
  }

  private void write(List<Result> rs, List<KernelBackend> kbs, int pqM) throws java.io.IOException {
    KernelBackend kb = kbs.get(0);
    int cores = Runtime.getRuntime().availableProcessors();
    StringBuilder sb = new StringBuilder("# Scale: first-stage IVF search vs corpus size (synthetic)\n\n");
    sb.append(String.format(Locale.ROOT, "- run: %s, backends %s (indexes built with %s), %d cores visible to the"
        + " JVM, load average %.2f at the start (other jobs on the machine slow every number here)%n", Instant.now(),
        String.join(", ", kbs.stream().map(x -> x.name() + " (" + x.device() + ")").toList()), kb.name(), cores,
        loadAtStart));
    sb.append(String.format(Locale.ROOT, "- data: random clustered vectors generated on the fly (%d clusters, N(0,1)"
        + " centres, noise %.2f), dim %d; queries = data rows + noise; not encoded text%n", clusters, noise, dim));
    sb.append(String.format(Locale.ROOT, "- index: IVF%d (same nlist at every size), residual codes, SQ8 = %d bytes,"
        + " PQ%d = %d bytes per vector, + 8-byte id; search: nprobe %d, top-%d, one question per call (p50/p99) and"
        + " %d questions in one call (batch)%n", nlist, dim, pqM, pqM, nprobe, k, queries));
    sb.append("- 10-recall@k: the exact top-10 (inner product) found among the IVF top-k; measured up to N = ")
        .append(recallMax).append("\n\n");
    sb.append("| N vectors | codec | backend | bytes/vector (file) | index GB | build s (train/assign/encode) | p50 ms"
        + " | p99 ms | q/s single | q/s batch | vectors scanned/s/core (batch) | 10-recall@k |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : rs) {
      double scanned = (double) r.n() * nprobe / nlist * r.qpsBatch() / cores;
      sb.append(String.format(Locale.ROOT, "| %,d | %s | %s | %.1f | %.2f | %.0f (%.0f/%.0f/%.0f) | %.2f | %.2f |"
              + " %.1f | %.1f | %.3g | %s |%n", r.n(), r.codec(), r.backend(), (double) r.fileBytes() / r.n(),
          r.fileBytes() / 1e9,
          r.buildSec(), r.trainSec(), r.assignSec(), r.encodeSec(), r.p50(), r.p99(), r.qpsSingle(), r.qpsBatch(),
          scanned, Double.isNaN(r.recall()) ? "-" : String.format(Locale.ROOT, "%.3f", r.recall())));
    }
    sb.append("\n## Against the reference system\n\n");
    sb.append("The reference DensePhrases system serves 60 billion phrases from a 60 GB OPQ96 index at about 10"
        + " questions/s on CPU: 1 byte per phrase, 96 code bytes per indexed token vector (60 GB / 96 B = 625M token"
        + " vectors), 6e11 phrases/s for the machine (its core count is not given).\n\n");
    sb.append("| N vectors | codec | backend | bytes/vector | phrases (= vectors x 20, L = 20) | bytes/phrase |"
        + " phrases/s/core (batch) | phrases/s/core (single) |\n|---|---|---|---|---|---|---|---|\n");
    for (Result r : rs) {
      double phrases = r.n() * 20.0;
      sb.append(String.format(Locale.ROOT, "| %,d | %s | %s | %.1f | %.3g | %.2f | %.3g | %.3g |%n", r.n(), r.codec(),
          r.backend(),
          (double) r.fileBytes() / r.n(), phrases, r.fileBytes() / phrases, phrases * r.qpsBatch() / cores,
          phrases * r.qpsSingle() / cores));
    }
    sb.append("\nPhrases per token vector: every stored token is a start and an end, and a phrase is a (start, end)"
        + " pair within L = 20 tokens, so N token vectors stand for about 20 N phrases; we read the reference's 60"
        + " billion as such a span count (its index holds token vectors, not one vector per phrase), so compare"
        + " per-vector bytes too. Vectors scanned/s counts the codes of the probed lists.\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, sb, StandardCharsets.UTF_8);
    Path first = null;
    for (KernelBackend x : kbs) {
      // one TSV per backend (--tsv names the first backend's; the others get -<backend> before .tsv)
      Path t = tsv == null ? out.resolveSibling("scale-" + x.name() + ".tsv")
          : x == kb ? tsv : tsv.resolveSibling(tsv.getFileName().toString().replaceAll("\\.tsv$", "")
              + "-" + x.name() + ".tsv");
      first = first == null ? t : first;
      StringBuilder tb = new StringBuilder(String.format(Locale.ROOT, "# %s, %s, dim %d, IVF%d, nprobe %d%n",
          x.name(), x.device(), dim, nlist, nprobe));
      tb.append("# n\tcodec\tcode_bytes\tfile_bytes\tbuild_s\ttrain_s\tassign_s\tencode_s\tp50_ms\tp99_ms"
          + "\tqps_single\tqps_batch\trecall\tbackend\n");
      rs.stream().filter(r -> r.backend().equals(x.name())).forEach(r -> tb.append(r.tsv()).append('\n'));
      Files.writeString(t, tb, StandardCharsets.UTF_8);
    }
    Path t = first;
    if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
      spec.commandLine().getOut().println("bench-scale: this runtime has no java.desktop: no PNG; draw it where"
          + " there is one with: tools/bench-scale.sh --plot " + t + " [<png>]");
      return;
    }
    LogLogChart.write(png, String.format(Locale.ROOT, "IVF%d first-stage search, dim %d, nprobe %d, %s backend, %d"
        + " cores", nlist, dim, nprobe, String.join("+", kbs.stream().map(KernelBackend::name).toList()), cores),
        "vectors in the index", "ms per question", seriesOf(rs, ""));
  }

  private static List<LogLogChart.Series> seriesOf(List<Result> rs, String filePrefix) {
    List<LogLogChart.Series> series = new ArrayList<>();
    boolean several = rs.stream().map(Result::backend).distinct().count() > 1;
    for (String key : rs.stream().map(r -> r.backend() + "\t" + r.codec()).distinct().toList()) {
      List<Result> c = rs.stream().filter(r -> (r.backend() + "\t" + r.codec()).equals(key)).toList();
      String codec = c.get(0).codec();
      String prefix = filePrefix.isEmpty() && several ? c.get(0).backend() + " " : filePrefix;
      series.add(new LogLogChart.Series(prefix + codec + " p50 (1 question/call)",
          c.stream().mapToDouble(Result::n).toArray(), c.stream().mapToDouble(Result::p50).toArray()));
      series.add(new LogLogChart.Series(prefix + codec + " batch: ms per question",
          c.stream().mapToDouble(Result::n).toArray(), c.stream().mapToDouble(r -> 1000 / r.qpsBatch()).toArray()));
    }
    return series;
  }
}
