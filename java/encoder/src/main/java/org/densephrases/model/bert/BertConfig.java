package org.densephrases.model.bert;

/**
 * The shape of a BERT encoder (post-LayerNorm, absolute positions, exact erf GELU), as in HuggingFace's BertConfig.
 *
 * @param layerNormEps 1e-12 for BERT, MiniLM, e5 and bge (read from the ONNX graph on import, not assumed)
 * @param vocabSize the number of token ids
 * @param hiddenSize the width of each token vector
 * @param numLayers the number of transformer layers
 * @param numHeads the attention heads per layer (divides {@code hiddenSize})
 * @param intermediateSize the width of the feed-forward layer
 * @param maxPositions the most tokens per sequence (position embeddings)
 * @param typeVocabSize the number of token types (segments), 2 for BERT
 */
public record BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
    int maxPositions, int typeVocabSize, float layerNormEps) {

  /**
   * Checks the shape.
   *
   * @throws IllegalArgumentException when a size is not positive, {@code hiddenSize} is not a multiple of
   *     {@code numHeads}, or {@code layerNormEps} is outside (0, 1e-2)
   */
  public BertConfig {
    positive("vocabSize", vocabSize);
    positive("hiddenSize", hiddenSize);
    positive("numLayers", numLayers);
    positive("numHeads", numHeads);
    positive("intermediateSize", intermediateSize);
    positive("maxPositions", maxPositions);
    positive("typeVocabSize", typeVocabSize);
    if (hiddenSize % numHeads != 0) {
      throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not a multiple of numHeads " + numHeads);
    }
    if (!(layerNormEps > 0 && layerNormEps < 1e-2f)) {
      throw new IllegalArgumentException("layerNormEps must be in (0, 1e-2), got " + layerNormEps);
    }
  }

  /** {@return the width of one attention head, {@code hiddenSize / numHeads}} */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  private static void positive(String name, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + v);
    }
  }
}
