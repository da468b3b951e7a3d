package org.densephrases.kernels;

import org.densephrases.kernels.loss.SimdNegativeLoss;
import org.densephrases.kernels.scan.SimdVectorScanner;
import org.densephrases.kernels.span.SimdSpanScorer;

/**
 * Java Vector API (jdk.incubator.vector) versions. Needs {@code --add-modules jdk.incubator.vector} on the JVM and
 * at least 128-bit float vectors; otherwise {@link #create()} throws {@link UnsupportedBackendException}.
 */
public final class SimdBackend extends AbstractKernelBackend {
  private static volatile SimdBackend instance;

  private SimdBackend() {
    super("simd", Runtime.getRuntime().availableProcessors() + " cores, "
        + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit SIMD", new SimdSpanScorer(),
        new SimdVectorScanner(), new SimdNegativeLoss());
  }

  /**
   * The shared SIMD backend, created on first use.
   *
   * @return the process-wide SIMD backend
   * @throws UnsupportedBackendException when the Vector API is not usable here (the message says why)
   */
  public static SimdBackend create() {
    SimdBackend b = instance;
    if (b != null) {
      return b;
    }
    String why = unavailableReason();
    if (why != null) {
      throw new UnsupportedBackendException(why);
    }
    synchronized (SimdBackend.class) {
      if (instance == null) {
        instance = new SimdBackend();
      }
      return instance;
    }
  }

  /**
   * Why the Vector API cannot run here, or null when it can: the one SIMD probe ({@link Backends#javaSimd()} and
   * {@link #create()} both ask it).
   */
  static String unavailableReason() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return "the Vector API module is not loaded: start the JVM with --add-modules jdk.incubator.vector";
    }
    int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    if (bits < 128) {
      return "the preferred float vector is only " + bits + " bits wide";
    }
    return null;
  }
}
