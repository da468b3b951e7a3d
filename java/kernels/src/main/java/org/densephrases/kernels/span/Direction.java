package org.densephrases.kernels.span;

/** Which side of the phrase the candidates are. */
public enum Direction {
  /** Candidates are start tokens; the scorer finds each one's best end in [i, i + L). */
  START_TO_END(0),
  /** Candidates are end tokens; the scorer finds each one's best start in (j - L, j] (the mirror direction). */
  END_TO_START(1);

  /** The code the native library uses for the direction. */
  public final int nativeCode;

  Direction(int nativeCode) {
    this.nativeCode = nativeCode;
  }
}
