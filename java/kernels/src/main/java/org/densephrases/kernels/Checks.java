package org.densephrases.kernels;

/** Argument checks shared by every backend, so that bad input fails the same way everywhere, before any work. */
public final class Checks {
  private Checks() {}

  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public static int checkRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  public static void checkDim(int dim) {
    checkRange("dim", dim, 1, KernelLimits.MAX_DIM);
  }

  public static void checkK(int k) {
    checkRange("k", k, 1, KernelLimits.MAX_K);
  }

  /** The array must hold exactly {@code rows * cols} elements. */
  public static void checkLength(String name, float[] a, long rows, int cols) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if ((long) a.length != rows * cols) {
      throw new IllegalArgumentException(
          name + " has " + a.length + " floats, expected " + rows + " x " + cols + " = " + rows * cols);
    }
  }

  public static void checkLength(String name, long[] a, long expected) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (a.length != expected) {
      throw new IllegalArgumentException(name + " has " + a.length + " entries, expected " + expected);
    }
  }

  public static void checkLength(String name, int[] a, long expected) {
    if (a == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (a.length != expected) {
      throw new IllegalArgumentException(name + " has " + a.length + " entries, expected " + expected);
    }
  }

  /** Every value must be finite: a NaN or infinity in a query would silently poison every score. */
  public static void checkFinite(String name, float[] a) {
    for (int i = 0; i < a.length; i++) {
      if (!Float.isFinite(a[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] is not finite: " + a[i]);
      }
    }
  }
}
