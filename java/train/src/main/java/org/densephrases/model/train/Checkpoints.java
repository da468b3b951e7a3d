package org.densephrases.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Moving parameter values between a model and a {@link Checkpoint}. */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * Values of every parameter (the model must be initialised).
   *
   * @param params parameter name to parameter, all initialised
   * @return parameter name to shape and values (copied off the device)
   */
  public static Map<String, Checkpoint.Param> snapshot(Map<String, Parameter> params) {
    Map<String, Checkpoint.Param> out = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      NDArray a = e.getValue().getArray();
      out.put(e.getKey(), new Checkpoint.Param(a.getShape().getShape(), a.toFloatArray()));
    }
    return out;
  }

  /**
   * Makes every parameter initialise from the checkpoint's value of the same name; must run before initialize().
   * A missing, extra or mis-shaped parameter means the checkpoint belongs to another model: an error naming it.
   *
   * @param params the model's parameters by name
   * @param ckpt the checkpoint to load
   * @param file the checkpoint's path, for errors
   * @throws IllegalArgumentException when the names or shapes differ
   */
  public static void assign(Map<String, Parameter> params, Checkpoint ckpt, Path file) {
    for (String k : ckpt.params().keySet()) {
      if (!params.containsKey(k)) {
        throw new IllegalArgumentException(file + " is incompatible with this model: it has parameter '" + k
            + "', which the model lacks");
      }
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Checkpoint.Param p = ckpt.params().get(e.getKey());
      if (p == null) {
        throw new IllegalArgumentException(file + " is incompatible with this model: parameter '" + e.getKey()
            + "' is missing");
      }
      long[] want = e.getValue().getShape().getShape();
      if (!Arrays.equals(want, p.shape())) {
        throw new IllegalArgumentException(file + " is incompatible with this model: parameter '" + e.getKey()
            + "' has shape " + Arrays.toString(p.shape()) + ", the model expects " + Arrays.toString(want));
      }
      e.getValue().setInitializer(new Fixed(p.values()));
    }
  }

  /**
   * An initializer returning fixed values.
   *
   * @param data the values, row-major; as many as the parameter's shape holds
   */
  public record Fixed(float[] data) implements Initializer {
    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      if (shape.size() != data.length) {
        throw new IllegalArgumentException(data.length + " values cannot fill shape " + shape);
      }
      return manager.create(data, shape).toType(dataType, false);
    }
  }
}
