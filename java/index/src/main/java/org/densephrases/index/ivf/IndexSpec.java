package org.densephrases.index.ivf;

import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelLimits;

/**
 * How to build an IVF index.
 *
 * @param codec SQ8 or PQ
 * @param nlist number of inverted lists (k-means centroids)
 * @param pqM PQ sub-quantizers (bytes per vector); dim must be a multiple of it; ignored for SQ8
 * @param opq rotate before PQ (OPQ); ignored for SQ8
 * @param residual encode x - centroid instead of x (the probe adds q.centroid back); tighter codes
 * @param trainSize vectors sampled to train k-means and the codec
 * @param kmeansIterations Lloyd iterations of the coarse k-means
 * @param pqIterations Lloyd iterations of each PQ sub-quantizer's k-means
 * @param opqIterations alternations of OPQ (rotation / PQ)
 * @param seed makes sampling and training deterministic
 */
public record IndexSpec(
    Codec codec,
    int nlist,
    int pqM,
    boolean opq,
    boolean residual,
    int trainSize,
    int kmeansIterations,
    int pqIterations,
    int opqIterations,
    long seed) {
  public static final int MAX_NLIST = 1 << 20;

  /**
   * Checks the ranges.
   *
   * @throws IllegalArgumentException when the codec is null or a number is out of range
   */
  public IndexSpec {
    Checks.require(codec != null, "codec is null");
    Checks.checkRange("nlist", nlist, 1, MAX_NLIST);
    if (codec == Codec.PQ) {
      Checks.checkRange("pqM", pqM, 1, KernelLimits.MAX_PQ_M);
    }
    Checks.require(trainSize >= 1, "trainSize must be >= 1");
    Checks.checkRange("kmeansIterations", kmeansIterations, 0, 1000);
    Checks.checkRange("pqIterations", pqIterations, 0, 1000);
    Checks.checkRange("opqIterations", opqIterations, 1, 1000);
  }

  /**
   * IVF-SQ8 on residuals, 64 training points per list (at least 10,000), 10 k-means iterations.
   *
   * @param nlist the number of lists
   * @return an SQ8 spec with residual encoding, seed 42 and the training sizes above
   */
  public static IndexSpec sq8(int nlist) {
    return new IndexSpec(Codec.SQ8, nlist, 0, false, true, Math.max(10_000, 64 * nlist), 10, 10, 4, 42);
  }

  /**
   * IVF-PQ with m bytes per vector on residuals, no OPQ.
   *
   * @param nlist the number of lists
   * @param m PQ sub-quantizers (bytes per vector); the dimension must be a multiple of it
   * @return a PQ spec with residual encoding, seed 42 and the training sizes of {@link #sq8(int)}
   */
  public static IndexSpec pq(int nlist, int m) {
    return new IndexSpec(Codec.PQ, nlist, m, false, true, Math.max(10_000, 64 * nlist), 10, 10, 4, 42);
  }

  /**
   * Turns OPQ on or off (PQ only).
   *
   * @param on whether to rotate before PQ
   * @return a copy with that setting
   */
  public IndexSpec withOpq(boolean on) {
    return new IndexSpec(codec, nlist, pqM, on, residual, trainSize, kmeansIterations, pqIterations, opqIterations,
        seed);
  }

  /**
   * Turns residual encoding on or off.
   *
   * @param on whether to encode {@code x - centroid}
   * @return a copy with that setting
   */
  public IndexSpec withResidual(boolean on) {
    return new IndexSpec(codec, nlist, pqM, opq, on, trainSize, kmeansIterations, pqIterations, opqIterations,
        seed);
  }

  /**
   * Changes how many vectors are sampled for training.
   *
   * @param n the training sample size, at least 1
   * @return a copy with that size
   */
  public IndexSpec withTrainSize(int n) {
    return new IndexSpec(codec, nlist, pqM, opq, residual, n, kmeansIterations, pqIterations, opqIterations, seed);
  }

  /**
   * Changes the training iterations.
   *
   * @param kmeans Lloyd iterations of the coarse k-means, 0 to 1000
   * @param pq Lloyd iterations of each PQ sub-quantizer, 0 to 1000
   * @return a copy with those iterations
   */
  public IndexSpec withIterations(int kmeans, int pq) {
    return new IndexSpec(codec, nlist, pqM, opq, residual, trainSize, kmeans, pq, opqIterations, seed);
  }

  /**
   * Changes the seed of sampling and training.
   *
   * @param s the seed
   * @return a copy with that seed
   */
  public IndexSpec withSeed(long s) {
    return new IndexSpec(codec, nlist, pqM, opq, residual, trainSize, kmeansIterations, pqIterations, opqIterations,
        s);
  }

  /**
   * Bytes of one vector's code.
   *
   * @param dim the vector dimension
   * @return {@code dim} for SQ8, {@code pqM} for PQ
   */
  public int codeBytes(int dim) {
    return codec == Codec.SQ8 ? dim : pqM;
  }

  /**
   * The power of two nearest sqrt(n) / 8, at least 16 and at most n / 39 (faiss's minimum of 39 points per list).
   * Smaller than faiss's usual 4..16 sqrt(n): on 2 cores k-means training and assignment cost nlist x n x dim, and
   * IVF2048 over the 3.2M-token corpus did not finish training in 12 minutes under load, where IVF256 built in 9.
   *
   * @param n the vectors to index
   * @return the default number of inverted lists
   */
  public static int defaultNlist(long n) {
    double target = Math.max(16, Math.sqrt(n) / 8);
    int l = Integer.highestOneBit((int) Math.round(target));
    if (target / l > 1.5) {
      l <<= 1;
    }
    while (l > 1 && (long) l * 39 > n) {
      l >>= 1;
    }
    return l;
  }
}
