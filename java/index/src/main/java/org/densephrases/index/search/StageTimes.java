package org.densephrases.index.search;

/**
 * Where the time of one {@link PhraseSearcher} call went, in nanoseconds: the first stage (IVF probe and code scan,
 * or the flat scan; both directions), span scoring (the second stage, every shard and direction) and aggregation
 * (dedupe, grouping by unit, answer text and evidence). A call adds to the fields, so one object can also sum
 * several calls. Not thread-safe: one per call or per thread.
 */
public final class StageTimes {
  /**
   * Times at zero, to pass to
   * {@link PhraseSearcher#search(float[], float[], int, SearchOptions, java.util.List, StageTimes)}.
   */
  public StageTimes() {}

  long firstStageNanos;
  long spanNanos;
  long aggregateNanos;

  /** {@return nanoseconds of the first stage so far} */
  public long firstStageNanos() {
    return firstStageNanos;
  }

  /** {@return nanoseconds of span scoring so far} */
  public long spanNanos() {
    return spanNanos;
  }

  /** {@return nanoseconds of aggregation so far} */
  public long aggregateNanos() {
    return aggregateNanos;
  }

  /** Sets every stage to zero. */
  public void reset() {
    firstStageNanos = 0;
    spanNanos = 0;
    aggregateNanos = 0;
  }
}
