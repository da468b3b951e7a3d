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
import java.util.concurrent.ConcurrentLinkedQueue;
import org.densephrases.kernels.Progress;
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
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.blocked.BlockedProducts;
import org.densephrases.kernels.blocked.ProductTable;

/**
 * Builds an IVF index file from a {@link VectorSource} (a dump, or any vectors).
 *
 * <ol>
 *   <li>sample {@code trainSize} vectors (seeded), train the coarse k-means, then the codec on the sample (on its
 *       residuals to the nearest centroid when {@code residual}): SQ8 ranges, or PQ codebooks (after OPQ);
 *   <li>pass 1: assign every vector to its nearest centroid, count list sizes;
 *   <li>pass 2: encode every vector and write its code and id at its list's next slot of the mapped file.
 * </ol>
 * Both passes stream the source in blocks of about a megabyte of floats, processed in parallel on up to
 * {@code threads} threads (each thread reads its block, so reading is parallel too when the source allows it, see
 * {@link VectorSource#concurrentReads}). Pass 2 runs in rounds of a few blocks per thread: the slots of a round's
 * vectors are numbered in source order first, so the file is the same, byte for byte, whatever the thread count.
 * Nearest-centroid searches (k-means, assignment, PQ encoding) are the blocked kernel of {@link BlockedProducts},
 * independent of the {@link KernelBackend} (which serves the recall measurement).
 *
 * <p>The file is written under a temporary name and renamed when complete (see FORMATS.md). Memory: the sample, 4
 * bytes per vector for the assignments, a block of decoded vectors per thread.
 */
public final class IndexBuilder {
  /** Blocks per thread in a round of pass 2: enough to even out uneven blocks between the rounds' barriers. */
  private static final int BLOCKS_PER_THREAD = 4;

  private final IndexSpec spec;
  private final KernelBackend backend;
  private final Progress.Listener listener;
  private final int threads;

  /**
   * A builder on all {@link Parallel#threads()} threads.
   *
   * @param spec how to build
   * @param backend the kernels that assign and scan
   * @param listener receives progress ({@link Progress#SILENT} for none)
   */
  public IndexBuilder(IndexSpec spec, KernelBackend backend, Progress.Listener listener) {
    this(spec, backend, listener, Parallel.threads());
  }

  /**
   * A builder on at most {@code threads} threads (at most {@link Parallel#threads()}, set by
   * {@code -Ddensephrases.threads}); the index file does not depend on the thread count.
   *
   * @param spec how to build
   * @param backend the kernels that assign and scan
   * @param listener receives progress
   * @param threads the most threads to use
   */
  public IndexBuilder(IndexSpec spec, KernelBackend backend, Progress.Listener listener, int threads) {
    Checks.require(threads >= 1, "threads must be >= 1, got " + threads);
    this.spec = spec;
    this.backend = backend;
    this.listener = listener;
    this.threads = threads;
  }

  /** Vectors per block of the passes: 2^18 floats (1 MB), at least 64 and at most 4096 vectors, a multiple of 4. */
  static int blockRows(int dim) {
    return Math.max(64, Math.min(4096, (1 << 18) / dim)) & ~3;
  }

  /** One thread's buffers for a block. */
  private static final class Scratch {
    final float[] buf;
    final float[] rotated;
    final long[] ids;
    final byte[] codes;

    Scratch(int rows, int dim, boolean rotate, int codeBytes) {
      buf = new float[rows * dim];
      rotated = rotate ? new float[rows * dim] : null;
      ids = new long[rows];
      codes = new byte[rows * codeBytes];
    }
  }

  /**
   * Samples, trains the coarse quantizer and codec, assigns and encodes every vector, and writes the index file
   * (atomically).
   *
   * @param src the vectors (and their ids) to index
   * @param out the index file to write
   * @return what the build cost and produced
   * @throws IOException when the file cannot be written
   * @throws IllegalArgumentException when there are fewer vectors than lists or more than 2^31-1, or the dimension
   *     does not fit the codec
   */
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
    float[] sample = trainingSample(src, spec);
    int t = sample.length / dim;
    float[] centroids = KMeans.train(sample, t, dim, spec.nlist(), spec.kmeansIterations(), KMeans.Init.RANDOM,
        spec.seed(), threads);
    ProductTable coarse = ProductTable.l2(centroids, spec.nlist(), dim);
    if (spec.residual()) {
      int[] a = new int[t];
      KMeans.assign(coarse, sample, 0, dim, t, a, 0, threads);
      subtractCentroids(sample, t, dim, centroids, a, 0);
    }
    ScalarQuantizer sq = null;
    ProductQuantizer pq = null;
    float[] rotation = null;
    if (spec.codec() == Codec.SQ8) {
      sq = ScalarQuantizer.train(sample, t, dim);
    } else if (spec.opq()) {
      Opq.Result r = Opq.train(sample, t, dim, spec.pqM(), spec.opqIterations(), spec.pqIterations(), spec.seed(),
          threads);
      rotation = r.rotation();
      pq = r.pq();
    } else {
      pq = ProductQuantizer.train(sample, t, dim, spec.pqM(), spec.pqIterations(), spec.seed(), threads);
    }
    sample = null; // let the GC take it before the passes
    double trainSec = (System.nanoTime() - t0) / 1e9;

