package org.densephrases.kernels.span;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;
import org.densephrases.kernels.cuda.CudaTestSupport;

class CudaSpanScorerTest extends SpanScorerContractTest {
  @Override
  protected KernelBackend backend() {
    try {
      return Backends.byName("cuda");
    } catch (UnsupportedBackendException e) {
      CudaTestSupport.skipOrFail(e); // fails instead when the run demands CUDA
      return null;
    }
  }
}
