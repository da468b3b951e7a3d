package org.densephrases.kernels.cuda;

import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;

/** CUDA kernels through FFM (being written: the bindings land in this package). */
public final class CudaBackend {
  private CudaBackend() {}

  public static KernelBackend create() {
    throw new UnsupportedBackendException("the CUDA backend is not built yet");
  }
}
