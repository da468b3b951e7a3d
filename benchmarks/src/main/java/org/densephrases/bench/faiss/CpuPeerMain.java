package org.densephrases.bench.faiss;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.densephrases.app.EvalQuestions;
import org.densephrases.app.Percentiles;
import org.densephrases.app.Sessions;
import org.densephrases.app.TextFiles;
import org.densephrases.app.Workspace;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.encode.QuestionVectors;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.Verify;
import org.densephrases.index.ivf.Codec;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexFiles;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.IvfSearcher;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.VectorType;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.search.QuestionEncoder;
import org.densephrases.search.SearchSession;

/**
 * Our side of the CPU comparison with faiss (benchmarks/faiss/run.sh; not a verb: a benchmark harness).
 *
 * <pre>
 *   CpuPeerMain export  --dump DIR --out DIR [--questions 1000] [--nlist N (default: the index verb's)]
 *   CpuPeerMain measure --dump DIR --peer DIR --label NAME [--nprobe 8,16,32,64,128] [--whole-nprobe 64]
 *                       [--batch 64] [--questions N] [--codecs sq8,pq]
 * </pre>
 *
 * {@code export} writes what the faiss driver reads, little-endian raw arrays: {@code base.f32} (every dump vector
 * decoded from FP16, in global token id order: the vectors our index encodes), {@code train.f32} (the sample our
 * {@link IndexBuilder} trains on, {@link IndexBuilder#trainingSample}), {@code queries.f32} (the start and end vector
 * of each of N dev questions encoded by the dump's model, interleaved) and {@code meta.txt}; plus
 * {@code questions.qv} for {@code measure}. Their exact top-100 ({@code gt.i64}) comes from
 * benchmarks/faiss/exact_topk.py (a BLAS matrix product: our flat scan is made for few queries, and took over 10
 * minutes for these 1,000 on 2 busy cores).
 *
 * <p>{@code measure} prints TSV rows in the faiss driver's columns (label, codec, stage, mode, nprobe, k, recall@10,
 * recall@100, 100-recall@k, questions/s, p50 ms, p99 ms): the first stage alone ({@link IvfSearcher}, a question =
 * one call of its 2 vectors, or batches of questions) and the whole question from given vectors (first stage, span
 * scoring, aggregation: {@link SearchSession#searchVectors}), both on {@link Backends#best()}.
 */
public final class CpuPeerMain {
  /** Exact neighbours kept per query vector. */
  static final int GT_K = 100;

  private CpuPeerMain() {}

