package org.densephrases.model.bert;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.densephrases.model.onnx.OnnxFormatException;
import org.densephrases.model.onnx.OnnxModel;
import org.densephrases.model.onnx.OnnxNode;
import org.densephrases.model.onnx.OnnxTensor;

/**
 * Maps a BERT-style ONNX graph exported from PyTorch (HuggingFace BertModel: all-MiniLM-L6-v2, e5-small-v2,
 * bge-small-en-v1.5, ...) to {@link BertWeights}.
 *
 * <p>How: biases, LayerNorms and embeddings keep their HuggingFace names as initializers. Dense weights were
 * constant-folded into anonymous {@code onnx::MatMul_N} initializers of layout {@code (in)(out)}; each is named
 * through the Add node that consumes its MatMul's output together with a named {@code ....bias}, and transposed to
 * {@code (out)(in)}. The config comes from the tensors' shapes; two things that are not in any shape are read from
 * the graph itself: the LayerNorm epsilon (the constant added to the variance) and the number of heads (from the
 * attention scale 1/sqrt(headDim)). A graph with tanh-approximated GELU is rejected: our encoder uses exact erf GELU.
 */
public final class OnnxBertImporter {
  private OnnxBertImporter() {}

  /**
   * Reads BERT weights out of an exported ONNX graph (see the class comment for how).
   *
   * @param model the parsed ONNX model
   * @return the weights, with the config inferred from shapes and graph
   * @throws IllegalArgumentException when the graph is not a BERT encoder this project runs (for example tanh GELU)
   */
  public static BertWeights importWeights(OnnxModel model) {
    String src = model.source();
    Map<String, BertWeights.Tensor> out = new LinkedHashMap<>();
    Map<String, String> bareNames = new HashMap<>(); // initializer name -> name without prefix
    for (OnnxTensor t : model.initializers().values()) {
      String bare = stripPrefix(t.name());
      if (bare == null || bare.equals("embeddings.position_ids")) {
        continue; // anonymous (mapped below), the position-ids buffer, pooler or anything outside the encoder
      }
      bareNames.put(t.name(), bare);
      out.put(bare, new BertWeights.Tensor(t.dims(), t.floats()));
    }

    int mapped = 0;
    for (OnnxNode n : model.nodes()) {
      if (!n.opType().equals("MatMul")) {
        continue;
      }
      OnnxTensor w = model.initializers().get(n.input(1));
      if (w == null) {
        continue; // activation x activation (attention scores, context)
      }
      String bias = null;
      for (OnnxNode c : model.consumersOf(n.outputs().get(0))) {
        if (!c.opType().equals("Add")) {
          continue;
        }
        for (String in : c.inputs()) {
          String bare = bareNames.get(in);
          if (bare != null && bare.endsWith(".bias")) {
            bias = bare;
          }
        }
      }
      if (bias == null) {
        throw new OnnxFormatException(src + ": MatMul node '" + n.name() + "' with weight '" + w.name()
            + "' is not followed by an Add of a named bias; cannot tell which dense layer it is");
      }
      String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
      long[] d = w.dims();
      if (d.length != 2) {
        throw new OnnxFormatException(src + ": weight '" + w.name() + "' of '" + name + "' is not 2-D");
      }
      if (out.containsKey(name)) {
        throw new OnnxFormatException(src + ": two MatMul weights map to '" + name + "'");
      }
      out.put(name, new BertWeights.Tensor(new long[] {d[1], d[0]}, transpose(w.floats(), (int) d[0], (int) d[1])));
      mapped++;
    }
    if (mapped == 0) {
      throw new OnnxFormatException(src + ": no MatMul weights found; is this a BERT encoder graph?");
    }
    rejectApproximateGelu(model);
    BertConfig config = new BertConfig(
        dim(out, src, "embeddings.word_embeddings.weight", 0),
        dim(out, src, "embeddings.word_embeddings.weight", 1),
        countLayers(out.keySet(), src),
        numHeads(model, dim(out, src, "embeddings.word_embeddings.weight", 1)),
        dim(out, src, "encoder.layer.0.intermediate.dense.bias", 0),
        dim(out, src, "embeddings.position_embeddings.weight", 0),
        dim(out, src, "embeddings.token_type_embeddings.weight", 0),
        layerNormEps(model));
    return new BertWeights(config, out, src);
  }

  /** "bert.encoder.layer.0..." -> "encoder.layer.0..."; null for names outside embeddings/encoder. */
  static String stripPrefix(String name) {
    for (String root : new String[] {"embeddings.", "encoder."}) {
      if (name.startsWith(root)) {
        return name;
      }
      int at = name.indexOf("." + root);
      if (at >= 0) {
        return name.substring(at + 1);
      }
    }
    return null;
  }

