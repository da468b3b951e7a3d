package org.densephrases.kernels.span;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;

class SimdSpanScorerTest extends SpanScorerContractTest {
  @Override
  protected KernelBackend backend() {
    return Backends.byName("simd"); // fails, not skips: the SIMD backend must run wherever the tests run
  }
}
