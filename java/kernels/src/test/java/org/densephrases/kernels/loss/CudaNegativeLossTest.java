package org.densephrases.kernels.loss;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;
import org.junit.jupiter.api.Assumptions;

class CudaNegativeLossTest extends NegativeLossContractTest {
  @Override
  protected KernelBackend backend() {
    try {
      return Backends.byName("cuda");
    } catch (UnsupportedBackendException e) {
      Assumptions.abort("CUDA backend not available here: " + e.getMessage());
      return null;
    }
  }
}
