package org.densephrases.index.search;

import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.VectorType;

/**
 * How to search. Out-of-range values fail here with an IllegalArgumentException naming the option; nprobe is checked
 * against the index at search time (it cannot exceed the number of lists).
 *
 * @param k results to return (after aggregation), 1..{@value #MAX_RESULTS}
 * @param candidates first-stage candidates per direction (k1), 1..{@link KernelLimits#MAX_K}
 * @param nprobe IVF lists probed per question (ignored by exact search)
 * @param maxAnswerLength L: a span covers at most L dump tokens, 1..{@link KernelLimits#MAX_ANSWER_LENGTH}
 * @param unit how results are grouped
 * @param mirror also take end candidates from q_end and search their best start (the mirror direction)
 * @param rescoreType the dump vectors the second stage scores with (FP16 or INT8); null: FP16 when the dump has it
 * @param distinct phrase unit only: drop a span that overlaps (or nests in, or contains) a better span of the same
 *     document, so that "Pittsburgh Steelers" and "Dallas Cowboys, and Pittsburgh Steelers" from one sentence give
 *     one answer; false keeps every span whose normalised text is new (the other units group spans anyway)
 */
public record SearchOptions(int k, int candidates, int nprobe, int maxAnswerLength, Unit unit, boolean mirror,
    VectorType rescoreType, boolean distinct) {
  /** The largest k. */
  public static final int MAX_RESULTS = 1000;

  /**
   * Checks every option's range.
   *
   * @throws IllegalArgumentException naming the option that is out of range, a null unit, or FP32 rescoring
   */
  public SearchOptions {
    Checks.checkRange("k", k, 1, MAX_RESULTS);
    Checks.checkRange("candidates", candidates, 1, KernelLimits.MAX_K);
    Checks.checkRange("nprobe", nprobe, 1, KernelLimits.MAX_K);
    Checks.checkRange("maxAnswerLength", maxAnswerLength, 1, KernelLimits.MAX_ANSWER_LENGTH);
    Checks.require(unit != null, "unit is null: expected phrase, sentence, paragraph or document");
    Checks.require(rescoreType != VectorType.FP32, "the dump holds FP16 or INT8 vectors, not FP32");
  }

  /**
   * k = 10 phrases, 256 candidates, nprobe 64, L = 20 tokens, mirror on, FP16 rescoring, distinct phrases.
   *
   * @return the default options
   */
  public static SearchOptions defaults() {
    return new SearchOptions(10, 256, 64, 20, Unit.PHRASE, true, null, true);
  }

  /**
   * Changes k.
   *
   * @param v results to return, 1 to {@link #MAX_RESULTS}
   * @return a copy with this k
   */
  public SearchOptions withK(int v) {
    return new SearchOptions(v, candidates, nprobe, maxAnswerLength, unit, mirror, rescoreType, distinct);
  }

  /**
   * Changes the first-stage candidates.
   *
   * @param v first-stage candidates per direction
   * @return a copy with this candidate count
   */
  public SearchOptions withCandidates(int v) {
    return new SearchOptions(k, v, nprobe, maxAnswerLength, unit, mirror, rescoreType, distinct);
  }

  /**
   * Changes nprobe.
   *
   * @param v IVF lists probed per question
   * @return a copy with this nprobe
   */
  public SearchOptions withNprobe(int v) {
    return new SearchOptions(k, candidates, v, maxAnswerLength, unit, mirror, rescoreType, distinct);
  }

  /**
   * Changes the longest answer.
   *
   * @param v the longest answer, in dump tokens
   * @return a copy with this L
   */
  public SearchOptions withMaxAnswerLength(int v) {
    return new SearchOptions(k, candidates, nprobe, v, unit, mirror, rescoreType, distinct);
  }

  /**
   * Changes the unit.
   *
   * @param v how results are grouped
   * @return a copy with this unit
   */
  public SearchOptions withUnit(Unit v) {
    return new SearchOptions(k, candidates, nprobe, maxAnswerLength, v, mirror, rescoreType, distinct);
  }

  /**
   * Turns the mirror direction on or off.
   *
   * @param v whether to search the mirror direction too
   * @return a copy with this setting
   */
  public SearchOptions withMirror(boolean v) {
    return new SearchOptions(k, candidates, nprobe, maxAnswerLength, unit, v, rescoreType, distinct);
  }

  /**
   * Changes the second stage's vector type.
   *
   * @param v FP16 or INT8, or null for FP16 when the dump has it
   * @return a copy with this rescoring type
   */
  public SearchOptions withRescoreType(VectorType v) {
    return new SearchOptions(k, candidates, nprobe, maxAnswerLength, unit, mirror, v, distinct);
  }

  /**
   * Turns distinct phrases on or off.
   *
   * @param v whether overlapping phrases of one document collapse to the best
   * @return a copy with this setting
   */
  public SearchOptions withDistinct(boolean v) {
    return new SearchOptions(k, candidates, nprobe, maxAnswerLength, unit, mirror, rescoreType, v);
  }
}
