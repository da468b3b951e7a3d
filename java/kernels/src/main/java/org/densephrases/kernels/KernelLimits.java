package org.densephrases.kernels;

/** Limits every backend enforces (the same numbers as densephrases.h, so every backend accepts the same input). */
public final class KernelLimits {
  public static final int MAX_DIM = 4096;
  public static final int MAX_K = 2048;
  public static final int MAX_CANDIDATES = 8192;
  public static final int MAX_ANSWER_LENGTH = 128;
  public static final int MAX_PQ_M = 256;

  private KernelLimits() {}
}
