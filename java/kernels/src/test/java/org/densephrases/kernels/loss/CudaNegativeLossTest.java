package org.densephrases.kernels.loss;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;
import org.densephrases.kernels.cuda.CudaTestSupport;

class CudaNegativeLossTest extends NegativeLossContractTest {
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
