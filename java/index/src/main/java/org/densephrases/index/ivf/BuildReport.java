package org.densephrases.index.ivf;

import java.util.Locale;

/**
 * What building an index cost and produced.
 *
 * @param vectors vectors indexed
 * @param dim dimension
 * @param spec the spec built with
 * @param trainSeconds sampling and training (k-means, codec)
 * @param assignSeconds assigning every vector to its list
 * @param encodeSeconds encoding and writing
 * @param totalSeconds wall time of the build
 * @param fileBytes size of the index file
 * @param codeBytesPerVector code bytes plus the 8-byte id of one vector
 * @param minList size of the smallest list
 * @param maxList size of the largest list
 */
public record BuildReport(
    long vectors,
    int dim,
    IndexSpec spec,
    double trainSeconds,
    double assignSeconds,
    double encodeSeconds,
    double totalSeconds,
    long fileBytes,
    int codeBytesPerVector,
    long minList,
    long maxList) {
  /** File bytes per indexed phrase start (all sections: codes, ids, centroids, codebooks). */
  public double bytesPerVector() {
    return vectors == 0 ? 0 : (double) fileBytes / vectors;
  }

  @Override
  public String toString() {
    String codec = spec.codec() == Codec.SQ8 ? "SQ8"
        : (spec.opq() ? "OPQ+" : "") + "PQ" + spec.pqM();
    return String.format(Locale.ROOT,
        "IVF%d,%s%s: %d vectors x %d, built in %.1fs (train %.1fs, assign %.1fs, encode %.1fs), %d bytes = %.1f"
            + " bytes/vector (%d code+id), lists %d..%d",
        spec.nlist(), codec, spec.residual() ? " (residual)" : "", vectors, dim, totalSeconds, trainSeconds,
        assignSeconds, encodeSeconds, fileBytes, bytesPerVector(), codeBytesPerVector, minList, maxList);
  }
}
