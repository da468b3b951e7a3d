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
 * @param recall recall against exact search on sampled queries, per nprobe (empty unless measured)
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
    long maxList,
    java.util.List<Recall.Report> recall) {
  /** Copies the recall list. */
  public BuildReport {
    recall = java.util.List.copyOf(recall);
  }

  /**
   * The same report with recall measurements.
   *
   * @param r the recall reports, one per nprobe
   * @return a copy holding them
   */
  public BuildReport withRecall(java.util.List<Recall.Report> r) {
    return new BuildReport(vectors, dim, spec, trainSeconds, assignSeconds, encodeSeconds, totalSeconds, fileBytes,
        codeBytesPerVector, minList, maxList, r);
  }

  /**
   * File bytes per indexed phrase start (all sections: codes, ids, centroids, codebooks).
   *
   * @return the file size divided by the number of vectors (0 for none)
   */
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
        assignSeconds, encodeSeconds, fileBytes, bytesPerVector(), codeBytesPerVector, minList, maxList)
        + recall.stream().map(r -> "\n  " + r).collect(java.util.stream.Collectors.joining());
  }
}
