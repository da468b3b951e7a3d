package org.densephrases.kernels;

import org.densephrases.kernels.loss.NegativeLoss;
import org.densephrases.kernels.loss.SimdNegativeLoss;
import org.densephrases.kernels.scan.SimdVectorScanner;
import org.densephrases.kernels.scan.VectorScanner;
import org.densephrases.kernels.span.SimdSpanScorer;
import org.densephrases.kernels.span.SpanScorer;

/**
 * Java Vector API (jdk.incubator.vector) versions. Needs {@code --add-modules jdk.incubator.vector} on the JVM and
 * at least 128-bit float vectors; otherwise {@link #create()} throws {@link UnsupportedBackendException}.
 */
public final class SimdBackend implements KernelBackend {
  private static volatile SimdBackend instance;

  private final SpanScorer span;
  private final VectorScanner scan;
  private final NegativeLoss loss;
  private final String device;

  private SimdBackend() {
    this.span = new SimdSpanScorer();
    this.scan = new SimdVectorScanner();
    this.loss = new SimdNegativeLoss();
    this.device = Runtime.getRuntime().availableProcessors() + " cores, "
        + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit SIMD";
  }

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

  @Override
  public String name() {
    return "simd";
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public SpanScorer spanScorer() {
    return span;
  }

  @Override
  public VectorScanner vectorScanner() {
    return scan;
  }

  @Override
  public NegativeLoss negativeLoss() {
    return loss;
  }
}
