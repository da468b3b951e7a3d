package org.densephrases.kernels;

/**
 * A backend cannot run here (no native library, no GPU, no Vector API). The backend lookup falls back on this
 * exception only; anything else is a bug and propagates.
 */
public class UnsupportedBackendException extends RuntimeException {
  /**
   * A backend that cannot run here.
   *
   * @param message why the backend cannot run here
   */
  public UnsupportedBackendException(String message) {
    super(message);
  }

  /**
   * A backend that cannot run here, with the failure that showed it.
   *
   * @param message why the backend cannot run here
   * @param cause the underlying failure
   */
  public UnsupportedBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
