package org.densephrases.kernels;

/** Run in a child JVM by {@link BackendsTest}: prints the backend {@link Backends#best()} picks, or the failure. */
public final class BackendProbe {
  private BackendProbe() {}

  public static void main(String[] args) {
    try {
      System.out.println("backend=" + Backends.best().name());
    } catch (RuntimeException e) {
      System.out.println("failure=" + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
