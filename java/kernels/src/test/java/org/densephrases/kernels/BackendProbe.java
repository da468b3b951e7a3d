package org.densephrases.kernels;

import org.densephrases.kernels.blocked.BlockedProducts;

/**
 * Run in a child JVM by {@link BackendsTest}: prints the backend {@link Backends#best()} picks, or the failure, then
 * what the one SIMD switch of the other hot loops says ({@link Backends#javaSimd()}, {@link BlockedProducts#simd()}).
 */
public final class BackendProbe {
  private BackendProbe() {}

  public static void main(String[] args) {
    try {
      System.out.println("backend=" + Backends.best().name());
    } catch (RuntimeException e) {
      System.out.println("failure=" + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    try {
      System.out.println("javaSimd=" + Backends.javaSimd() + " blocked=" + BlockedProducts.simd());
    } catch (RuntimeException e) {
      System.out.println("javaSimd failure=" + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
