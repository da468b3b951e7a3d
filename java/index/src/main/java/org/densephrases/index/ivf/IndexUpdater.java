package org.densephrases.index.ivf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.densephrases.index.format.ContainerWriter;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Header;
import org.densephrases.index.format.Segments;
import org.densephrases.index.quant.ProductQuantizer;
import org.densephrases.index.quant.ScalarQuantizer;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.blocked.BlockedProducts;
import org.densephrases.kernels.blocked.ProductTable;

/**
 * Rewrites an IVF index for a new generation of its dump without training anything: the old rows whose id survives
 * (renumbered by an id map, for compaction), then new rows assigned to the old centroids (L2, as the builder does)
 * and encoded with the old codec (SQ8 ranges, PQ codebooks, OPQ rotation). Lists keep their order: within a list, old
 * rows in their old order, then new rows in source order; the file is the same whatever the thread count.
 *
 * <p>Memory: the new rows' codes and list numbers (code bytes + 12 bytes per new row); old rows are copied from the
 * mapped file into the mapped new one. The file is written under a temporary name and renamed when complete.
 */
public final class IndexUpdater {
  /** Rows per block of the new rows' assignment and encoding. */
  private static final int BLOCK = 1024;

  /**
   * What a rewrite did.
   *
   * @param header the new file's header (payload checksum, bytes)
   * @param keptRows old rows carried over
   * @param droppedRows old rows whose id mapped to -1
   * @param addedRows new rows
   * @param addedResidualSum sum over the new rows of the squared L2 distance to their centroid (drift bookkeeping)
   * @param seconds wall time
   */
  public record Result(Header header, long keptRows, long droppedRows, long addedRows, double addedResidualSum,
      double seconds) {}

  private IndexUpdater() {}

