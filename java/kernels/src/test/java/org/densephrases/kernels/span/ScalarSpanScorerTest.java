package org.densephrases.kernels.span;

import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.ScalarBackend;

class ScalarSpanScorerTest extends SpanScorerContractTest {
  @Override
  protected KernelBackend backend() {
    return ScalarBackend.INSTANCE;
  }
}
