package org.densephrases.kernels;

/**
 * A backend cannot run here (no native library, no GPU, no Vector API). The backend lookup falls back on this
 * exception only; anything else is a bug and propagates.
 */
public class UnsupportedBackendException extends RuntimeException {
  public UnsupportedBackendException(String message) {
    super(message);
  }

  public UnsupportedBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
