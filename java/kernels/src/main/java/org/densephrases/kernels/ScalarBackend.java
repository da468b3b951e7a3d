package org.densephrases.kernels;

import org.densephrases.kernels.loss.ScalarNegativeLoss;
import org.densephrases.kernels.scan.ScalarVectorScanner;
import org.densephrases.kernels.span.ScalarSpanScorer;

/** Plain Java loops: the reference every other backend is tested against. Always available. */
public final class ScalarBackend extends AbstractKernelBackend {
  /** The one instance (the scalar backend has no state). */
  public static final ScalarBackend INSTANCE = new ScalarBackend();

  private ScalarBackend() {
    super("scalar", Runtime.getRuntime().availableProcessors() + " cores, scalar Java", new ScalarSpanScorer(),
        new ScalarVectorScanner(), new ScalarNegativeLoss());
  }
}
