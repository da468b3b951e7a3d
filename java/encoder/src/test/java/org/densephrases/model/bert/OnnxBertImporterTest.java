package org.densephrases.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.densephrases.model.onnx.OnnxModel;
import org.densephrases.model.onnx.OnnxNode;
import org.densephrases.model.onnx.OnnxTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Weight mapping on the real all-MiniLM-L6-v2 graph (from the langchain4j test jar). */
class OnnxBertImporterTest {
  static OnnxModel onnx;
  static BertWeights weights;

  @BeforeAll
  static void load() {
    onnx = OnnxModel.fromResource(PretrainedModels.MINILM_L6.onnxResource());
    weights = OnnxBertImporter.importWeights(onnx);
  }

  @Test
  void configComesFromTheGraph() {
    assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f), weights.config());
    assertEquals("last_hidden_state", onnx.outputs().get(0).name());
  }

  @Test
  void everyWeightIsMappedExactlyOnce() {
    // Validation in BertWeights already demands every expected name with its shape; nothing else may be left over.
    assertEquals(BertWeights.expectedShapes(weights.config()).keySet(), weights.names());
  }

  @Test
  void denseWeightsAreTheTransposedMatMulInitializers() {
    for (OnnxNode n : onnx.nodes()) {
      if (n.opType().equals("MatMul") && n.name().equals("/encoder/layer.3/intermediate/dense/MatMul")) {
        OnnxTensor w = onnx.initializer(n.input(1));
        assertArrayEquals(new long[] {384, 1536}, w.dims()); // (in)(out)
        float[] src = w.floats();
        BertWeights.Tensor t = weights.get("encoder.layer.3.intermediate.dense.weight");
        assertArrayEquals(new long[] {1536, 384}, t.shape()); // (out)(in)
        for (int[] rc : new int[][] {{0, 0}, {5, 1000}, {383, 1535}, {17, 3}}) {
          assertEquals(src[rc[0] * 1536 + rc[1]], t.data()[rc[1] * 384 + rc[0]]);
        }
        return;
      }
    }
    throw new AssertionError("layer 3 intermediate MatMul not found by name");
  }

  @Test
  void badConfigsAndMissingWeightsFail() {
    assertThrows(IllegalArgumentException.class, () -> new BertConfig(10, 384, 1, 5, 8, 8, 2, 1e-12f));
    java.util.Map<String, BertWeights.Tensor> none = java.util.Map.of();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new BertWeights(new BertConfig(10, 4, 1, 1, 8, 8, 2, 1e-12f), none, "empty"));
    assertEquals("empty: missing weight 'embeddings.word_embeddings.weight'", e.getMessage());
  }

  @Test
  void prefixesAreStripped() {
    assertEquals("encoder.layer.0.output.dense.bias", OnnxBertImporter.stripPrefix("bert.encoder.layer.0.output.dense.bias"));
    assertEquals("embeddings.LayerNorm.weight", OnnxBertImporter.stripPrefix("embeddings.LayerNorm.weight"));
    assertEquals(null, OnnxBertImporter.stripPrefix("pooler.dense.weight"));
    assertEquals(null, OnnxBertImporter.stripPrefix("onnx::MatMul_787"));
  }
}