  static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }

  private static int dim(Map<String, BertWeights.Tensor> m, String src, String name, int axis) {
    BertWeights.Tensor t = m.get(name);
    if (t == null) {
      throw new OnnxFormatException(src + ": missing '" + name + "'; is this a BERT encoder graph?");
    }
    return Math.toIntExact(t.shape()[axis]);
  }

  private static int countLayers(Iterable<String> names, String src) {
    TreeSet<Integer> layers = new TreeSet<>();
    for (String n : names) {
      if (n.startsWith("encoder.layer.")) {
        String rest = n.substring("encoder.layer.".length());
        layers.add(Integer.parseInt(rest.substring(0, rest.indexOf('.'))));
      }
    }
    if (layers.isEmpty() || layers.first() != 0 || layers.last() != layers.size() - 1) {
      throw new OnnxFormatException(src + ": encoder layers are not numbered 0..n-1: " + layers);
    }
    return layers.size();
  }

  /**
   * The epsilon of every LayerNorm: the attribute of fused LayerNormalization nodes, or in a decomposed one
   * ({@code (x - mean) / sqrt(var + eps)}) the scalar constant added to a ReduceMean's output. All must agree.
   */
  static float layerNormEps(OnnxModel model) {
    List<Float> found = new ArrayList<>();
    for (OnnxNode n : model.nodes()) {
      if (n.opType().equals("LayerNormalization")) {
        OnnxNode.Attribute eps = n.attributes().get("epsilon");
        found.add(eps == null ? 1e-5f : eps.f()); // ONNX default
      } else if (n.opType().equals("Add") && n.inputs().size() == 2) {
        OnnxNode a = model.producerOf(n.input(0));
        if (a != null && a.opType().equals("ReduceMean")) {
          Float c = scalarConstant(model, n.input(1));
          if (c != null) {
            found.add(c);
          }
        }
      }
    }
    if (found.isEmpty()) {
      throw new OnnxFormatException(model.source() + ": no LayerNorm epsilon found in the graph");
    }
    float eps = found.get(0);
    for (float e : found) {
      if (e != eps) {
        throw new OnnxFormatException(model.source() + ": LayerNorms disagree on epsilon: " + found);
      }
    }
    return eps;
  }

  /**
   * Heads from the attention scale: scores = (q k^T) / c with c = sqrt(headDim) (or * c with c = 1/sqrt(headDim)),
   * found as the scalar constant of the Div/Mul that feeds the first Softmax through the mask Add.
   */
  static int numHeads(OnnxModel model, int hidden) {
    for (OnnxNode n : model.nodes()) {
      if (!n.opType().equals("Softmax")) {
        continue;
      }
      OnnxNode add = model.producerOf(n.input(0));
      List<OnnxNode> candidates = new ArrayList<>();
      if (add != null && add.opType().equals("Add")) {
        for (String in : add.inputs()) {
          OnnxNode p = model.producerOf(in);
          if (p != null) {
            candidates.add(p);
          }
        }
      } else if (add != null) {
        candidates.add(add);
      }
      for (OnnxNode s : candidates) {
        if (!s.opType().equals("Div") && !s.opType().equals("Mul")) {
          continue;
        }
        OnnxNode mm = model.producerOf(s.input(0));
        Float c = scalarConstant(model, s.input(1));
        if (mm == null || !mm.opType().equals("MatMul") || c == null) {
          continue;
        }
        double headDim = s.opType().equals("Div") ? (double) c * c : 1.0 / ((double) c * c);
        long hd = Math.round(headDim);
        if (Math.abs(headDim - hd) > 1e-3 * hd || hd <= 0 || hidden % hd != 0) {
          throw new OnnxFormatException(model.source() + ": attention scale " + c + " gives head dim " + headDim
              + ", which does not divide hidden size " + hidden);
        }
        return (int) (hidden / hd);
      }
      break;
    }
    throw new OnnxFormatException(model.source() + ": cannot find the attention scale (q k^T / sqrt(d)) in the "
        + "graph to tell the number of heads");
  }

  private static void rejectApproximateGelu(OnnxModel model) {
    boolean erf = false;
    for (OnnxNode n : model.nodes()) {
      if (n.opType().equals("Tanh") || n.opType().equals("FastGelu")) {
        throw new OnnxFormatException(model.source() + ": graph uses " + n.opType() + " (approximate GELU?); "
            + "the encoder implements exact erf GELU only");
      }
      erf |= n.opType().equals("Erf") || n.opType().equals("Gelu");
    }
    if (!erf) {
      throw new OnnxFormatException(model.source() + ": no Erf/Gelu node; the encoder implements exact erf GELU only");
    }
  }

  /** The value of a one-element float constant (Constant node or initializer), or null. */
  private static Float scalarConstant(OnnxModel model, String value) {
    OnnxTensor t = model.initializers().get(value);
    if (t == null) {
      OnnxNode p = model.producerOf(value);
      if (p == null || !p.opType().equals("Constant") || p.attributes().get("value") == null) {
        return null;
      }
      t = p.attributes().get("value").t();
    }
    if (t == null || t.numElements() != 1
        || (t.dataType() != OnnxTensor.FLOAT && t.dataType() != OnnxTensor.DOUBLE
            && t.dataType() != OnnxTensor.FLOAT16)) {
      return null;
    }
    return t.floats()[0];
  }
}
