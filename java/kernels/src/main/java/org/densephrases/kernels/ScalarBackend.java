package org.densephrases.kernels;

import org.densephrases.kernels.loss.NegativeLoss;
import org.densephrases.kernels.loss.ScalarNegativeLoss;
import org.densephrases.kernels.scan.ScalarVectorScanner;
import org.densephrases.kernels.scan.VectorScanner;
import org.densephrases.kernels.span.ScalarSpanScorer;
import org.densephrases.kernels.span.SpanScorer;

/** Plain Java loops: the reference every other backend is tested against. Always available. */
public final class ScalarBackend implements KernelBackend {
  public static final ScalarBackend INSTANCE = new ScalarBackend();

  private final SpanScorer span = new ScalarSpanScorer();
  private final VectorScanner scan = new ScalarVectorScanner();
  private final NegativeLoss loss = new ScalarNegativeLoss();

  private ScalarBackend() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public String device() {
    return Runtime.getRuntime().availableProcessors() + " cores, scalar Java";
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