  /**
   * Runs {@code export} or {@code measure} (see the class comment) and prints its rows.
   *
   * @param args the step, then its {@code --name value} options
   * @throws Exception when a step fails; the run stops there
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !(args[0].equals("export") || args[0].equals("measure"))) {
      System.err.println("usage: CpuPeerMain export|measure --dump DIR ... (see the class comment)");
      System.exit(2);
    }
    Path dump = Path.of(arg(args, "--dump", null));
    if (args[0].equals("export")) {
      export(dump, Path.of(arg(args, "--out", "work/faiss-peer")), Integer.parseInt(arg(args, "--questions", "1000")),
          Integer.parseInt(arg(args, "--nlist", "0")));
    } else {
      int[] nprobes = Arrays.stream(arg(args, "--nprobe", "8,16,32,64,128").split(",")).mapToInt(Integer::parseInt)
          .toArray();
      int[] whole = Arrays.stream(arg(args, "--whole-nprobe", "64").split(",")).filter(x -> !x.isBlank())
          .mapToInt(Integer::parseInt).toArray();
      measure(dump, Path.of(arg(args, "--peer", "work/faiss-peer")), arg(args, "--label", "ours"), nprobes, whole,
          Integer.parseInt(arg(args, "--batch", "64")), Integer.parseInt(arg(args, "--questions", "0")),
          List.of(arg(args, "--codecs", "sq8,pq").split(",")));
    }
  }

  private static String arg(String[] args, String name, String def) {
    for (int i = 1; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    if (def == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return def;
  }

  // ------------------------------------------------------------------------------------------------ export

  static void export(Path dumpDir, Path out, int numQuestions, int nlistGiven) throws IOException {
    Files.createDirectories(out);
    try (Dump d = Dump.open(dumpDir, Expect.ANY, Verify.ON_OPEN, false)) {
      VectorSource src = VectorSource.ofDump(d, VectorType.FP16, Float.NEGATIVE_INFINITY);
      int dim = src.dim();
      long n = src.count();
      int nlist = nlistGiven > 0 ? nlistGiven : IndexSpec.defaultNlist(n); // as `densephrases index --nlist`
      IndexSpec sq8 = IndexSpec.sq8(nlist);
      IndexSpec pq = IndexSpec.pq(nlist, dim / 8);
      // Both codecs train on one sample (same size and seed), checked here rather than assumed.
      float[] train = IndexBuilder.trainingSample(src, sq8);
      if (!Arrays.equals(train, IndexBuilder.trainingSample(src, pq))) {
        throw new IllegalStateException("the SQ8 and PQ specs sample different training vectors");
      }
      writeFloats(out.resolve("train.f32"), train);

      // base.f32 in token id order
      Path base = out.resolve("base.f32");
      Path tmp = out.resolve("base.f32.tmp");
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        int chunk = 65536;
        float[] buf = new float[chunk * dim];
        long[] ids = new long[chunk];
        ByteBuffer bb = ByteBuffer.allocate(chunk * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long from = 0; from < n; from += chunk) {
          int m = (int) Math.min(chunk, n - from);
          src.read(from, m, buf, ids);
          for (int i = 0; i < m; i++) {
            if (ids[i] != from + i) {
              throw new IllegalStateException("row " + (from + i) + " has token id " + ids[i]);
            }
          }
          bb.clear();
          bb.asFloatBuffer().put(buf, 0, m * dim);
          os.write(bb.array(), 0, m * dim * 4);
        }
      }
      Files.move(tmp, base, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

      // the questions, encoded by the dump's model one batch at a time
      List<EvalQuestions.Q> qs =
          EvalQuestions.questions(SquadReader.read(Path.of(Workspace.DEFAULT_DEV)), numQuestions);
      QuestionVectors qv;
      try (QuestionEncoder enc = Sessions.load(EncoderModel.defaultModel(), new EncoderOptions())) {
        if (!enc.modelId().equals(d.modelId())) {
          throw new IllegalArgumentException("the dump was made by " + d.modelId() + ", the default model is "
              + enc.modelId());
        }
        float[][] v = enc.encode(qs.stream().map(EvalQuestions.Q::text).toList(), 64);
        qv = new QuestionVectors(enc.modelId(), dim, qs.stream().map(EvalQuestions.Q::id).toList(),
            qs.stream().map(EvalQuestions.Q::text).toList(), v[0], v[1]);
      }
      qv.write(out.resolve("questions.qv"));
      float[] queries = interleave(qv);
      writeFloats(out.resolve("queries.f32"), queries);

      TextFiles.writeAtomically(out.resolve("meta.txt"), String.format(Locale.ROOT,
          "n %d%ndim %d%nnq %d%ngtk %d%nnlist %d%nm %d%ntrain %d%nkmeans_iter %d%npq_iter %d%nk %d%n", n, dim,
          2 * qs.size(), GT_K, nlist, pq.pqM(), train.length / dim, sq8.kmeansIterations(), pq.pqIterations(),
          SearchOptions.defaults().candidates()));
      System.out.printf(Locale.ROOT, "export: %d vectors x %d, %d training vectors, %d questions -> %s%n", n, dim,
          train.length / dim, qs.size(), out);
    }
  }

  /** (question)(dim) start and end vectors to (question)(2)(dim): query 2i is the start, 2i + 1 the end. */
  static float[] interleave(QuestionVectors qv) {
    int dim = qv.dim();
    float[] q = new float[2 * qv.size() * dim];
    for (int i = 0; i < qv.size(); i++) {
      System.arraycopy(qv.qStart(), i * dim, q, 2 * i * dim, dim);
      System.arraycopy(qv.qEnd(), i * dim, q, (2 * i + 1) * dim, dim);
    }
    return q;
  }

