package org.densephrases.kernels.cuda;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;
import org.junit.jupiter.api.Assumptions;

/**
 * GPU tests skip where there is no GPU, except when the run demands CUDA ({@code -Ddensephrases.backend=cuda} or
 * {@code -Ddensephrases.requireCuda=true}, as tools/gpu-java-tests.sh does on the GPU machine): then a missing
 * backend fails the test instead of silently skipping it.
 */
public final class CudaTestSupport {
  private CudaTestSupport() {}

  public static boolean cudaRequired() {
    return "cuda".equalsIgnoreCase(System.getProperty("densephrases.backend"))
        || Boolean.getBoolean("densephrases.requireCuda");
  }

  /** The CUDA backend, or the test skips (fails when the run demands CUDA). */
  public static KernelBackend backendOrSkip() {
    try {
      return Backends.byName("cuda");
    } catch (UnsupportedBackendException e) {
      skipOrFail(e);
      return null; // not reached: skipOrFail throws
    }
  }

  public static void skipOrFail(RuntimeException why) {
    if (cudaRequired()) {
      throw new AssertionError("CUDA is required in this run but unavailable: " + why.getMessage(), why);
    }
    Assumptions.abort("no CUDA backend here: " + why.getMessage());
  }
}
