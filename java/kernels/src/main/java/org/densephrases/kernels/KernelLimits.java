package org.densephrases.kernels;

/**
 * Limits every backend enforces: the {@code DP_MAX_*} of densephrases.h under the same names (HeaderConstantsTest
 * parses the header and fails when one differs or has no twin here), so every backend accepts the same input.
 */
public final class KernelLimits {
  /** The largest vector dimension. */
  public static final int MAX_DIM = 4096;
  /** The largest k of a top-k. */
  public static final int MAX_K = 2048;
  /** The most start candidates per question of a span search. */
  public static final int MAX_CANDIDATES = 8192;
  /** The longest answer span, in tokens. */
  public static final int MAX_ANSWER_LENGTH = 128;
  /** The most PQ sub-quantizers. */
  public static final int MAX_PQ_M = 256;
  /** Rows of one scanned table (the CUDA scans index rows with 32 bits). */
  public static final long MAX_SCAN_ROWS = (1L << 32) - 2;
  /** batch + cache columns of the negative loss. */
  public static final int MAX_LOSS_COLUMNS = 1 << 24;

  private KernelLimits() {}
}
