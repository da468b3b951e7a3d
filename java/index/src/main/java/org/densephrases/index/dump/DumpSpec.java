package org.densephrases.index.dump;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.VectorType;

/**
 * What a dump holds and how it is cut into shards. A resumed dump must be opened with the same spec.
 *
 * @param modelId the phrase model the vectors come from (readers and the index check it)
 * @param dim vector dimension
 * @param types the vector files written per shard: FP16, INT8 or both
 * @param int8 the INT8 scheme (ignored without INT8)
 * @param filterThreshold tokens whose filter score is below it are left out of the dump (the reference system's
 *     filter); {@code Float.NEGATIVE_INFINITY} keeps every token
 * @param tokensPerShard a shard is closed once it holds at least this many tokens
 * @param source provenance: what the dump was made from, {@code key=value} pairs of the caller's choosing (the dump
 *     verb: {@code corpus}, {@code corpus_crc32c}, {@code limit}); kept in the MANIFEST, and a resumed dump must agree
 *     on every key both have. Keys are letters, digits, {@code _ . -}; values one line.
 */
public record DumpSpec(String modelId, int dim, Set<VectorType> types, Int8Scheme int8, float filterThreshold,
    long tokensPerShard, Map<String, String> source) {
  public static final long DEFAULT_TOKENS_PER_SHARD = 1L << 20;

  /**
   * Checks the spec and copies the sets and maps.
   *
   * @throws IllegalArgumentException when a field is missing or out of range, FP32 is asked for, or a source key or
   *     value is malformed
   */
  public DumpSpec {
    Checks.require(modelId != null && !modelId.isBlank(), "model id must not be blank");
    Checks.checkDim(dim);
    Checks.require(types != null && !types.isEmpty(), "at least one vector type (FP16, INT8) is needed");
    Checks.require(!types.contains(VectorType.FP32), "dumps store FP16 and/or INT8, not FP32");
    types = Set.copyOf(EnumSet.copyOf(types));
    Checks.require(int8 != null, "int8 scheme is null");
    Checks.require(!Float.isNaN(filterThreshold), "filter threshold is NaN");
    Checks.require(tokensPerShard >= 1, "tokensPerShard must be >= 1");
    Checks.require(source != null, "source is null");
    for (Map.Entry<String, String> e : source.entrySet()) {
      Checks.require(e.getKey().matches("[A-Za-z0-9_.-]+"), "source key '" + e.getKey() + "': letters, digits, _.-");
      Checks.require(e.getValue() != null && !e.getValue().contains("\n") && !e.getValue().contains("\r"),
          "source value of " + e.getKey() + " must be one line");
    }
    source = java.util.Collections.unmodifiableMap(new TreeMap<>(source));
  }

  /**
   * The spec without provenance (as before the source was recorded).
   *
   * @param modelId the phrase model the vectors come from
   * @param dim vector dimension
   * @param types FP16, INT8 or both
   * @param int8 the INT8 scheme
   * @param filterThreshold the filter cut ({@code -Infinity}: keep every token)
   * @param tokensPerShard tokens per shard, at least 1
   */
  public DumpSpec(String modelId, int dim, Set<VectorType> types, Int8Scheme int8, float filterThreshold,
      long tokensPerShard) {
    this(modelId, dim, types, int8, filterThreshold, tokensPerShard, Map.of());
  }

  /**
   * FP16 only, no filter, the default shard size.
   *
   * @param modelId the phrase model the vectors come from
   * @param dim vector dimension
   * @return a spec for FP16 vectors, no filter, {@link #DEFAULT_TOKENS_PER_SHARD} tokens per shard
   */
  public static DumpSpec of(String modelId, int dim) {
    return new DumpSpec(modelId, dim, Set.of(VectorType.FP16), Int8Scheme.perDim(), Float.NEGATIVE_INFINITY,
        DEFAULT_TOKENS_PER_SHARD);
  }

  /**
   * {@return a copy storing these types}
   *
   * @param t FP16, INT8 or both
   */
  public DumpSpec withTypes(Set<VectorType> t) {
    return new DumpSpec(modelId, dim, t, int8, filterThreshold, tokensPerShard, source);
  }

  /**
   * {@return a copy with this scheme}
   *
   * @param s the INT8 scheme
   */
  public DumpSpec withInt8(Int8Scheme s) {
    return new DumpSpec(modelId, dim, types, s, filterThreshold, tokensPerShard, source);
  }

  /**
   * {@return a copy with this threshold}
   *
   * @param f the filter cut ({@code -Infinity}: keep every token)
   */
  public DumpSpec withFilterThreshold(float f) {
    return new DumpSpec(modelId, dim, types, int8, f, tokensPerShard, source);
  }

  /**
   * {@return a copy with this shard size}
   *
   * @param n tokens per shard, at least 1
   */
  public DumpSpec withTokensPerShard(long n) {
    return new DumpSpec(modelId, dim, types, int8, filterThreshold, n, source);
  }

  /**
   * The same spec with provenance {@code s} (see the record's {@code source}).
   *
   * @param s {@code key=value} provenance pairs
   * @return a copy with this source
   */
  public DumpSpec withSource(Map<String, String> s) {
    return new DumpSpec(modelId, dim, types, int8, filterThreshold, tokensPerShard, s);
  }
}
