package org.densephrases.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * Where DJL training and evaluation run: {@code auto} (the first GPU when the PyTorch engine sees one, else the CPU),
 * {@code cpu}, {@code gpu} or {@code gpu:N}. A GPU asked for but absent is an error naming what the engine sees, not a
 * silent fall-back to the CPU. The engine's own default device is never relied on: every manager of training,
 * teacher and evaluation code is created on the device this class resolves.
 *
 * <p>The choice comes from the verb's {@code --device} option, else the {@code densephrases.device} system property,
 * else the {@code DENSEPHRASES_DEVICE} environment variable, else {@code auto}.
 */
public final class TrainDevice {
  /** The system property that names the device. */
  public static final String PROPERTY = "densephrases.device";
  /** The environment variable that names the device when the property is unset. */
  public static final String ENV = "DENSEPHRASES_DEVICE";

  private TrainDevice() {}

  /**
   * The device named by the property / environment (or auto).
   *
   * @return the DJL device
   * @throws IllegalArgumentException as {@link #resolve(String)}
   */
  public static Device fromEnvironment() {
    String s = System.getProperty(PROPERTY);
    if (s == null || s.isBlank()) {
      s = System.getenv(ENV);
    }
    return resolve(s == null || s.isBlank() ? "auto" : s);
  }

  /**
   * {@code spec} or, when null/blank, {@link #fromEnvironment()}.
   *
   * @param spec a device spec ({@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N}), or null
   * @return the DJL device
   * @throws IllegalArgumentException as {@link #resolve(String)}
   */
  public static Device resolveOrDefault(String spec) {
    return spec == null || spec.isBlank() ? fromEnvironment() : resolve(spec);
  }

  /**
   * Resolves a device spec: {@code auto} (the first GPU when PyTorch sees one, else the CPU), {@code cpu},
   * {@code gpu} or {@code cuda} (GPU 0), {@code gpu:N} or {@code cuda:N}. Case and surrounding spaces are ignored.
   *
   * @param spec {@code auto}, {@code cpu}, {@code gpu}, {@code cuda}, {@code gpu:N} or {@code cuda:N}
   * @return the DJL device
   * @throws IllegalArgumentException when the spec is malformed or names a GPU that PyTorch does not see
   */
  public static Device resolve(String spec) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    int gpus = Engine.getEngine("PyTorch").getGpuCount();
    switch (s) {
      case "auto":
        return gpus > 0 ? Device.gpu(0) : Device.cpu();
      case "cpu":
        return Device.cpu();
      case "gpu":
      case "cuda":
        s = "gpu:0";
        break;
      default:
        break;
    }
    if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
      int id;
      try {
        id = Integer.parseInt(s.substring(s.indexOf(':') + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got '" + spec + "'");
      }
      if (id < 0 || id >= gpus) {
        throw new IllegalArgumentException("device " + spec + " asked for, but the PyTorch engine ("
            + Engine.getEngine("PyTorch").getVersion() + ") sees " + gpus + " GPU(s)"
            + (gpus == 0 ? ": this libtorch is a CPU build or no CUDA device is visible (see tools/build-djl-jni.sh)"
                : ""));
      }
      return Device.gpu(id);
    }
    throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, got '" + spec + "'");
  }

  /**
   * "cpu" or "gpu(0) NVIDIA ..." for logs.
   *
   * @param d the device
   * @return a description for logs
   */
  public static String describe(Device d) {
    return d.isGpu() ? d + " (" + Engine.getEngine("PyTorch").getGpuCount() + " visible)" : d.toString();
  }
}
