package org.densephrases.app;

/** Checks of command-line values: bad ones give an IllegalArgumentException naming the option (exit code 2). */
final class Options {
  private Options() {}

  static void checkRange(String option, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(option + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }
}
