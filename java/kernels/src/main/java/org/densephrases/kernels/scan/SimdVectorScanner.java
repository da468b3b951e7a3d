package org.densephrases.kernels.scan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.ScalarDots;
import org.densephrases.kernels.SimdDots;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.TopKSelector;

/**
 * Scans with the Vector API and fused top-k.
 *
 * <p>Rows are processed in tiles of about 32 KB of floats, scored against every query of the call four rows per
 * pass: INT8 and FP32 straight from the segment ({@link SimdDots#scoreRows}, INT8 converted lane-wise in the
 * loop), FP16 decoded once per tile and then scored per query ({@link SimdDots#dots}), so the decode is paid once
 * per row whatever the number of queries. The scores of a tile go straight into each query's
 * {@link TopKSelector}, which rejects most of them with one comparison. Nothing of size N is ever allocated. Flat
 * scans split the rows over {@link Parallel} threads. IVF scans of vector lists for several queries go list-major
 * ({@link #scanByList}: each probed list read once for all the queries probing it); one query, and PQ lists, split
 * queries, or the probes of a query when there are fewer queries than threads. Each thread keeps its own selectors
 * and they are merged at the end (same top-k, ties possibly in another order).
 *
 * <p>PQ: the per-query table LUT[s][c] is built from codebooks transposed at {@link #load} to (m)(dsub)(256), so
 * that 256 centroids are scored lane-wise; the scan then adds m table entries per row, four rows at a time.
 */
public final class SimdVectorScanner extends VectorScanner {
  /** A scanner on the shared {@link org.densephrases.kernels.Parallel} pool. */
  public SimdVectorScanner() {}

  /** Floats of decoded rows per tile: 32 KB, about an L1 data cache. */
  private static final int TILE_FLOATS = 8192;
  /** Code bytes per PQ tile. */
  private static final int PQ_TILE_BYTES = 16384;

  /** An IVF-PQ table that also holds the codebooks transposed to (m)(dsub)(256) for the LUT kernel. */
  static final class PqTable extends ScanTable {
    final float[] codebooksT;

    PqTable(IvfLists ivf) {
      super(null, ivf);
      this.codebooksT = SimdPq.transpose(ivf.pq());
    }
  }

  @Override
  public ScanTable load(IvfLists lists) {
    ScanTable t = super.load(lists);
    return lists.isPq() ? new PqTable(lists) : t;
  }

  @Override
  protected TopK computeFlat(ScanTable table, float[] queries, int numQueries, int k) {
    EncodedVectors v = table.flat();
    int dim = v.dim();
    long n = v.count();
    float[] w = new float[numQueries * dim]; // (query)(dim) prepared
    float[] bias = new float[numQueries];
    for (int q = 0; q < numQueries; q++) {
      bias[q] = ScalarDots.prepare(v, queries, q * dim, w, q * dim);
    }
    int tileRows = tileRows(dim);
    int tasks = Parallel.tasksFor(n * dim * (numQueries + 1L), (int) Math.min(Integer.MAX_VALUE, n / tileRows + 1));
    TopKSelector[][] sel = new TopKSelector[tasks][]; // (task)(query)
    Parallel.forEach(tasks, t -> {
      long from = n * t / tasks;
      long to = n * (t + 1) / tasks;
      TopKSelector[] mine = newSelectors(numQueries, k);
      scanRows(v, from, to, w, bias, 0, numQueries, 0f, null, mine, new float[tileRows * dim], new float[tileRows]);
      sel[t] = mine;
    });
    TopK out = TopK.empty(numQueries, k);
    for (int q = 0; q < numQueries; q++) {
      for (int t = 1; t < tasks; t++) {
        sel[0][q].addAll(sel[t][q]);
      }
      sel[0][q].drainDescending(out.scores(), out.ids(), q * k);
    }
    return out;
  }

