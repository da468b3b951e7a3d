package org.densephrases.kernels;

/** Argument checks shared by every backend, so that bad input fails the same way everywhere, before any work. */
public final class Checks {
  private Checks() {}

  /**
   * Fails with {@code message} unless {@code ok}.
   *
   * @param ok the condition
   * @param message what is wrong when it fails
   * @throws IllegalArgumentException when {@code ok} is false
   */
  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Checks that a value lies in a closed range.
   *
   * @param name the value's name, for the message
   * @param value the value to check
   * @param min the smallest allowed
   * @param max the largest allowed
   * @return {@code value}
   * @throws IllegalArgumentException when it is outside [min, max]
   */
  public static int checkRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /**
   * Checks a vector dimension.
   *
   * @param dim the number of floats per vector
   * @throws IllegalArgumentException unless it is in [1, {@link KernelLimits#MAX_DIM}]
   */
  public static void checkDim(int dim) {
    checkRange("dim", dim, 1, KernelLimits.MAX_DIM);
  }

  /**
   * Checks a top-k size.
   *
   * @param k results per query
   * @throws IllegalArgumentException unless it is in [1, {@link KernelLimits#MAX_K}]
   */
  public static void checkK(int k) {
    checkRange("k", k, 1, KernelLimits.MAX_K);
  }

  /**
   * The array must hold exactly {@code rows * cols} elements.
   *
   * @param name the array's name, for the message
   * @param a the array checked (null fails)
   * @param rows the number of rows
   * @param cols the number of columns
   * @throws IllegalArgumentException when the array is null or has another length
   */
  public static void checkLength(String name, float[] a, long rows, int cols) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if ((long) a.length != rows * cols) {
      throw new IllegalArgumentException(
          name + " has " + a.length + " floats, expected " + rows + " x " + cols + " = " + rows * cols);
    }
  }

  /**
   * Checks an array's length.
   *
   * @param name the array's name, for the message
   * @param a the array checked (null fails)
   * @param expected the length it must have
   * @throws IllegalArgumentException when the array is null or has another length
   */
  public static void checkLength(String name, long[] a, long expected) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (a.length != expected) {
      throw new IllegalArgumentException(name + " has " + a.length + " entries, expected " + expected);
    }
  }

  /**
   * Checks an array's length.
   *
   * @param name the array's name, for the message
   * @param a the array checked (null fails)
   * @param expected the length it must have
   * @throws IllegalArgumentException when the array is null or has another length
   */
  public static void checkLength(String name, int[] a, long expected) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (a.length != expected) {
      throw new IllegalArgumentException(name + " has " + a.length + " entries, expected " + expected);
    }
  }

  /**
   * Every value must be finite: a NaN or infinity in a query would silently poison every score.
   *
   * @param name the array's name, for the message
   * @param a the array checked (null fails)
   * @throws IllegalArgumentException when it is null or holds a NaN or infinity
   */
  public static void checkFinite(String name, float[] a) {
    for (int i = 0; i < a.length; i++) {
      if (!Float.isFinite(a[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + a[i]);
      }
    }
  }
}
