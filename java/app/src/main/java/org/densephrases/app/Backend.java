package org.densephrases.app;

import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;

/** --backend auto|cuda|simd|scalar: auto is the best available; a named one that cannot run here is an error. */
final class Backend {
  private Backend() {}

  static KernelBackend of(String name) {
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
