package org.densephrases.kernels.cuda;

/** A CUDA-side failure reported by libdensephrases: no device, out of memory, launch failure, ... */
public class CudaException extends RuntimeException {
  /** The dp_status code (see densephrases.h). */
  private final int status;

  /**
   * A CUDA failure.
   *
   * @param status the dp_status code
   * @param message what failed
   */
  public CudaException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** {@return the dp_status code} */
  public int status() {
    return status;
  }

  /** {@return true when the device ran out of memory} */
  public boolean isOutOfMemory() {
    return status == Dp.ERR_OUT_OF_MEMORY;
  }

  /** {@return true when no CUDA device is usable} */
  public boolean isNoDevice() {
    return status == Dp.ERR_NO_DEVICE;
  }
}
