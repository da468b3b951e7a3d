package org.densephrases.model.bert;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Pretrained BERT weights under HuggingFace names without a model prefix ({@code embeddings.word_embeddings.weight},
 * {@code encoder.layer.3.attention.self.query.weight}, ...), each a row-major float32 array. Dense weights are in
 * PyTorch nn.Linear layout {@code (out)(in)}, whatever layout the source file used; importers transpose.
 */
public final class BertWeights {

  /**
   * One named tensor.
   *
   * @param shape the tensor's dims
   * @param data its values, row-major; as many as the product of the dims
   */
  public record Tensor(long[] shape, float[] data) {
    /**
     * Checks that the values fill the shape.
     *
     * @throws IllegalArgumentException when {@code data.length} differs from the product of {@code shape}
     */
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != data.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
            + data.length);
      }
    }
  }

  private final BertConfig config;
  private final Map<String, Tensor> tensors;
  private final String source;

  /**
   * Wraps named weights and checks them against {@link #expectedShapes(BertConfig)}.
   *
   * @param config the encoder shape the weights are for
   * @param tensors HuggingFace weight name to tensor (copied)
   * @param source where the weights came from, for errors
   * @throws IllegalArgumentException when a weight is missing or has the wrong shape
   */
  public BertWeights(BertConfig config, Map<String, Tensor> tensors, String source) {
    this.config = config;
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    this.source = source;
    validate();
  }

  /** {@return the encoder shape} */
  public BertConfig config() {
    return config;
  }

  /** {@return where the weights came from (file or resource)} */
  public String source() {
    return source;
  }

  /** {@return the weight names, in insertion order (unmodifiable)} */
  public Set<String> names() {
    return tensors.keySet();
  }

  /**
   * The tensor of a weight.
   *
   * @param name a HuggingFace weight name (for example {@code embeddings.word_embeddings.weight})
   * @return the weight's shape and row-major values
   * @throws IllegalArgumentException when there is no weight of that name
   */
  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException(source + ": no weight named '" + name + "'");
    }
    return t;
  }

  /**
   * The names and shapes every BERT encoder of this config must have.
   *
   * @param c the encoder shape
   * @return weight name to dims, in a stable order
   */
  public static Map<String, long[]> expectedShapes(BertConfig c) {
    Map<String, long[]> m = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long i = c.intermediateSize();
    m.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
    m.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), h});
    m.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
    m.put("embeddings.LayerNorm.weight", new long[] {h});
    m.put("embeddings.LayerNorm.bias", new long[] {h});
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "encoder.layer." + l + ".";
      for (String d : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
          "attention.output.dense"}) {
        m.put(p + d + ".weight", new long[] {h, h});
        m.put(p + d + ".bias", new long[] {h});
      }
      m.put(p + "attention.output.LayerNorm.weight", new long[] {h});
      m.put(p + "attention.output.LayerNorm.bias", new long[] {h});
      m.put(p + "intermediate.dense.weight", new long[] {i, h});
      m.put(p + "intermediate.dense.bias", new long[] {i});
      m.put(p + "output.dense.weight", new long[] {h, i});
      m.put(p + "output.dense.bias", new long[] {h});
      m.put(p + "output.LayerNorm.weight", new long[] {h});
      m.put(p + "output.LayerNorm.bias", new long[] {h});
    }
    return m;
  }

  private void validate() {
    for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
      Tensor t = tensors.get(e.getKey());
      if (t == null) {
        throw new IllegalArgumentException(source + ": missing weight '" + e.getKey() + "'");
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new IllegalArgumentException(source + ": weight '" + e.getKey() + "' has shape "
            + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(e.getValue()));
      }
    }
  }
}
