package org.densephrases.kernels.scan;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;

class ScalarVectorScannerTest extends VectorScannerContractTest {
  @Override
  protected KernelBackend backend() {
    return Backends.byName("scalar");
  }
}
