package org.densephrases.index.ivf;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.TopKMerger;
import org.densephrases.kernels.scan.ScanTable;
import org.densephrases.kernels.scan.VectorScanner;

/** Recall of an IVF index against exact (flat) search over the vectors it was built from. */
public final class Recall {
  /** Vectors decoded per exact-scan chunk. */
  static final int CHUNK = 65536;

  /**
   * One recall measurement.
   *
   * @param queries number of queries
   * @param k how many exact neighbours are looked for
   * @param candidates how many IVF results are searched for them (k for plain recall@k)
   * @param nprobe lists probed
   * @param recall |IVF top-candidates ∩ exact top-k| / (queries * k)
   * @param top1 fraction of queries whose exact best vector is in the IVF top-candidates
   * @param ivfMillisPerQuery IVF search time per query (batched)
   */
  public record Report(
      int queries, int k, int candidates, int nprobe, double recall, double top1, double ivfMillisPerQuery) {
    @Override
    public String toString() {
      String what = candidates == k ? "recall@" + k : k + "-recall@" + candidates;
      return String.format(Locale.ROOT, "%s = %.3f (exact top-1 found %.3f) at nprobe %d over %d queries,"
          + " %.2f ms/query", what, recall, top1, nprobe, queries, ivfMillisPerQuery);
    }
  }

  private Recall() {}

  /**
   * Samples {@code nq} queries from the source (rows plus noise), computes their exact top-k and measures the index
   * at each nprobe: the build-time recall report.
   *
   * @param index the index measured
   * @param src the vectors it was built from
   * @param backend the kernels of the exact scan and the search
   * @param nq the number of queries
   * @param k the exact neighbours looked for
   * @param candidates the IVF results searched for them
   * @param nprobes the nprobe values measured
   * @param seed the query sampling seed
   * @return one report per nprobe
   */
  public static java.util.List<Report> evaluate(IvfIndex index, VectorSource src, KernelBackend backend, int nq,
      int k, int candidates, int[] nprobes, long seed) {
    float[] queries = sampleQueries(src, nq, 0.5f, seed);
    TopK exact = exact(src, queries, nq, k, backend.vectorScanner());
    java.util.List<Report> out = new java.util.ArrayList<>();
    try (IvfSearcher s = new IvfSearcher(index, backend)) {
      for (int nprobe : nprobes) {
        out.add(measure(s, exact, queries, nq, k, candidates, Math.min(nprobe, s.maxNprobe())));
      }
    }
    return out;
  }

  /**
   * {@code nq} queries: random rows of the source plus Gaussian noise of {@code noise} times the row's RMS.
   *
   * @param src the indexed vectors (queries are drawn from them)
   * @param nq the number of queries
   * @param noise the noise scale relative to each row's RMS
   * @param seed the sampling seed
   * @return (nq)(dim) queries
   */
  public static float[] sampleQueries(VectorSource src, int nq, float noise, long seed) {
    Random r = new Random(seed);
    int dim = src.dim();
    float[] q = new float[nq * dim];
    float[] row = new float[dim];
    long[] id = new long[1];
    for (int i = 0; i < nq; i++) {
      src.read((long) (r.nextDouble() * src.count()), 1, row, id);
      double rms = 0;
      for (float v : row) {
        rms += v * v;
      }
      rms = Math.sqrt(rms / dim);
      for (int d = 0; d < dim; d++) {
        q[i * dim + d] = row[d] + (float) (r.nextGaussian() * noise * rms);
      }
    }
    return q;
  }

  /**
   * Exact top-k ids (query)(k) of the source by inner product, scanning it in chunks with the kernel scan.
   *
   * @param src the vectors searched exactly
   * @param queries (nq)(dim) queries
   * @param nq the number of queries
   * @param k results per query
   * @param scanner the kernel scanner
   * @return the exact top-k
   */
  public static TopK exact(VectorSource src, float[] queries, int nq, int k, VectorScanner scanner) {
    int dim = src.dim();
    long n = src.count();
    TopKMerger best = new TopKMerger(nq, k);
    float[] buf = new float[(int) Math.min(n, CHUNK) * dim];
    long[] ids = new long[(int) Math.min(n, CHUNK)];
    for (long from = 0; from < n; from += CHUNK) {
      int m = (int) Math.min(CHUNK, n - from);
      src.read(from, m, buf, ids);
      float[] chunk = m * dim == buf.length ? buf : Arrays.copyOf(buf, m * dim);
      int kk = Math.min(k, m);
      try (ScanTable t = scanner.load(EncodedVectors.ofFloats(chunk, dim))) {
        best.add(scanner.search(t, queries, nq, kk), id -> ids[(int) id]);
      }
    }
    return best.result();
  }

  /**
   * Measures recall@k of the searcher against {@code exact} (from {@link #exact}) at one nprobe.
   *
   * @param searcher the IVF searcher
   * @param exact the exact top-k
   * @param queries (nq)(dim) queries
   * @param nq the number of queries
   * @param k results per query
   * @param nprobe lists probed
   * @return the recall report
   */
  public static Report measure(IvfSearcher searcher, TopK exact, float[] queries, int nq, int k, int nprobe) {
    return measure(searcher, exact, queries, nq, k, k, nprobe);
  }

  /**
   * Measures how many of the exact top-k the IVF top-{@code candidates} holds ("k-recall@candidates"): what a
   * two-stage search needs, since the second stage rescores the candidates with exact vectors.
   *
   * @param searcher the IVF searcher
   * @param exact the exact top-k
   * @param queries (nq)(dim) queries
   * @param nq the number of queries
   * @param k the exact neighbours looked for
   * @param candidates the IVF results searched
   * @param nprobe lists probed
   * @return the recall report
   */
  public static Report measure(IvfSearcher searcher, TopK exact, float[] queries, int nq, int k, int candidates,
      int nprobe) {
    long t0 = System.nanoTime();
    TopK approx = searcher.search(queries, nq, nprobe, candidates);
    double ms = (System.nanoTime() - t0) / 1e6 / nq;
    long hit = 0;
    long top1 = 0;
    for (int q = 0; q < nq; q++) {
      Set<Long> truth = new HashSet<>();
      for (int j = 0; j < k; j++) {
        truth.add(exact.id(q, j));
      }
      boolean foundTop = false;
      for (int j = 0; j < candidates; j++) {
        long id = approx.id(q, j);
        if (id >= 0 && truth.contains(id)) {
          hit++;
        }
        foundTop |= id == exact.id(q, 0);
      }
      top1 += foundTop ? 1 : 0;
    }
    return new Report(nq, k, candidates, nprobe, (double) hit / ((long) nq * k), (double) top1 / nq, ms);
  }
}
