package org.densephrases.kernels.loss;

import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.cuda.CudaTestSupport;

class CudaNegativeLossTest extends NegativeLossContractTest {
  @Override
  protected KernelBackend backend() {
    return CudaTestSupport.backendOrSkip(); // fails instead when the run demands CUDA
  }
}
