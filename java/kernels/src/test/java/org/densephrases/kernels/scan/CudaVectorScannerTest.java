package org.densephrases.kernels.scan;

import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.cuda.CudaTestSupport;

class CudaVectorScannerTest extends VectorScannerContractTest {
  @Override
  protected KernelBackend backend() {
    return CudaTestSupport.backendOrSkip(); // fails instead when the run demands CUDA
  }
}
