package org.densephrases.app;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;

/** --backend auto|cuda|simd|scalar: auto is the best available; a named one that cannot run here is an error. */
public final class Backend {
  private Backend() {}

  /**
   * The backend an option names.
   *
   * @param name auto (or null), cuda, simd or scalar
   * @return the best backend for auto, else the one named
   * @throws IllegalArgumentException when the named backend cannot run here
   */
  public static KernelBackend of(String name) {
    if (name == null || name.equalsIgnoreCase("auto")) {
      return Backends.best();
    }
    try {
      return Backends.byName(name);
    } catch (UnsupportedBackendException e) {
      throw new IllegalArgumentException("--backend " + name + " cannot run here: " + e.getMessage(), e);
    }
  }
}