  /**
   * Writes the next generation's index from the previous one: surviving rows renumbered, new rows appended.
   *
   * @param old the index of the previous generation
   * @param out the new file (a name no generation uses)
   * @param fingerprint the new generation's dump fingerprint, recorded as {@code source}
   * @param idMap old id to new id, or -1 to drop the row; null keeps ids as they are
   * @param added new rows (ids = their global token ids in the new generation), or null
   * @param threads the most threads to use (the file does not depend on it)
   * @return what the rewrite did
   * @throws IOException when the new file cannot be written
   */
  public static Result rewrite(IvfIndex old, Path out, String fingerprint, LongUnaryOperator idMap,
      VectorSource added, int threads) throws IOException {
    long t0 = System.nanoTime();
    int dim = old.dim();
    int nlist = old.nlist();
    int cb = old.codeBytes();
    long[] oldOff = old.listOffsets();
    long[] oldIds = old.lists().ids();
    Checks.require(added == null || added.dim() == dim, "added rows have dim " + (added == null ? 0 : added.dim())
        + ", the index " + dim);

    // ---- old rows: new ids and per-list counts
    long[] newIds = new long[oldIds.length];
    long[] counts = new long[nlist];
    long kept = 0;
    for (int l = 0; l < nlist; l++) {
      for (long r = oldOff[l]; r < oldOff[l + 1]; r++) {
        long id = idMap == null ? oldIds[(int) r] : idMap.applyAsLong(oldIds[(int) r]);
        newIds[(int) r] = id;
        if (id >= 0) {
          counts[l]++;
          kept++;
        }
      }
    }

    // ---- new rows: assign and encode with the old centroids and codec
    int n = added == null ? 0 : Math.toIntExact(added.count());
    int[] assign = new int[n];
    long[] addIds = new long[n];
    byte[] addCodes = new byte[n * cb];
    double residualSum = 0;
    if (n > 0) {
      float[] centroids = old.centroids();
      ProductTable coarse = ProductTable.l2(centroids, nlist, dim);
      ScalarQuantizer sq = old.sq();
      ProductQuantizer pq = old.pq();
      float[] rotation = old.rotation();
      float[] buf = new float[BLOCK * dim];
      float[] rot = rotation != null ? new float[BLOCK * dim] : null;
      long[] ids = new long[BLOCK];
      byte[] codes = new byte[BLOCK * cb];
      for (int from = 0; from < n; from += BLOCK) {
        int m = Math.min(BLOCK, n - from);
        added.read(from, m, buf, ids);
        BlockedProducts.argmax(coarse, buf, 0, dim, m, assign, from);
        for (int i = 0; i < m; i++) {
          int c = assign[from + i] * dim;
          double s = 0;
          for (int d = 0; d < dim; d++) {
            float x = buf[i * dim + d] - centroids[c + d];
            s += x * x;
            if (old.residual()) {
              buf[i * dim + d] = x;
            }
          }
          residualSum += s;
        }
        float[] v = buf;
        if (rotation != null) {
          for (int i = 0; i < m; i++) {
            org.densephrases.index.quant.Opq.rotateRow(rotation, dim, buf, i * dim, rot, i * dim);
          }
          v = rot;
        }
        if (sq != null) {
          for (int i = 0; i < m; i++) {
            sq.encode(v, i * dim, codes, i * cb);
          }
        } else {
          pq.encode(v, 0, m, codes, 0, threads);
        }
        System.arraycopy(ids, 0, addIds, from, m);
        System.arraycopy(codes, 0, addCodes, from * cb, m * cb);
        for (int i = 0; i < m; i++) {
          counts[assign[from + i]]++;
        }
      }
    }

    // ---- the new file: same sections and parameters, new lists
    long total = kept + n;
    Checks.require(total >= 1, "the rewritten index would hold no row");
    long[] off = new long[nlist + 1];
    for (int l = 0; l < nlist; l++) {
      off[l + 1] = off[l] + counts[l];
    }
    List<String> sections = new ArrayList<>(List.of("PARAMS", "CENTROID", "LISTOFF",
        old.codec() == Codec.SQ8 ? "QPARAMS" : "PQBOOK"));
    if (old.rotation() != null) {
      sections.add("OPQ");
    }
    sections.addAll(List.of("IDS", "CODES"));
    StringBuilder params = new StringBuilder();
    for (Map.Entry<String, String> e : old.params().entrySet()) {
      params.append(e.getKey()).append('=')
          .append(e.getKey().equals("source") ? fingerprint : e.getValue()).append('\n');
    }
    Header h;
    try (ContainerWriter w = ContainerWriter.create(out, IvfIndex.MAGIC, IvfIndex.VERSION, old.modelId(), dim,
        old.codec() == Codec.SQ8 ? DType.INT8 : DType.PQ8, sections)) {
      w.section("PARAMS", params.toString().getBytes(StandardCharsets.UTF_8));
      w.begin("CENTROID").putFloats(old.centroids());
      w.begin("LISTOFF").putLongs(off);
      if (old.codec() == Codec.SQ8) {
        w.begin("QPARAMS").putFloats(old.sq().offset()).putFloats(old.sq().scale());
      } else {
        w.begin("PQBOOK").putFloats(old.pq().codebooks());
      }
      if (old.rotation() != null) {
        w.begin("OPQ").putFloats(old.rotation());
      }
      MemorySegment idSeg = w.reserve("IDS", 8L * total);
      MemorySegment codeSeg = w.reserve("CODES", (long) cb * total);
      MemorySegment oldCodes = old.codes();
      long[] cursor = java.util.Arrays.copyOf(off, nlist);
      for (int l = 0; l < nlist; l++) {
        for (long r = oldOff[l]; r < oldOff[l + 1]; r++) {
          long id = newIds[(int) r];
          if (id >= 0) {
            long slot = cursor[l]++;
            idSeg.setAtIndex(Segments.I64, slot, id);
            MemorySegment.copy(oldCodes, r * cb, codeSeg, slot * cb, cb);
          }
        }
      }
      for (int i = 0; i < n; i++) {
        long slot = cursor[assign[i]]++;
        idSeg.setAtIndex(Segments.I64, slot, addIds[i]);
        MemorySegment.copy(addCodes, i * cb, codeSeg, ValueLayout.JAVA_BYTE, slot * cb, cb);
      }
      h = w.commit(total);
    }
    return new Result(h, kept, oldIds.length - kept, n, residualSum, (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Mean squared L2 distance of up to {@code sampleSize} rows of {@code src} (sampled with the seed) to their nearest
   * centroid of {@code index}: the trained rows' baseline that {@code drift} compares added rows against.
   *
   * @param index the index whose centroids are used
   * @param src the rows it was trained on
   * @param sampleSize the most rows sampled
   * @param seed the sampling seed
   * @return the mean squared distance
   * @throws IllegalArgumentException when the source has no rows
   */
  public static double meanResidual(IvfIndex index, VectorSource src, int sampleSize, long seed) {
    int dim = index.dim();
    int t = (int) Math.min(src.count(), sampleSize);
    Checks.require(t >= 1, "no rows to measure");
    float[] x = IndexBuilder.sample(src, t, seed);
    int[] a = new int[t];
    BlockedProducts.argmax(ProductTable.l2(index.centroids(), index.nlist(), dim), x, 0, dim, t, a, 0);
    float[] c = index.centroids();
    double s = 0;
    for (int i = 0; i < t; i++) {
      for (int d = 0; d < dim; d++) {
        float v = x[i * dim + d] - c[a[i] * dim + d];
        s += v * v;
      }
    }
    return s / t;
  }
}