  @Override
  protected TopK computeIvf(
      ScanTable table, float[] queries, int numQueries, int[] probes, int nprobe, float[] probeBias, int k) {
    IvfLists ivf = table.ivf();
    int dim = ivf.dim();
    long[] offsets = ivf.listOffsets();
    PqCodes pq = ivf.pq();

    // Per query: the prepared vector and bias, or the PQ table (query)(m)(256).
    float[] w = null;
    float[] bias = new float[numQueries];
    float[] lut = null;
    if (pq == null) {
      w = new float[numQueries * dim];
      for (int q = 0; q < numQueries; q++) {
        bias[q] = ScalarDots.prepare(ivf.vectors(), queries, q * dim, w, q * dim);
      }
    } else {
      float[] cbT = table instanceof PqTable pt ? pt.codebooksT : SimdPq.transpose(pq);
      lut = new float[numQueries * pq.m() * 256];
      for (int q = 0; q < numQueries; q++) {
        SimdPq.buildLut(cbT, pq.m(), pq.dsub(), queries, q * dim, lut, q * pq.m() * 256);
      }
    }

    if (pq == null && numQueries > 1) {
      return scanByList(ivf, w, bias, numQueries, probes, nprobe, probeBias, k);
    }
    long rows = 0;
    for (int probe : probes) {
      rows += probe < 0 ? 0 : offsets[probe + 1] - offsets[probe];
    }
    int chunks = Parallel.tasksFor(rows * (pq == null ? dim : pq.m()), Integer.MAX_VALUE);
    // Whole queries per task when there are enough of them, else the probes of each query split in parts; each
    // (query, part) keeps its own selector, merged below.
    int parts = Math.min(nprobe, (chunks + numQueries - 1) / numQueries);
    int tasks = chunks <= 1 ? 1 : numQueries * parts;
    int partsPerQuery = tasks == 1 ? 1 : parts;
    TopKSelector[] sel = new TopKSelector[numQueries * partsPerQuery]; // (query)(part)
    float[] fw = w;
    float[] flut = lut;
    Parallel.forEach(tasks, t -> {
      int qFrom = tasks == 1 ? 0 : t / partsPerQuery;
      int qTo = tasks == 1 ? numQueries : qFrom + 1;
      int part = tasks == 1 ? 0 : t % partsPerQuery;
      int pFrom = nprobe * part / partsPerQuery;
      int pTo = nprobe * (part + 1) / partsPerQuery;
      int tileRows = pq == null ? tileRows(dim) : Math.max(4, PQ_TILE_BYTES / pq.m());
      float[] tile = pq == null ? new float[tileRows * dim] : null;
      byte[] codes = pq == null ? null : new byte[tileRows * pq.m()];
      float[] scores = new float[tileRows];
      for (int q = qFrom; q < qTo; q++) {
        TopKSelector[] mine = {new TopKSelector(k)};
        for (int p = pFrom; p < pTo; p++) {
          int list = probes[q * nprobe + p];
          if (list == -1) {
            continue;
          }
          float pb = probeBias == null ? 0f : probeBias[q * nprobe + p];
          if (pq == null) {
            scanRows(ivf.vectors(), offsets[list], offsets[list + 1], fw, bias, q, 1, pb, ivf, mine, tile, scores);
          } else {
            scanPq(ivf, offsets[list], offsets[list + 1], flut, q * pq.m() * 256, pb, mine[0], codes, scores);
          }
        }
        sel[q * partsPerQuery + part] = mine[0];
      }
    });
    TopK out = TopK.empty(numQueries, k);
    for (int q = 0; q < numQueries; q++) {
      TopKSelector s = sel[q * partsPerQuery];
      for (int part = 1; part < partsPerQuery; part++) {
        s.addAll(sel[q * partsPerQuery + part]);
      }
      s.drainDescending(out.scores(), out.ids(), q * k);
    }
    return out;
  }

  /** One thread's selectors (query) and buffers for {@link #scanByList}. */
  private static final class ListScanState {
    final TopKSelector[] sel;
    final float[] tile;
    final float[] scores;

    ListScanState(int numQueries, int k, int dim) {
      sel = newSelectors(numQueries, k);
      int rows = tileRows(dim);
      tile = new float[rows * dim];
      scores = new float[rows];
    }
  }

