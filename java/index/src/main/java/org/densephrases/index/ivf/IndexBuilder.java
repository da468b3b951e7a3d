package org.densephrases.index.ivf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.densephrases.index.Progress;
import org.densephrases.index.format.ContainerWriter;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Header;
import org.densephrases.index.format.Segments;
import org.densephrases.index.quant.KMeans;
import org.densephrases.index.quant.Opq;
import org.densephrases.index.quant.ProductQuantizer;
import org.densephrases.index.quant.ScalarQuantizer;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.scan.VectorScanner;

/**
 * Builds an IVF index file from a {@link VectorSource} (a dump, or any vectors).
 *
 * <ol>
 *   <li>sample {@code trainSize} vectors (seeded), train the coarse k-means, then the codec on the sample (on its
 *       residuals to the nearest centroid when {@code residual}): SQ8 ranges, or PQ codebooks (after OPQ);
 *   <li>pass 1: assign every vector to its nearest centroid (the kernel scan, k = 1), count list sizes;
 *   <li>pass 2: encode every vector and write its code and id at its list's next slot of the mapped file.
 * </ol>
 * The file is written under a temporary name and renamed when complete (see FORMATS.md). Memory: the sample, 4
 * bytes per vector for the assignments, one chunk of decoded vectors.
 */
public final class IndexBuilder {
  /** Vectors decoded per chunk of the two passes. */
  static final int CHUNK = 8192;

  private final IndexSpec spec;
  private final KernelBackend backend;
  private final VectorScanner scanner;
  private final Progress.Listener listener;

  public IndexBuilder(IndexSpec spec, KernelBackend backend, Progress.Listener listener) {
    this.spec = spec;
    this.backend = backend;
    this.scanner = backend.vectorScanner();
    this.listener = listener;
  }

