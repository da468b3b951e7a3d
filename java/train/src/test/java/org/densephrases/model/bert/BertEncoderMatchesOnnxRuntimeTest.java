package org.densephrases.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.util.Map;
import org.densephrases.model.onnx.Resources;
import org.junit.jupiter.api.Test;

/**
 * The imported encoder reproduces ONNX Runtime's last_hidden_state of the same all-MiniLM-L6-v2 ONNX file on the same
 * input: a padded batch of two, one of them a sentence pair (token type 1 in use), compared at every real token.
 */
class BertEncoderMatchesOnnxRuntimeTest {

  @Test
  void lastHiddenStateMatchesOnnxRuntime() throws Exception {
    var model = PretrainedModels.MINILM_L6;
    long[][][] batch = encode(model.tokenizerResource());
    long[][] ids = batch[0];
    long[][] types = batch[1];
    long[][] mask = batch[2];
    int b = ids.length;
    int t = ids[0].length;

    float[][][] expected;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      try (OrtSession session = env.createSession(Resources.readAll(model.onnxResource()), opts);
          OnnxTensor i = OnnxTensor.createTensor(env, ids);
          OnnxTensor m = OnnxTensor.createTensor(env, mask);
          OnnxTensor ty = OnnxTensor.createTensor(env, types);
          OrtSession.Result r = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", ty))) {
        assertEquals("last_hidden_state", session.getOutputNames().iterator().next());
        expected = (float[][][]) r.get(0).getValue();
      }
    }

    BertEncoderBlock block = BertEncoderBlock.pretrained(model.loadWeights(), 0.1f);
    float[] actual;
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      block.initialize(manager, DataType.FLOAT32, BertEncoderBlock.inputShapes(b, t));
      NDList in = new NDList(manager.create(ids), manager.create(types), manager.create(mask));
      // training = false: dropout off.
      NDArray out = block.forward(new ParameterStore(manager, false), in, false).singletonOrThrow();
      assertArrayEquals(new long[] {b, t, 384}, out.getShape().getShape());
      actual = out.toFloatArray();
    }

    double maxDiff = 0;
    double maxAbs = 0;
    int compared = 0;
    for (int r = 0; r < b; r++) {
      for (int k = 0; k < t; k++) {
        if (mask[r][k] == 0) {
          continue; // padding rows are meaningless in both
        }
        compared++;
        for (int d = 0; d < 384; d++) {
          double e = expected[r][k][d];
          maxDiff = Math.max(maxDiff, Math.abs(e - actual[(r * t + k) * 384 + d]));
          maxAbs = Math.max(maxAbs, Math.abs(e));
        }
      }
    }
    System.out.printf("DJL vs ONNX Runtime, all-MiniLM-L6-v2, %d tokens x 384: max abs diff %.3g (max |value| %.3g)%n",
        compared, maxDiff, maxAbs);
    assertTrue(compared > 30);
    assertTrue(maxDiff < 1e-4, "max abs diff " + maxDiff);
  }

  /** {ids, typeIds, mask}, each (2)(T), padded to the longer row. */
  private static long[][][] encode(String tokenizerResource) throws Exception {
    try (InputStream in = Resources.open(tokenizerResource);
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(in,
            Map.of("padding", "false", "truncation", "false"))) {
      Encoding a = tok.encode("Which NFL team represented the AFC at Super Bowl 50?",
          "Super Bowl 50 was an American football game to determine the champion of the National Football League "
              + "(NFL) for the 2015 season. The Denver Broncos defeated the Carolina Panthers 24–10.");
      Encoding c = tok.encode("Phrase retrieval learns dense representations of phrases at scale.");
      int t = Math.max(a.getIds().length, c.getIds().length);
      long[][][] out = new long[3][2][t];
      Encoding[] rows = {a, c};
      for (int r = 0; r < 2; r++) {
        long[] ids = rows[r].getIds();
        System.arraycopy(ids, 0, out[0][r], 0, ids.length);
        System.arraycopy(rows[r].getTypeIds(), 0, out[1][r], 0, ids.length);
        System.arraycopy(rows[r].getAttentionMask(), 0, out[2][r], 0, ids.length);
      }
      assertTrue(a.getIds().length != c.getIds().length, "rows must differ in length so padding is exercised");
      assertTrue(java.util.Arrays.stream(out[1][0]).anyMatch(v -> v == 1), "token type 1 must be exercised");
      return out;
    }
  }
}
