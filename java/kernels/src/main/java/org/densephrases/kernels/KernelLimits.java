package org.densephrases.kernels;

/**
 * Limits every backend enforces: the {@code DP_MAX_*} of densephrases.h under the same names (HeaderConstantsTest
 * parses the header and fails when one differs or has no twin here), so every backend accepts the same input.
 */
public final class KernelLimits {
  public static final int MAX_DIM = 4096;
  public static final int MAX_K = 2048;
  public static final int MAX_CANDIDATES = 8192;
  public static final int MAX_ANSWER_LENGTH = 128;
  public static final int MAX_PQ_M = 256;
  /** Rows of one scanned table (the CUDA scans index rows with 32 bits). */
  public static final long MAX_SCAN_ROWS = (1L << 32) - 2;
  /** batch + cache columns of the negative loss. */
  public static final int MAX_LOSS_COLUMNS = 1 << 24;

  private KernelLimits() {}
}
