package org.densephrases.index;

import org.densephrases.kernels.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpStats;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.ivf.BuildReport;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.Recall;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.index.search.PhraseSearcher;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.VectorType;

/**
 * Not a test: a manual probe of build time, bytes per phrase, recall and search latency on a synthetic clustered
 * dump (random vectors, not encoded text). Run from java/index after test-compile:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp target/classes:target/test-classes:../kernels/target/classes org.densephrases.index.ScaleProbe \
 *   /tmp/probe 1000000 128 1024 16
 * </pre>
 * Arguments: work directory, tokens, dim, nlist, PQ m.
 */
public final class ScaleProbe {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long tokens = Long.parseLong(args[1]);
    int dim = Integer.parseInt(args[2]);
    int nlist = Integer.parseInt(args[3]);
    int m = Integer.parseInt(args[4]);
    KernelBackend b = Backends.best();
    System.out.println("backend " + b.name() + " on " + b.device());
    Path dumpDir = dir.resolve("dump");
    Random r = new Random(1);
    float[] centres = Synthetic.gaussian(r, 1000 * dim, 1f / (float) Math.sqrt(dim));
    if (!Files.exists(dumpDir.resolve("MANIFEST"))) {
      long t0 = System.nanoTime();
      DumpStats st;
      try (DumpWriter w = DumpWriter.open(dumpDir, DumpSpec.of("probe", dim)
          .withTypes(Set.of(VectorType.FP16, VectorType.INT8)))) {
        long done = 0;
        int i = 0;
        Progress p = new Progress("dump", tokens, Progress.LOG_LISTENER, 10);
        while (done < tokens) {
          int n = 60 + r.nextInt(80);
          float[] v = new float[n * dim];
          for (int t = 0; t < n; t++) {
            int c = r.nextInt(1000);
            for (int d = 0; d < dim; d++) {
              v[t * dim + d] = centres[c * dim + d] + (float) (r.nextGaussian() * 0.5 / Math.sqrt(dim));
            }
          }
          w.add(Synthetic.document(r, "d" + i, "T" + i / 5, n, v, null));
          done += n;
          i++;
          p.advance(n);
        }
        p.finish();
        st = w.finish();
      }
      System.out.printf(Locale.ROOT, "dump: %d tokens, %d docs, %d shards, %.1f bytes/token (fp16+int8+meta), %.1fs%n",
          st.tokens(), st.documents(), st.shards(), st.bytesPerToken(), (System.nanoTime() - t0) / 1e9);
    }
    try (Dump dump = Dump.open(dumpDir)) {
      VectorSource src = VectorSource.ofDump(dump, VectorType.FP16, Float.NEGATIVE_INFINITY);
      List<IndexSpec> specs = List.of(IndexSpec.sq8(nlist), IndexSpec.pq(nlist, m));
      float[][] qs = questions(dump, src, 200);
      for (IndexSpec spec : specs) {
        Path out = dir.resolve(spec.codec() + ".ivf");
        BuildReport rep = new IndexBuilder(spec, b, Progress.LOG_LISTENER).build(src, out);
        System.out.println(rep);
        try (IvfIndex index = IvfIndex.open(out)) {
          for (int cand : new int[] {10, 100}) {
            for (Recall.Report rr : Recall.evaluate(index, src, b, 100, 10, cand, new int[] {1, 8, 32, 128}, 3)) {
              System.out.println("  " + rr);
            }
          }
          try (PhraseSearcher s = PhraseSearcher.ivf(dump, index, b)) {
            latency(spec.codec() + " nprobe 32", s, qs, SearchOptions.defaults().withNprobe(32));
          }
        }
      }
      try (PhraseSearcher s = PhraseSearcher.exact(dump, b)) {
        latency("exact", s, qs, SearchOptions.defaults());
      }
    }
  }

  /** Question vectors: a random token's vector plus noise, for start and for end. */
  static float[][] questions(Dump dump, VectorSource src, int n) {
    Random r = new Random(9);
    int dim = dump.dim();
    float[][] q = new float[2][n * dim];
    float[] row = new float[dim];
    long[] id = new long[1];
    for (int side = 0; side < 2; side++) {
      for (int i = 0; i < n; i++) {
        src.read((long) (r.nextDouble() * src.count()), 1, row, id);
        for (int d = 0; d < dim; d++) {
          q[side][i * dim + d] = row[d] + (float) (r.nextGaussian() * 0.3 / Math.sqrt(dim));
        }
      }
    }
    return q;
  }

  static void latency(String name, PhraseSearcher s, float[][] q, SearchOptions o) {
    int dim = s.dump().dim();
    int n = q[0].length / dim;
    for (int i = 0; i < 10; i++) { // warm-up
      s.search(Arrays.copyOfRange(q[0], i * dim, (i + 1) * dim), Arrays.copyOfRange(q[1], i * dim, (i + 1) * dim), o);
    }
    List<Double> ms = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long a = System.nanoTime();
      s.search(Arrays.copyOfRange(q[0], i * dim, (i + 1) * dim), Arrays.copyOfRange(q[1], i * dim, (i + 1) * dim), o);
      ms.add((System.nanoTime() - a) / 1e6);
    }
    double total = (System.nanoTime() - t0) / 1e9;
    ms.sort(null);
    long b0 = System.nanoTime();
    s.search(q[0], q[1], n, o);
    double batch = (System.nanoTime() - b0) / 1e9;
    System.out.printf(Locale.ROOT, "  search %s: one at a time %.1f q/s, p50 %.1f ms, p99 %.1f ms; batch of %d %.1f q/s%n",
        name, n / total, ms.get(n / 2), ms.get((int) (n * 0.99)), n, n / batch);
  }
}
