package org.densephrases.app;

/** Checks of command-line values: bad ones give an IllegalArgumentException naming the option (exit code 2). */
public final class Options {
  private Options() {}

  /**
   * Checks that an option's value lies in a range.
   *
   * @param option the option's name, for the message
   * @param v its value
   * @param lo the smallest value allowed
   * @param hi the largest value allowed
   * @throws IllegalArgumentException naming the option and the range when {@code v} is outside it
   */
  public static void checkRange(String option, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(option + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }
}
