package org.densephrases.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT encoder (HuggingFace BertModel without the pooler) as a DJL block: per-token hidden states.
 *
 * <p>Input: tokenIds (B)(T) int64, typeIds (B)(T) int64, attentionMask (B)(T) (1 = token, 0 = padding, any numeric
 * type). Output: lastHiddenState (B)(T)(H). Rows of padding positions are computed but meaningless.
 *
 * <p>Pretrained weights: {@link #pretrained(BertWeights, float)} makes every parameter initialise from the weight of
 * the same HuggingFace name, so the usual {@code initialize(manager, FLOAT32, shapes)} loads them.
 */
public final class BertEncoderBlock extends AbstractBlock {
  /**
   * Added to the attention scores of padding keys. Original BERT uses -10000; anything whose exp underflows to 0 next
   * to the real scores gives the same result in float32, and it stays finite in float16.
   */
  static final float MASK_NEGATIVE = -10000f;

  private final BertConfig config;
  private final BertEmbeddingBlock embeddings;
  private final List<BertLayerBlock> layers = new ArrayList<>();

  /**
   * A randomly initialised encoder (BERT's N(0, 0.02) scheme).
   *
   * @param config the encoder shape
   * @param dropout dropout probability in [0, 1) (0 for inference)
   * @throws IllegalArgumentException when dropout is outside [0, 1)
   */
  public BertEncoderBlock(BertConfig config, float dropout) {
    super((byte) 1);
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    this.config = config;
    embeddings = addChildBlock("embeddings", new BertEmbeddingBlock(config, dropout));
    for (int l = 0; l < config.numLayers(); l++) {
      layers.add(addChildBlock("layer" + l, new BertLayerBlock(config, dropout)));
    }
  }

  /**
   * An encoder whose parameters initialise from pretrained weights. Call initialize() next.
   *
   * @param weights the pretrained weights (their config gives the shape)
   * @param dropout dropout probability in [0, 1)
   * @return the encoder, not yet initialised
   */
  public static BertEncoderBlock pretrained(BertWeights weights, float dropout) {
    BertEncoderBlock b = new BertEncoderBlock(weights.config(), dropout);
    Params.assign(b.namedParameters(), weights);
    return b;
  }

  /** {@return the encoder shape} */
  public BertConfig config() {
    return config;
  }

  /**
   * Every parameter under its HuggingFace name ({@code encoder.layer.0.attention.self.query.weight}, ...).
   *
   * @return a new map, parameter name to parameter, in layer order
   */
  public Map<String, Parameter> namedParameters() {
    Map<String, Parameter> m = new LinkedHashMap<>(embeddings.namedParameters("embeddings."));
    for (int l = 0; l < layers.size(); l++) {
      m.putAll(layers.get(l).namedParameters("encoder.layer." + l + "."));
    }
    return m;
  }

  /**
   * Shapes to pass to initialize() for inputs of batch b and length t.
   *
   * @param b the batch size
   * @param t the sequence length in tokens
   * @return the shapes of ids, types and mask, each (b)(t)
   */
  public static Shape[] inputShapes(long b, long t) {
    return new Shape[] {new Shape(b, t), new Shape(b, t), new Shape(b, t)};
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    if (inputs.size() != 3) {
      throw new IllegalArgumentException("BertEncoderBlock takes (tokenIds, typeIds, attentionMask), got "
          + inputs.size() + " arrays");
    }
    NDArray ids = inputs.get(0);
    NDArray types = inputs.get(1);
    NDArray mask = inputs.get(2);
    if (ids.getShape().dimension() != 2 || !ids.getShape().equals(types.getShape())
        || !ids.getShape().equals(mask.getShape())) {
      throw new IllegalArgumentException("tokenIds, typeIds and attentionMask must all be (batch)(length); got "
          + ids.getShape() + ", " + types.getShape() + ", " + mask.getShape());
    }
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    NDArray maskBias = mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(MASK_NEGATIVE)
        .reshape(b, 1, 1, t); // (B)(1)(1)(T)
    NDArray h = embeddings.forward(ps, new NDList(ids, types), training).singletonOrThrow();
    for (BertLayerBlock layer : layers) {
      h = layer.forward(ps, new NDList(h, maskBias), training).singletonOrThrow();
    }
    return new NDList(h);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].addAll(new Shape(config.hiddenSize()))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape ids = inputShapes[0];
    embeddings.initialize(manager, dataType, ids, ids);
    Shape hidden = ids.addAll(new Shape(config.hiddenSize()));
    Shape maskBias = new Shape(ids.get(0), 1, 1, ids.get(1));
    for (BertLayerBlock layer : layers) {
      layer.initialize(manager, dataType, hidden, maskBias);
    }
  }
}
