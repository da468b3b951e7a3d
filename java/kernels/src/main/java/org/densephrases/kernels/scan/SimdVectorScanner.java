package org.densephrases.kernels.scan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * {@link TopKSelector}, which rejects most of them with one comparison. Nothing of size N is ever allocated. Flat scans split the rows over {@link Parallel} threads; IVF scans split queries, or the probes
 * of a query when there are fewer queries than threads; each thread keeps its own selectors and they are merged
 * at the end (same top-k, ties possibly in another order).
 *
 * <p>PQ: the per-query table LUT[s][c] is built from codebooks transposed at {@link #load} to (m)(dsub)(256), so
 * that 256 centroids are scored lane-wise; the scan then adds m table entries per row, four rows at a time.
 */
public final class SimdVectorScanner extends VectorScanner {
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
