package org.densephrases.index.dump;

/**
 * What a dump holds, for the dump command's report.
 *
 * @param shards completed shards
 * @param inputDocuments corpus documents consumed
 * @param documents documents stored (a document whose every token was filtered out is not stored)
 * @param tokens tokens stored
 * @param tokensBeforeFilter tokens the encoder produced
 * @param clippedValues INT8 values clipped to [-128, 127] (always 0 for the per-dimension scheme) in this session
 * @param bytes bytes of all shard files on disk
 */
public record DumpStats(
    int shards, long inputDocuments, long documents, long tokens, long tokensBeforeFilter, long clippedValues,
    long bytes) {
  /**
   * Fraction of tokens the filter kept (1 without a filter).
   *
   * @return stored tokens over tokens before the filter
   */
  public double keptFraction() {
    return tokensBeforeFilter == 0 ? 1.0 : (double) tokens / tokensBeforeFilter;
  }

  /** {@return bytes on disk per stored token (0 for an empty dump)} */
  public double bytesPerToken() {
    return tokens == 0 ? 0 : (double) bytes / tokens;
  }
}
