package org.densephrases.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * word + position + token-type embeddings, LayerNorm, dropout. Positions are 0..T-1 of each row (absolute, as in
 * BERT). Input: tokenIds (B)(T) int64, typeIds (B)(T) int64. Output: (B)(T)(H).
 */
public final class BertEmbeddingBlock extends AbstractBlock {
  private final BertConfig config;
  private final float dropout;
  private final Parameter word;
  private final Parameter position;
  private final Parameter tokenType;
  private final Parameter lnGamma;
  private final Parameter lnBeta;

  BertEmbeddingBlock(BertConfig c, float dropout) {
    super((byte) 1);
    this.config = c;
    this.dropout = dropout;
    word = addParameter(Params.weight("word_embeddings", c.vocabSize(), c.hiddenSize()));
    position = addParameter(Params.weight("position_embeddings", c.maxPositions(), c.hiddenSize()));
    tokenType = addParameter(Params.weight("token_type_embeddings", c.typeVocabSize(), c.hiddenSize()));
    lnGamma = addParameter(Params.gamma("LayerNorm_gamma", c.hiddenSize()));
    lnBeta = addParameter(Params.beta("LayerNorm_beta", c.hiddenSize()));
  }

  Map<String, Parameter> namedParameters(String prefix) {
    Map<String, Parameter> m = new LinkedHashMap<>();
    m.put(prefix + "word_embeddings.weight", word);
    m.put(prefix + "position_embeddings.weight", position);
    m.put(prefix + "token_type_embeddings.weight", tokenType);
    m.put(prefix + "LayerNorm.weight", lnGamma);
    m.put(prefix + "LayerNorm.bias", lnBeta);
    return m;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray ids = inputs.get(0);
    NDArray types = inputs.get(1);
    long t = ids.getShape().get(1);
    if (t > config.maxPositions()) {
      throw new IllegalArgumentException("sequence length " + t + " exceeds the model's " + config.maxPositions()
          + " positions");
    }
    var dev = ids.getDevice();
    NDArray w = ps.getValue(word, dev, training);
    NDArray p = ps.getValue(position, dev, training);
    NDArray tt = ps.getValue(tokenType, dev, training);
    NDArray x = embed(ids, w).add(embed(types, tt));
    NDArray pos = ids.getManager().arange(0L, t, 1L, ai.djl.ndarray.types.DataType.INT64, dev);
    x = x.add(embed(pos, p)); // (B)(T)(H) + (T)(H)
    x = LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), ps.getValue(lnGamma, dev, training),
        ps.getValue(lnBeta, dev, training), config.layerNormEps()).singletonOrThrow();
    return new NDList(Dropout.dropout(x, dropout, training).singletonOrThrow());
  }

  private static NDArray embed(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].addAll(new Shape(config.hiddenSize()))};
  }
}
