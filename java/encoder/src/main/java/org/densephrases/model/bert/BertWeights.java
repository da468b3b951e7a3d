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

  /** One named tensor. */
  public record Tensor(long[] shape, float[] data) {
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

  public BertWeights(BertConfig config, Map<String, Tensor> tensors, String source) {
    this.config = config;
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    this.source = source;
    validate();
  }

  public BertConfig config() {
    return config;
  }

  public String source() {
    return source;
  }

  public Set<String> names() {
    return tensors.keySet();
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException(source + ": no weight named '" + name + "'");
    }
    return t;
  }

  /** The names and shapes every BERT encoder of this config must have. */
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
