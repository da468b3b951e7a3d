package org.densephrases.kernels.span;

import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.cuda.CudaTestSupport;

class CudaSpanScorerTest extends SpanScorerContractTest {
  @Override
  protected KernelBackend backend() {
    return CudaTestSupport.backendOrSkip(); // fails instead when the run demands CUDA
  }
}
