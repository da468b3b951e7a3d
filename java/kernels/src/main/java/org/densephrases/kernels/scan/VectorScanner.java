package org.densephrases.kernels.scan;

import java.util.HashSet;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.TopK;

/**
 * Kernel family 2: inner-product scans of float queries over quantized codes with fused top-k.
 *
 * <p>Score = q . decode(x) (+ the probe's bias for IVF). Flat scans return row numbers; IVF scans return
 * {@link IvfLists#idOf} of the row. Each query's k best, descending, ties in any order, missing slots (-inf, -1).
 *
 * <p>This base class validates every call the same way for every backend; subclasses implement the compute
 * methods. Implementations: {@code ScalarVectorScanner} (the reference), {@code SimdVectorScanner},
 * {@code CudaVectorScanner}.
 */
public abstract class VectorScanner {
  /** For backends. */
  protected VectorScanner() {}


  /**
   * Makes flat codes resident for this backend. The caller closes the table.
   *
   * @param flat the vectors to scan
   * @return a table for {@link #search(ScanTable, float[], int, int)} (a device copy on CUDA)
   */
  public ScanTable load(EncodedVectors flat) {
    Checks.require(flat != null, "vectors are null");
    return ScanTable.host(flat);
  }

  /**
   * Makes IVF lists resident for this backend. The caller closes the table.
   *
   * @param lists the IVF lists to scan
   * @return a table for the IVF search (a device copy on CUDA)
   */
  public ScanTable load(IvfLists lists) {
    Checks.require(lists != null, "lists are null");
    return ScanTable.host(lists);
  }

  /**
   * Flat scan: queries (query)(dim).
   *
   * @param table a flat table (from {@link #load(EncodedVectors)})
   * @param queries (query)(dim) floats, finite
   * @param numQueries the number of queries
   * @param k results per query
   * @return each query's k best rows
   * @throws IllegalArgumentException when the sizes do not fit or a query value is not finite
   */
  public final TopK search(ScanTable table, float[] queries, int numQueries, int k) {
    Checks.require(table != null, "table is null");
    Checks.require(!table.isIvf(), "an IVF table needs probes: call search(table, queries, n, probes, nprobe, bias, k)");
    checkQueries(table, queries, numQueries, k);
    return computeFlat(table, queries, numQueries, k);
  }

  /**
   * IVF scan: probes (query)(nprobe) list numbers, -1 padding, no duplicates within a query; probeBias
   * (query)(nprobe) added to every score from that probe, or null.
   *
   * @param table an IVF table (from {@link #load(IvfLists)})
   * @param queries (query)(dim) floats, finite
   * @param numQueries the number of queries
   * @param probes (query)(nprobe) list numbers
   * @param nprobe probes per query
   * @param probeBias (query)(nprobe) biases, or null
   * @param k results per query
   * @return each query's k best ids
   * @throws IllegalArgumentException when the sizes do not fit, a probe is out of range or repeated, or a value is
   *     not finite
   */
  public final TopK search(
      ScanTable table, float[] queries, int numQueries, int[] probes, int nprobe, float[] probeBias, int k) {
    Checks.require(table != null, "table is null");
    Checks.require(table.isIvf(), "a flat table takes no probes: call search(table, queries, n, k)");
    checkQueries(table, queries, numQueries, k);
    Checks.require(nprobe >= 1, "nprobe must be >= 1, got " + nprobe);
    Checks.checkLength("probes", probes, (long) numQueries * nprobe);
    int nlist = table.ivf().nlist();
    HashSet<Integer> seen = new HashSet<>();
    for (int q = 0; q < numQueries; q++) {
      seen.clear();
      for (int p = 0; p < nprobe; p++) {
        int l = probes[q * nprobe + p];
        if (l == -1) {
          continue;
        }
        if (l < 0 || l >= nlist) {
          throw new IllegalArgumentException(
              "probe " + l + " of query " + q + " is out of range [0, " + nlist + ") (use -1 for padding)");
        }
        if (!seen.add(l)) {
          throw new IllegalArgumentException("list " + l + " is probed twice by query " + q);
        }
      }
    }
    if (probeBias != null) {
      Checks.checkLength("probeBias", probeBias, numQueries, nprobe);
      Checks.checkFinite("probeBias", probeBias);
    }
    return computeIvf(table, queries, numQueries, probes, nprobe, probeBias, k);
  }

  protected abstract TopK computeFlat(ScanTable table, float[] queries, int numQueries, int k);

  protected abstract TopK computeIvf(
      ScanTable table, float[] queries, int numQueries, int[] probes, int nprobe, float[] probeBias, int k);

  /** Every backend refuses what the CUDA kernels cannot index, so that all accept the same tables. */
  private static void checkRows(long rows) {
    Checks.require(rows <= org.densephrases.kernels.KernelLimits.MAX_SCAN_ROWS,
        "a scan table holds at most " + org.densephrases.kernels.KernelLimits.MAX_SCAN_ROWS + " rows, got " + rows
            + ": split it into shards");
  }

  private static void checkQueries(ScanTable table, float[] queries, int numQueries, int k) {
    checkRows(table.isIvf() ? table.ivf().count() : table.flat().count());
    Checks.require(numQueries >= 1, "numQueries must be >= 1, got " + numQueries);
    Checks.checkK(k);
    Checks.checkLength("queries", queries, numQueries, table.dim());
    Checks.checkFinite("queries", queries);
  }
}
