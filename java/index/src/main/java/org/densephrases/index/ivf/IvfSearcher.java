package org.densephrases.index.ivf;

import org.densephrases.index.quant.Opq;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.scan.ScanTable;
import org.densephrases.kernels.scan.VectorScanner;

/**
 * The first stage of phrase search over an {@link IvfIndex}, on one kernel backend: probe the {@code nprobe} lists
 * whose centroids score highest against the query ({@code q . c}, a flat scan of the centroids), then scan those
 * lists' codes with fused top-k. For residual codes the probe's {@code q . c} is passed as the probe bias, so list
 * scores are {@code q . c + q . r ~ q . x}; with OPQ the query is rotated once before the list scan.
 *
 * <p>Loads the centroids and lists into the backend once (a device copy for CUDA); {@link #close()} frees them. Safe
 * for concurrent searches (the tables are read-only).
 */
public final class IvfSearcher implements AutoCloseable {
  private final IvfIndex index;
  private final VectorScanner scanner;
  private final ScanTable centroids;
  private final ScanTable lists;

  /**
   * Loads the centroids and lists into the backend's scanner.
   *
   * @param index the index to search (not closed by this searcher)
   * @param backend the kernels that scan
   */
  public IvfSearcher(IvfIndex index, KernelBackend backend) {
    this.index = index;
    this.scanner = backend.vectorScanner();
    this.centroids = scanner.load(EncodedVectors.ofFloats(index.centroids(), index.dim()));
    ScanTable l;
    try {
      l = scanner.load(index.lists());
    } catch (RuntimeException e) {
      centroids.close();
      throw e;
    }
    this.lists = l;
  }

  /** {@return the index searched} */
  public IvfIndex index() {
    return index;
  }

  /**
   * The largest nprobe a search accepts: every list, within the kernels' top-k limit.
   *
   * @return the largest nprobe
   */
  public int maxNprobe() {
    return Math.min(index.nlist(), KernelLimits.MAX_K);
  }

  /**
   * The k best vectors of each query by approximate inner product.
   *
   * @param queries (query)(dim)
   * @return ids are the index's ids (global token ids for a dump index)
   * @param numQueries the number of queries
   * @param nprobe lists probed per query, 1 to {@link #maxNprobe()}
   * @param k results per query
   */
  public TopK search(float[] queries, int numQueries, int nprobe, int k) {
    Checks.checkRange("nprobe", nprobe, 1, maxNprobe());
    Checks.checkK(k);
    int dim = index.dim();
    Checks.checkLength("queries", queries, numQueries, dim);
    TopK coarse = scanner.search(centroids, queries, numQueries, nprobe);
    int[] probes = new int[numQueries * nprobe];
    float[] bias = index.residual() ? new float[numQueries * nprobe] : null;
    for (int i = 0; i < probes.length; i++) {
      long l = coarse.ids()[i];
      probes[i] = (int) l;
      if (bias != null) {
        bias[i] = l < 0 ? 0f : coarse.scores()[i]; // -1 padding carries no bias (and -inf is refused)
      }
    }
    float[] q = queries;
    float[] r = index.rotation();
    if (r != null) {
      q = new float[queries.length];
      for (int i = 0; i < numQueries; i++) {
        Opq.rotateRow(r, dim, queries, i * dim, q, i * dim);
      }
    }
    return scanner.search(lists, q, numQueries, probes, nprobe, bias, k);
  }

  @Override
  public void close() {
    try {
      lists.close();
    } finally {
      centroids.close();
    }
  }
}
