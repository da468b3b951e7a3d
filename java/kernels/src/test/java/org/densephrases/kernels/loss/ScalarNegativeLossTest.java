package org.densephrases.kernels.loss;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;

class ScalarNegativeLossTest extends NegativeLossContractTest {
  @Override
  protected KernelBackend backend() {
    return Backends.byName("scalar");
  }
}
