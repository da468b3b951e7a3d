package org.densephrases.kernels.scan;

import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.ScalarDots;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.TopKSelector;

/**
 * The reference scanner: one query at a time, one row at a time, plain loops, a {@link TopKSelector} per query.
 * Every other backend is tested against it.
 */
public final class ScalarVectorScanner extends VectorScanner {
  /** The reference scanner (stateless). */
  public ScalarVectorScanner() {}


  @Override
  protected TopK computeFlat(ScanTable table, float[] queries, int numQueries, int k) {
    EncodedVectors v = table.flat();
    int dim = v.dim();
    long n = v.count();
    TopK out = TopK.empty(numQueries, k);
    TopKSelector sel = new TopKSelector(k);
    float[] w = new float[dim];
    for (int q = 0; q < numQueries; q++) {
      float bias = ScalarDots.prepare(v, queries, q * dim, w, 0);
      for (long row = 0; row < n; row++) {
        float s = bias + ScalarDots.rawDot(v, row, w, 0);
        if (s > sel.threshold()) {
          sel.offer(s, row);
        }
      }
      sel.drainDescending(out.scores(), out.ids(), q * k);
    }
    return out;
  }

  @Override
  protected TopK computeIvf(
      ScanTable table, float[] queries, int numQueries, int[] probes, int nprobe, float[] probeBias, int k) {
    IvfLists ivf = table.ivf();
    int dim = ivf.dim();
    long[] offsets = ivf.listOffsets();
    TopK out = TopK.empty(numQueries, k);
    TopKSelector sel = new TopKSelector(k);
    float[] w = new float[dim];
    PqCodes pq = ivf.pq();
    float[] lut = pq == null ? null : new float[pq.m() * 256]; // (m)(256)
    for (int q = 0; q < numQueries; q++) {
      float bias = 0f;
      if (pq != null) {
        buildLut(pq, queries, q * dim, lut);
      } else {
        bias = ScalarDots.prepare(ivf.vectors(), queries, q * dim, w, 0);
      }
      for (int p = 0; p < nprobe; p++) {
        int list = probes[q * nprobe + p];
        if (list == -1) {
          continue;
        }
        float pb = probeBias == null ? 0f : probeBias[q * nprobe + p];
        for (long row = offsets[list]; row < offsets[list + 1]; row++) {
          float s = pq != null
              ? pqScore(pq, row, lut) + pb
              : bias + ScalarDots.rawDot(ivf.vectors(), row, w, 0) + pb;
          if (s > sel.threshold()) {
            sel.offer(s, ivf.idOf(row));
          }
        }
      }
      sel.drainDescending(out.scores(), out.ids(), q * k);
    }
    return out;
  }

  /** LUT[s][c] = q[s*dsub : (s+1)*dsub] . codebooks[s][c], (m)(256). */
  static void buildLut(PqCodes pq, float[] queries, int qOff, float[] lut) {
    int m = pq.m();
    int dsub = pq.dsub();
    float[] cb = pq.codebooks(); // (m)(256)(dsub)
    for (int s = 0; s < m; s++) {
      for (int c = 0; c < 256; c++) {
        lut[s * 256 + c] = ScalarDots.dot(queries, qOff + s * dsub, cb, (s * 256 + c) * dsub, dsub);
      }
    }
  }

  /** sum_s LUT[s][code[row][s]], in sub-quantizer order. */
  static float pqScore(PqCodes pq, long row, float[] lut) {
    float s = 0f;
    for (int sq = 0; sq < pq.m(); sq++) {
      s += lut[sq * 256 + pq.code(row, sq)];
    }
    return s;
  }
}
