package org.densephrases.kernels;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the best available backend once: CUDA, then SIMD Java (Vector API), then scalar Java. Logs one line naming
 * the choice and one warning per backend skipped, with the reason. The system property
 * {@code densephrases.backend=cuda|simd|scalar} forces one and fails hard when it is unavailable, so a test run can
 * prove which path ran.
 *
 * <p>The same property is the switch of the Java hot loops that are not kernel families (the blocked products of
 * k-means and PQ, the pure-Java BERT encoder): they ask {@link #javaSimd()}, so {@code scalar} makes every loop of
 * the process scalar, and {@code simd} makes every one use the Vector API or fail.
 */
public final class Backends {
  /** The system property that forces a backend: {@code scalar}, {@code simd} or {@code cuda}. */
  public static final String PROPERTY = "densephrases.backend";
  private static final Logger LOG = System.getLogger(Backends.class.getName());
  private static volatile KernelBackend best;
  private static volatile Boolean javaSimd;

  private Backends() {}

  /**
   * The backend to use: the forced one, else the best available. Chosen once per JVM.
   *
   * @return the forced backend, else the first of {@link #available()}
   * @throws UnsupportedBackendException when the forced backend cannot run here
   */
  public static KernelBackend best() {
    KernelBackend b = best;
    if (b == null) {
      synchronized (Backends.class) {
        b = best;
        if (b == null) {
          b = choose();
          best = b;
        }
      }
    }
    return b;
  }

  /**
   * Whether the Java loops outside the kernel families use the Vector API: false when {@code -D}{@value #PROPERTY}
   * {@code =scalar}; true when the Vector API is usable here (with {@code simd} forced, it must be:
   * {@link UnsupportedBackendException} otherwise); with {@code cuda} forced, the CPU-side loops use SIMD when they
   * can. Decided once per JVM.
   *
   * @return true when the Java loops use the Vector API
   */
  public static boolean javaSimd() {
    Boolean b = javaSimd;
    if (b == null) {
      String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
      String why = SimdBackend.unavailableReason();
      if (forced.equals("simd") && why != null) {
        throw new UnsupportedBackendException("-D" + PROPERTY + "=simd, but " + why);
      }
      b = !forced.equals("scalar") && why == null;
      javaSimd = b;
    }
    return b;
  }

  /**
   * A backend by name; throws {@link UnsupportedBackendException} saying why it cannot run here.
   *
   * @param name {@code scalar}, {@code simd} or {@code cuda}
   * @return the backend, created on first use and shared
   */
  public static KernelBackend byName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "scalar" -> ScalarBackend.INSTANCE;
      case "simd" -> SimdBackend.create();
      case "cuda" -> org.densephrases.kernels.cuda.CudaBackend.create();
      default -> throw new IllegalArgumentException(
          "unknown backend '" + name + "': expected one of cuda, simd, scalar (property " + PROPERTY + ")");
    };
  }

  /**
   * Every backend that can run here, best first.
   *
   * @return the backends, best first (scalar is always there)
   */
  public static List<KernelBackend> available() {
    List<KernelBackend> out = new ArrayList<>();
    for (String n : new String[] {"cuda", "simd", "scalar"}) {
      try {
        out.add(byName(n));
      } catch (UnsupportedBackendException e) {
        // skipped: not available here
      }
    }
    return out;
  }

  private static KernelBackend choose() {
    String forced = System.getProperty(PROPERTY);
    if (forced != null && !forced.isBlank()) {
      KernelBackend b = byName(forced.trim()); // fails hard when unavailable
      LOG.log(Level.INFO, "kernel backend: {0} on {1} (forced by -D{2})", b.name(), b.device(), PROPERTY);
      return b;
    }
    for (String n : new String[] {"cuda", "simd"}) {
      try {
        KernelBackend b = byName(n);
        LOG.log(Level.INFO, "kernel backend: {0} on {1}", b.name(), b.device());
        return b;
      } catch (UnsupportedBackendException e) {
        LOG.log(Level.WARNING, "kernel backend {0} skipped: {1}", n, e.getMessage());
      }
    }
    KernelBackend b = ScalarBackend.INSTANCE;
    LOG.log(Level.INFO, "kernel backend: {0} on {1}", b.name(), b.device());
    return b;
  }
}
