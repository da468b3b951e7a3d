package org.densephrases.kernels.cuda;

/** A CUDA-side failure reported by libdensephrases: no device, out of memory, launch failure, ... */
public class CudaException extends RuntimeException {
  /** The dp_status code (see densephrases.h). */
  private final int status;

  public CudaException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public boolean isOutOfMemory() {
    return status == Dp.ERR_OUT_OF_MEMORY;
  }

  public boolean isNoDevice() {
    return status == Dp.ERR_NO_DEVICE;
  }
}
