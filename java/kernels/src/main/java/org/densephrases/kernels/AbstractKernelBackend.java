package org.densephrases.kernels;

import org.densephrases.kernels.loss.NegativeLoss;
import org.densephrases.kernels.scan.VectorScanner;
import org.densephrases.kernels.span.SpanScorer;

/** What every backend is: a name, a device and one implementation of each family, fixed at construction. */
public abstract class AbstractKernelBackend implements KernelBackend {
  private final String name;
  private final String device;
  private final SpanScorer span;
  private final VectorScanner scan;
  private final NegativeLoss loss;

  protected AbstractKernelBackend(String name, String device, SpanScorer span, VectorScanner scan,
      NegativeLoss loss) {
    this.name = name;
    this.device = device;
    this.span = span;
    this.scan = scan;
    this.loss = loss;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String device() {
    return device;
  }

  @Override
  public final SpanScorer spanScorer() {
    return span;
  }

  @Override
  public final VectorScanner vectorScanner() {
    return scan;
  }

  @Override
  public final NegativeLoss negativeLoss() {
    return loss;
  }
}
