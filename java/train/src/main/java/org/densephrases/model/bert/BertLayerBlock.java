package org.densephrases.model.bert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One post-LayerNorm transformer layer as in HuggingFace BertLayer: self-attention, dense, dropout, residual,
 * LayerNorm; dense to the intermediate size, exact erf GELU, dense back, dropout, residual, LayerNorm.
 *
 * <p>Input: hidden (B)(T)(H), maskBias (B)(1)(1)(T) (0 where attended, a large negative where padded).
 * Output: (B)(T)(H).
 */
public final class BertLayerBlock extends AbstractBlock {
  private static final String[] DENSE = {"attention.self.query", "attention.self.key", "attention.self.value",
      "attention.output.dense", "intermediate.dense", "output.dense"};

  private final BertConfig config;
  private final float dropout;
  private final Parameter[] weights = new Parameter[DENSE.length];
  private final Parameter[] biases = new Parameter[DENSE.length];
  private final Parameter ln1Gamma;
  private final Parameter ln1Beta;
  private final Parameter ln2Gamma;
  private final Parameter ln2Beta;

  BertLayerBlock(BertConfig c, float dropout) {
    super((byte) 1);
    this.config = c;
    this.dropout = dropout;
    long h = c.hiddenSize();
    long i = c.intermediateSize();
    long[][] shapes = {{h, h}, {h, h}, {h, h}, {h, h}, {i, h}, {h, i}}; // (out)(in)
    for (int k = 0; k < DENSE.length; k++) {
      String n = DENSE[k].replace('.', '_');
      weights[k] = addParameter(Params.weight(n + "_weight", shapes[k]));
      biases[k] = addParameter(Params.bias(n + "_bias", shapes[k][0]));
    }
    ln1Gamma = addParameter(Params.gamma("attention_output_LayerNorm_gamma", h));
    ln1Beta = addParameter(Params.beta("attention_output_LayerNorm_beta", h));
    ln2Gamma = addParameter(Params.gamma("output_LayerNorm_gamma", h));
    ln2Beta = addParameter(Params.beta("output_LayerNorm_beta", h));
  }

  Map<String, Parameter> namedParameters(String prefix) {
    Map<String, Parameter> m = new LinkedHashMap<>();
    for (int k = 0; k < DENSE.length; k++) {
      m.put(prefix + DENSE[k] + ".weight", weights[k]);
      m.put(prefix + DENSE[k] + ".bias", biases[k]);
    }
    m.put(prefix + "attention.output.LayerNorm.weight", ln1Gamma);
    m.put(prefix + "attention.output.LayerNorm.bias", ln1Beta);
    m.put(prefix + "output.LayerNorm.weight", ln2Gamma);
    m.put(prefix + "output.LayerNorm.bias", ln2Beta);
    return m;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.get(0); // (B)(T)(H)
    NDArray maskBias = inputs.get(1); // (B)(1)(1)(T)
    Device dev = x.getDevice();
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    int nh = config.numHeads();
    int hd = config.headDim();
    Shape heads = new Shape(b, t, nh, hd);

    NDArray q = dense(ps, 0, x, dev, training).reshape(heads).transpose(0, 2, 1, 3); // (B)(nh)(T)(hd)
    NDArray k = dense(ps, 1, x, dev, training).reshape(heads).transpose(0, 2, 3, 1); // (B)(nh)(hd)(T)
    NDArray v = dense(ps, 2, x, dev, training).reshape(heads).transpose(0, 2, 1, 3); // (B)(nh)(T)(hd)
    NDArray scores = Scalars.div(q.matMul(k), (float) Math.sqrt(hd)).add(maskBias); // (B)(nh)(T)(T)
    NDArray probs = Dropout.dropout(scores.softmax(-1), dropout, training).singletonOrThrow();
    NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, (long) nh * hd); // (B)(T)(H)

    NDArray attn = Dropout.dropout(dense(ps, 3, ctx, dev, training), dropout, training).singletonOrThrow();
    NDArray h1 = norm(ps, attn.add(x), ln1Gamma, ln1Beta, dev, training);
    NDArray inter = dense(ps, 4, h1, dev, training).getNDArrayInternal().gelu(); // (B)(T)(I), exact erf GELU
    NDArray out = Dropout.dropout(dense(ps, 5, inter, dev, training), dropout, training).singletonOrThrow();
    return new NDList(norm(ps, out.add(h1), ln2Gamma, ln2Beta, dev, training));
  }

  private NDArray dense(ParameterStore ps, int k, NDArray x, Device dev, boolean training) {
    return Linear.linear(x, ps.getValue(weights[k], dev, training), ps.getValue(biases[k], dev, training))
        .singletonOrThrow();
  }

  private NDArray norm(ParameterStore ps, NDArray x, Parameter g, Parameter be, Device dev, boolean training) {
    return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), ps.getValue(g, dev, training),
        ps.getValue(be, dev, training), config.layerNormEps()).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