  /**
   * Vector lists for several queries, list-major: each probed list is read once, a tile at a time, and every query
   * that probes it scores the tile while it is in L1. A batch's queries probe many lists in common (the start and end
   * vectors of one question too), so the codes cross the memory bus once per list instead of once per query. Tasks
   * are lists, claimed by the threads; each thread keeps a selector per query, merged at the end. Scores are the
   * same arithmetic as {@link #scanRows}.
   */
  private static TopK scanByList(IvfLists ivf, float[] w, float[] bias, int numQueries, int[] probes, int nprobe,
      float[] probeBias, int k) {
    int nlist = ivf.nlist();
    long[] offsets = ivf.listOffsets();
    // (list) -> its (query, probe bias) entries, CSR
    int[] start = new int[nlist + 1];
    for (int probe : probes) {
      if (probe >= 0) {
        start[probe + 1]++;
      }
    }
    for (int l = 0; l < nlist; l++) {
      start[l + 1] += start[l];
    }
    int[] fill = Arrays.copyOf(start, nlist);
    int[] query = new int[start[nlist]];
    float[] pbOf = new float[start[nlist]];
    for (int i = 0; i < probes.length; i++) {
      int l = probes[i];
      if (l >= 0) {
        int e = fill[l]++;
        query[e] = i / nprobe;
        pbOf[e] = probeBias == null ? 0f : probeBias[i];
      }
    }
    int[] probed = IntStream.range(0, nlist).filter(l -> start[l + 1] > start[l] && offsets[l + 1] > offsets[l])
        .toArray();
    EncodedVectors v = ivf.vectors();
    int dim = v.dim();
    boolean decode = SimdDots.decodes(v.type());
    ConcurrentLinkedQueue<ListScanState> free = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<ListScanState> all = new ConcurrentLinkedQueue<>();
    Parallel.forEach(probed.length, t -> {
      ListScanState st = free.poll();
      if (st == null) {
        st = new ListScanState(numQueries, k, dim);
        all.add(st);
      }
      int list = probed[t];
      int tileRows = st.scores.length;
      float[] scores = st.scores;
      for (long row = offsets[list]; row < offsets[list + 1]; row += tileRows) {
        int n = (int) Math.min(tileRows, offsets[list + 1] - row);
        if (decode) {
          SimdDots.decodeRaw(v, row, n, st.tile); // once for every query of the list
        }
        for (int e = start[list]; e < start[list + 1]; e++) {
          int q = query[e];
          if (decode) {
            SimdDots.dots(st.tile, 0, n, dim, w, q * dim, bias[q], scores, 0);
          } else {
            SimdDots.scoreRows(v, row, n, w, q * dim, bias[q], scores, 0, null);
          }
          float pb = pbOf[e];
          TopKSelector s = st.sel[q];
          float thr = s.threshold();
          for (int r = 0; r < n; r++) {
            float score = scores[r] + pb; // (bias + dot) + pb, the scalar order
            if (score > thr) {
              s.offer(score, ivf.idOf(row + r));
              thr = s.threshold();
            }
          }
        }
      }
      free.add(st);
    });
    TopK out = TopK.empty(numQueries, k);
    ListScanState first = all.poll();
    if (first == null) {
      return out; // no list with rows was probed
    }
    for (ListScanState st : all) {
      for (int q = 0; q < numQueries; q++) {
        first.sel[q].addAll(st.sel[q]);
      }
    }
    for (int q = 0; q < numQueries; q++) {
      first.sel[q].drainDescending(out.scores(), out.ids(), q * k);
    }
    return out;
  }

  private static int tileRows(int dim) {
    return Math.max(4, (TILE_FLOATS / dim) & ~3);
  }

  private static TopKSelector[] newSelectors(int n, int k) {
    TopKSelector[] s = new TopKSelector[n];
    for (int i = 0; i < n; i++) {
      s[i] = new TopKSelector(k);
    }
    return s;
  }

  /**
   * Scores rows [from, to) of v against queries [q0, q0 + nq) (prepared w (query)(dim), bias (query)) plus pb, and
   * offers them to sel[0 .. nq). Ids are row numbers, or ivf.idOf(row) when ivf is given.
   */
  private static void scanRows(EncodedVectors v, long from, long to, float[] w, float[] bias, int q0, int nq,
      float pb, IvfLists ivf, TopKSelector[] sel, float[] tile, float[] scores) {
    int dim = v.dim();
    int tileRows = scores.length;
    boolean decode = SimdDots.decodes(v.type());
    for (long row = from; row < to; row += tileRows) {
      int n = (int) Math.min(tileRows, to - row);
      if (decode) {
        SimdDots.decodeRaw(v, row, n, tile); // once for all queries
      }
      for (int qi = 0; qi < nq; qi++) {
        int q = q0 + qi;
        if (decode) {
          SimdDots.dots(tile, 0, n, dim, w, q * dim, bias[q], scores, 0);
        } else { // INT8 and FP32 straight from the segment; the tile's rows stay in L1 from one query to the next
          SimdDots.scoreRows(v, row, n, w, q * dim, bias[q], scores, 0, null);
        }
        TopKSelector s = sel[qi];
        float thr = s.threshold();
        for (int r = 0; r < n; r++) {
          float score = scores[r] + pb; // (bias + dot) + pb, the scalar order
          if (score > thr) {
            s.offer(score, ivf == null ? row + r : ivf.idOf(row + r));
            thr = s.threshold();
          }
        }
      }
    }
  }

  /** Scores PQ rows [from, to) with one query's LUT (m)(256) at lutOff, plus pb, into sel. */
  private static void scanPq(IvfLists ivf, long from, long to, float[] lut, int lutOff, float pb,
      TopKSelector sel, byte[] codes, float[] scores) {
    PqCodes pq = ivf.pq();
    int m = pq.m();
    MemorySegment seg = pq.codes();
    int tileRows = codes.length / m;
    for (long row = from; row < to; row += tileRows) {
      int n = (int) Math.min(tileRows, to - row);
      MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, row * m, codes, 0, n * m);
      SimdPq.scores(codes, n, m, lut, lutOff, scores);
      float thr = sel.threshold();
      for (int r = 0; r < n; r++) {
        float score = scores[r] + pb;
        if (score > thr) {
          sel.offer(score, ivf.idOf(row + r));
          thr = sel.threshold();
        }
      }
    }
  }
}
