package org.densephrases.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import java.util.Arrays;
import java.util.Map;

/** Parameter construction and pretrained-weight assignment shared by the BERT blocks. */
final class Params {
  private Params() {}

  /** BERT's own initialisation: N(0, 0.02) for weights and embeddings, zeros for biases, ones for LayerNorm gain. */
  static Parameter weight(String name, long... shape) {
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(shape))
        .optInitializer(new NormalInitializer(0.02f)).build();
  }

  static Parameter bias(String name, long n) {
    return Parameter.builder().setName(name).setType(Parameter.Type.BIAS).optShape(new Shape(n)).build();
  }

  static Parameter gamma(String name, long n) {
    return Parameter.builder().setName(name).setType(Parameter.Type.GAMMA).optShape(new Shape(n)).build();
  }

  static Parameter beta(String name, long n) {
    return Parameter.builder().setName(name).setType(Parameter.Type.BETA).optShape(new Shape(n)).build();
  }

  /**
   * Makes every named parameter initialise from the pretrained tensor of the same name. Must run before the block is
   * initialised; shapes are checked here so a mismatch names the weight.
   */
  static void assign(Map<String, Parameter> params, BertWeights weights) {
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Parameter p = e.getValue();
      if (p.isInitialized()) {
        throw new IllegalStateException("parameter '" + e.getKey() + "' is already initialised; load pretrained "
            + "weights before initialize()");
      }
      BertWeights.Tensor t = weights.get(e.getKey());
      long[] want = p.getShape().getShape();
      if (!Arrays.equals(want, t.shape())) {
        throw new IllegalArgumentException(weights.source() + ": weight '" + e.getKey() + "' has shape "
            + Arrays.toString(t.shape()) + ", the block expects " + Arrays.toString(want));
      }
      p.setInitializer(new FromArray(t.data()));
    }
  }

  /** An initializer that returns fixed values (pretrained weights). */
  private record FromArray(float[] data) implements Initializer {
    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      if (shape.size() != data.length) {
        throw new IllegalArgumentException("pretrained tensor has " + data.length + " values, shape " + shape
            + " needs " + shape.size());
      }
      return manager.create(data, shape).toType(dataType, false);
    }
  }
}