  public BuildReport build(VectorSource src, Path out) throws IOException {
    long t0 = System.nanoTime();
    long n = src.count();
    int dim = src.dim();
    Checks.require(n >= spec.nlist(), "cannot build " + spec.nlist() + " lists from " + n + " vectors");
    Checks.require(n <= Integer.MAX_VALUE, n + " vectors: at most 2^31-1 per index file");
    if (spec.codec() == Codec.PQ) {
      Checks.require(dim % spec.pqM() == 0, "PQ needs dim (" + dim + ") to be a multiple of m (" + spec.pqM() + ")");
    }

    // ---- training
    int t = (int) Math.min(n, Math.min(spec.trainSize(), Integer.MAX_VALUE / dim));
    t = Math.max(t, spec.nlist());
    float[] sample = sample(src, t, spec.seed());
    float[] centroids = KMeans.train(sample, t, dim, spec.nlist(), spec.kmeansIterations(), KMeans.Init.RANDOM,
        spec.seed(), scanner);
    if (spec.residual()) {
      int[] a = new int[t];
      KMeans.assign(centroids, spec.nlist(), dim, sample, t, a, scanner);
      subtractCentroids(sample, t, dim, centroids, a);
    }
    ScalarQuantizer sq = null;
    ProductQuantizer pq = null;
    float[] rotation = null;
    if (spec.codec() == Codec.SQ8) {
      sq = ScalarQuantizer.train(sample, t, dim);
    } else if (spec.opq()) {
      Opq.Result r = Opq.train(sample, t, dim, spec.pqM(), spec.opqIterations(), spec.pqIterations(), spec.seed(),
          scanner);
      rotation = r.rotation();
      pq = r.pq();
    } else {
      pq = ProductQuantizer.train(sample, t, dim, spec.pqM(), spec.pqIterations(), spec.seed(), scanner);
    }
    sample = null; // let the GC take it before the passes
    double trainSec = (System.nanoTime() - t0) / 1e9;

    // ---- pass 1: assignment
    int nn = (int) n;
    int[] assign = new int[nn];
    float[] buf = new float[CHUNK * dim];
    long[] ids = new long[CHUNK];
    Progress p1 = new Progress("index: assign", n, listener, 5);
    for (int from = 0; from < nn; from += CHUNK) {
      int m = Math.min(CHUNK, nn - from);
      src.read(from, m, buf, ids);
      int[] a = new int[m];
      KMeans.assign(centroids, spec.nlist(), dim, m * dim == buf.length ? buf : Arrays.copyOf(buf, m * dim), m, a,
          scanner);
      System.arraycopy(a, 0, assign, from, m);
      p1.advance(m);
    }
    double assignSec = p1.finish();
    long[] offsets = new long[spec.nlist() + 1];
    for (int a : assign) {
      offsets[a + 1]++;
    }
    long minList = Long.MAX_VALUE;
    long maxList = 0;
    for (int l = 0; l < spec.nlist(); l++) {
      minList = Math.min(minList, offsets[l + 1]);
      maxList = Math.max(maxList, offsets[l + 1]);
      offsets[l + 1] += offsets[l];
    }

    // ---- pass 2: encode into the mapped file
    int codeBytes = spec.codeBytes(dim);
    List<String> sections = new ArrayList<>(List.of("PARAMS", "CENTROID", "LISTOFF",
        spec.codec() == Codec.SQ8 ? "QPARAMS" : "PQBOOK"));
    if (rotation != null) {
      sections.add("OPQ");
    }
    sections.addAll(List.of("IDS", "CODES"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Header h;
    Progress p2 = new Progress("index: encode", n, listener, 5);
    try (ContainerWriter w = ContainerWriter.create(out, IvfIndex.MAGIC, IvfIndex.VERSION, src.modelId(), dim,
        spec.codec() == Codec.SQ8 ? DType.INT8 : DType.PQ8, sections)) {
      w.section("PARAMS", params(src).getBytes(StandardCharsets.UTF_8));
      w.begin("CENTROID").putFloats(centroids);
      w.begin("LISTOFF").putLongs(offsets);
      if (sq != null) {
        w.begin("QPARAMS").putFloats(sq.offset()).putFloats(sq.scale());
      } else {
        w.begin("PQBOOK").putFloats(pq.codebooks());
      }
      if (rotation != null) {
        w.begin("OPQ").putFloats(rotation);
      }
      MemorySegment idSeg = w.reserve("IDS", 8L * n);
      MemorySegment codeSeg = w.reserve("CODES", (long) codeBytes * n);
      long[] cursor = Arrays.copyOf(offsets, spec.nlist());
      byte[] codes = new byte[CHUNK * codeBytes];
      float[] tmp = rotation == null ? null : new float[dim];
      for (int from = 0; from < nn; from += CHUNK) {
        int m = Math.min(CHUNK, nn - from);
        src.read(from, m, buf, ids);
        if (spec.residual()) {
          subtractCentroids(buf, m, dim, centroids, Arrays.copyOfRange(assign, from, from + m));
        }
        if (rotation != null) {
          for (int i = 0; i < m; i++) {
            Opq.rotateRow(rotation, dim, buf, i * dim, tmp, 0);
            System.arraycopy(tmp, 0, buf, i * dim, dim);
          }
        }
        if (sq != null) {
          for (int i = 0; i < m; i++) {
            sq.encode(buf, i * dim, codes, i * codeBytes);
          }
        } else {
          pq.encode(m * dim == buf.length ? buf : Arrays.copyOf(buf, m * dim), m, codes, scanner);
        }
        for (int i = 0; i < m; i++) {
          long slot = cursor[assign[from + i]]++;
          idSeg.setAtIndex(Segments.I64, slot, ids[i]);
          MemorySegment.copy(codes, i * codeBytes, codeSeg, ValueLayout.JAVA_BYTE, slot * codeBytes, codeBytes);
        }
        p2.advance(m);
      }
      h = w.commit(n);
    }
    double encodeSec = p2.finish();
    double total = (System.nanoTime() - t0) / 1e9;
    return new BuildReport(n, dim, spec, trainSec, assignSec, encodeSec, total, h.fileBytes(), codeBytes + 8,
        minList, maxList, List.of());
  }

  /**
   * Builds, then measures recall against exact search on {@code queries} queries sampled from the source (rows plus
   * noise): k exact neighbours looked for among the IVF top-{@code candidates}, at each nprobe.
   */
  public BuildReport buildAndMeasure(VectorSource src, Path out, int queries, int k, int candidates, int[] nprobes)
      throws IOException {
    BuildReport r = build(src, out);
    try (IvfIndex index = IvfIndex.open(out)) {
      return r.withRecall(Recall.evaluate(index, src, backend, queries, k, candidates, nprobes, spec.seed() + 1));
    }
  }

  private String params(VectorSource src) {
    return "kind=ivf\n"
        + "codec=" + spec.codec().name().toLowerCase(java.util.Locale.ROOT) + "\n"
        + "nlist=" + spec.nlist() + "\n"
        + (spec.codec() == Codec.PQ ? "pq_m=" + spec.pqM() + "\nopq=" + spec.opq() + "\n" : "")
        + "residual=" + spec.residual() + "\n"
        + "assignment=l2\nprobe=inner-product\n"
        + "source=" + src.fingerprint() + "\n"
        + "train_size=" + spec.trainSize() + "\n"
        + "kmeans_iterations=" + spec.kmeansIterations() + "\n"
        + "seed=" + spec.seed() + "\n";
  }

  static void subtractCentroids(float[] x, int n, int dim, float[] c, int[] assign) {
    for (int i = 0; i < n; i++) {
      int base = assign[i] * dim;
      for (int d = 0; d < dim; d++) {
        x[i * dim + d] -= c[base + d];
      }
    }
  }

  /** t distinct rows of the source chosen uniformly with the seed (Floyd's algorithm), read in ascending order. */
  static float[] sample(VectorSource src, int t, long seed) {
    long n = src.count();
    int dim = src.dim();
    long[] rows;
    if (t >= n) {
      rows = new long[(int) n];
      for (int i = 0; i < n; i++) {
        rows[i] = i;
      }
    } else {
      Random r = new Random(seed);
      java.util.HashSet<Long> chosen = new java.util.HashSet<>();
      for (long j = n - t; j < n; j++) {
        long x = (long) (r.nextDouble() * (j + 1));
        if (!chosen.add(x)) {
          chosen.add(j);
        }
      }
      rows = chosen.stream().mapToLong(Long::longValue).sorted().toArray();
    }
    float[] out = new float[rows.length * dim];
    long[] id = new long[1];
    float[] row = new float[dim];
    for (int i = 0; i < rows.length; i++) {
      src.read(rows[i], 1, row, id);
      System.arraycopy(row, 0, out, i * dim, dim);
    }
    return out;
  }
}