  private static void writeFloats(Path p, float[] v) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    writeBytes(p, b.array());
  }

  private static void writeBytes(Path p, byte[] bytes) throws IOException {
    Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  // ------------------------------------------------------------------------------------------------ measure

  static void measure(Path dumpDir, Path peer, String label, int[] nprobes, int[] wholeNprobes, int batch,
      int maxQuestions, List<String> codecs) throws IOException {
    QuestionVectors all = QuestionVectors.read(peer.resolve("questions.qv"), null);
    int nQ = maxQuestions > 0 ? Math.min(maxQuestions, all.size()) : all.size();
    int dim0 = all.dim();
    QuestionVectors qv = new QuestionVectors(all.modelId(), dim0, all.ids().subList(0, nQ),
        all.texts().subList(0, nQ), Arrays.copyOf(all.qStart(), nQ * dim0), Arrays.copyOf(all.qEnd(), nQ * dim0));
    float[] queries = interleave(qv);
    long[] gt = readLongs(peer.resolve("gt.i64"));
    int nq = 2 * qv.size();
    int k = SearchOptions.defaults().candidates();
    int dim = qv.dim();
    KernelBackend kb = Backends.best();
    for (String codec : codecs) {
      double[][] recalls = new double[nprobes.length][];
      try (Dump d = Dump.open(dumpDir, Expect.ANY, Verify.ON_OPEN, false);
          IvfIndex idx = IvfIndex.open(IndexFiles.path(dumpDir, Codec.parse(codec)));
          IvfSearcher s = new IvfSearcher(idx, kb)) {
        idx.checkServes(d);
        for (int pi = 0; pi < nprobes.length; pi++) {
          int np = nprobes[pi];
          for (int i = 0; i < Math.min(20, qv.size()); i++) {
            s.search(Arrays.copyOfRange(queries, 2 * i * dim, (2 * i + 2) * dim), 2, np, k);
          }
          long[] ids = new long[nq * k];
          double[] lat = new double[qv.size()];
          long t0 = System.nanoTime();
          for (int i = 0; i < qv.size(); i++) {
            float[] q = Arrays.copyOfRange(queries, 2 * i * dim, (2 * i + 2) * dim);
            long a = System.nanoTime();
            TopK r = s.search(q, 2, np, k);
            lat[i] = (System.nanoTime() - a) / 1e6;
            System.arraycopy(r.ids(), 0, ids, 2 * i * k, 2 * k);
          }
          double sec = (System.nanoTime() - t0) / 1e9;
          recalls[pi] = recall(ids, gt, nq, k);
          row(label, codec, "first-stage", "single", np, k, recalls[pi], qv.size() / sec, lat);
          List<Double> bl = new ArrayList<>();
          t0 = System.nanoTime();
          for (int i = 0; i < qv.size(); i += batch) {
            int b = Math.min(batch, qv.size() - i);
            float[] q = Arrays.copyOfRange(queries, 2 * i * dim, (2 * i + 2 * b) * dim);
            long a = System.nanoTime();
            s.search(q, 2 * b, np, k);
            bl.add((System.nanoTime() - a) / 1e6);
          }
          sec = (System.nanoTime() - t0) / 1e9;
          row(label, codec, "first-stage", "batch" + batch, np, k, recalls[pi], qv.size() / sec,
              bl.stream().mapToDouble(Double::doubleValue).toArray());
        }
      }
      for (int np : wholeNprobes) {
        int pi = Arrays.stream(nprobes).boxed().toList().indexOf(np);
        if (pi < 0) {
          throw new IllegalArgumentException("--whole-nprobe " + np + " is not among --nprobe");
        }
        SearchOptions o = SearchOptions.defaults().withNprobe(np);
        List<Unit> units = List.of(Unit.PHRASE);
        try (SearchSession ss = Sessions.openVectors(dumpDir, qv.modelId(), dim, codec, "auto", o)) {
          for (int i = 0; i < Math.min(20, qv.size()); i++) {
            ss.searchVectors(rowOf(qv.qStart(), i, dim), rowOf(qv.qEnd(), i, dim), 1, o, units);
          }
          double[] lat = new double[qv.size()];
          long t0 = System.nanoTime();
          for (int i = 0; i < qv.size(); i++) {
            float[] qs = rowOf(qv.qStart(), i, dim);
            float[] qe = rowOf(qv.qEnd(), i, dim);
            long a = System.nanoTime();
            ss.searchVectors(qs, qe, 1, o, units);
            lat[i] = (System.nanoTime() - a) / 1e6;
          }
          double sec = (System.nanoTime() - t0) / 1e9;
          row(label, codec, "whole", "single", np, k, recalls[pi], qv.size() / sec, lat);
          List<Double> bl = new ArrayList<>();
          t0 = System.nanoTime();
          for (int i = 0; i < qv.size(); i += batch) {
            int b = Math.min(batch, qv.size() - i);
            float[] qs = Arrays.copyOfRange(qv.qStart(), i * dim, (i + b) * dim);
            float[] qe = Arrays.copyOfRange(qv.qEnd(), i * dim, (i + b) * dim);
            long a = System.nanoTime();
            ss.searchVectors(qs, qe, b, o, units);
            bl.add((System.nanoTime() - a) / 1e6);
          }
          sec = (System.nanoTime() - t0) / 1e9;
          row(label, codec, "whole", "batch" + batch, np, k, recalls[pi], qv.size() / sec,
              bl.stream().mapToDouble(Double::doubleValue).toArray());
        }
      }
    }
  }

  private static float[] rowOf(float[] a, int i, int dim) {
    return Arrays.copyOfRange(a, i * dim, (i + 1) * dim);
  }

  /** recall@10, recall@100 and 100-recall@k of ids (query)(k) against the exact top-GT_K. */
  static double[] recall(long[] ids, long[] gt, int nq, int k) {
    double r10 = 0;
    double r100 = 0;
    double r100k = 0;
    for (int q = 0; q < nq; q++) {
      Set<Long> t10 = new HashSet<>();
      Set<Long> t100 = new HashSet<>();
      for (int j = 0; j < GT_K; j++) {
        (j < 10 ? t10 : t100).add(gt[q * GT_K + j]);
      }
      t100.addAll(t10);
      for (int r = 0; r < k; r++) {
        long id = ids[q * k + r];
        r10 += r < 10 && t10.contains(id) ? 1 : 0;
        r100 += r < 100 && t100.contains(id) ? 1 : 0;
        r100k += t100.contains(id) ? 1 : 0;
      }
    }
    return new double[] {r10 / (nq * 10.0), r100 / (nq * 100.0), r100k / (nq * 100.0)};
  }

  private static void row(String label, String codec, String stage, String mode, int nprobe, int k, double[] r,
      double qps, double[] lat) {
    double[] s = lat.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%d\t%d\t%.4f\t%.4f\t%.4f\t%.2f\t%.2f\t%.2f%n", label, codec, stage,
        mode, nprobe, k, r[0], r[1], r[2], qps, Percentiles.of(s, 0.5), Percentiles.of(s, 0.99));
    System.out.flush();
  }

  private static long[] readLongs(Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    long[] v = new long[b.length / 8];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(v);
    return v;
  }
}