    int nn = (int) n;
    int block = blockRows(dim);
    int codeBytes = spec.codeBytes(dim);
    boolean rotate = rotation != null;
    ConcurrentLinkedQueue<Scratch> scratch = new ConcurrentLinkedQueue<>();

    // ---- pass 1: assignment, blocks in parallel (each writes its own range of assign)
    int[] assign = new int[nn];
    Progress p1 = new Progress("index: assign", n, listener, 5);
    Parallel.forEach((nn + block - 1) / block, threads, b -> {
      int from = b * block;
      int m = Math.min(block, nn - from);
      Scratch s = take(scratch, block, dim, rotate, codeBytes);
      read(src, from, m, s);
      BlockedProducts.argmax(coarse, s.buf, 0, dim, m, assign, from);
      scratch.add(s);
      synchronized (p1) {
        p1.advance(m);
      }
    });
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
      ProductTable rt = rotate ? Opq.table(rotation, dim) : null;
      ScalarQuantizer fsq = sq;
      ProductQuantizer fpq = pq;
      int roundRows = (int) Math.min(nn, (long) block * BLOCKS_PER_THREAD * Math.min(threads, Parallel.threads()));
      long[] slots = new long[roundRows];
      for (int round = 0; round < nn; round += roundRows) {
        int base = round;
        int rows = Math.min(roundRows, nn - round);
        for (int i = 0; i < rows; i++) { // slots in source order: the file does not depend on the threads
          slots[i] = cursor[assign[base + i]]++;
        }
        Parallel.forEach((rows + block - 1) / block, threads, b -> {
          int from = base + b * block;
          int m = Math.min(block, base + rows - from);
          Scratch s = take(scratch, block, dim, rotate, codeBytes);
          read(src, from, m, s);
          float[] v = s.buf;
          if (spec.residual()) {
            subtractCentroids(v, m, dim, centroids, assign, from);
          }
          if (rt != null) {
            BlockedProducts.products(rt, v, 0, dim, m, s.rotated, 0, dim);
            v = s.rotated;
          }
          if (fsq != null) {
            for (int i = 0; i < m; i++) {
              fsq.encode(v, i * dim, s.codes, i * codeBytes);
            }
          } else {
            fpq.encode(v, 0, m, s.codes, 0, 1);
          }
          for (int i = 0; i < m; i++) {
            long slot = slots[from - base + i];
            idSeg.setAtIndex(Segments.I64, slot, s.ids[i]);
            MemorySegment.copy(s.codes, i * codeBytes, codeSeg, ValueLayout.JAVA_BYTE, slot * codeBytes, codeBytes);
          }
          scratch.add(s);
          synchronized (p2) {
            p2.advance(m);
          }
        });
      }
      h = w.commit(n);
    }
    double encodeSec = p2.finish();
    double total = (System.nanoTime() - t0) / 1e9;
    return new BuildReport(n, dim, spec, trainSec, assignSec, encodeSec, total, h.fileBytes(), codeBytes + 8,
        minList, maxList, List.of());
  }

  private static Scratch take(ConcurrentLinkedQueue<Scratch> pool, int rows, int dim, boolean rotate, int codeBytes) {
    Scratch s = pool.poll();
    return s != null ? s : new Scratch(rows, dim, rotate, codeBytes);
  }

  /** Reads rows [from, from + m) into s; serialised on the source unless it allows concurrent reads. */
  private static void read(VectorSource src, int from, int m, Scratch s) {
    if (src.concurrentReads()) {
      src.read(from, m, s.buf, s.ids);
    } else {
      synchronized (src) {
        src.read(from, m, s.buf, s.ids);
      }
    }
  }

  /**
   * Builds, then measures recall against exact search on {@code queries} queries sampled from the source (rows plus
   * noise): k exact neighbours looked for among the IVF top-{@code candidates}, at each nprobe.
   *
   * @param src the vectors to index
   * @param out the index file to write
   * @param queries the number of sampled queries
   * @param k the exact neighbours looked for
   * @param candidates the IVF results searched for them
   * @param nprobes the nprobe values measured
   * @return the build report with one recall entry per nprobe
   * @throws IOException when the file cannot be written
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

  /** x_i -= c[assign[assignOff + i]] for the n rows of x. */
  static void subtractCentroids(float[] x, int n, int dim, float[] c, int[] assign, int assignOff) {
    for (int i = 0; i < n; i++) {
      int base = assign[assignOff + i] * dim;
      int xi = i * dim;
      for (int d = 0; d < dim; d++) {
        x[xi + d] -= c[base + d];
      }
    }
  }

  /**
   * The vectors an index of {@code spec} over {@code src} is trained on, (vector)(dim): min(n, trainSize) rows (at
   * least nlist) chosen with the spec's seed, in row order. Public so that a peer library can be trained on the very
   * same sample (benchmarks/faiss).
   *
   * @param src the vectors the index will be built over
   * @param spec the spec whose train size, nlist and seed choose the sample
   * @return the sampled rows, row-major
   */
  public static float[] trainingSample(VectorSource src, IndexSpec spec) {
    int t = (int) Math.min(src.count(), Math.min(spec.trainSize(), Integer.MAX_VALUE / src.dim()));
    return sample(src, Math.max(t, spec.nlist()), spec.seed());
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
