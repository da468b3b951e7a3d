package org.densephrases.model.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export -> load gives the same model: exactly in fp32, within the quantization's error in fp16 and int8. */
class PhraseModelFileTest {
  static final BertConfig TINY = new BertConfig(30522, 32, 2, 4, 64, 128, 2, 1e-12f);
  @TempDir Path tmp;

  private static PhraseModelMeta meta() {
    return new PhraseModelMeta("all-minilm-l6-v2", "shared", TINY, 64, 16, 8, 16, 7, "test");
  }

  private static byte[] tokenizer() {
    return Tokenizer.resourceBytes(PretrainedModels.MINILM_L6.tokenizerResource());
  }

  /** tokenVectors of one passage and (qStart ; qEnd) of one question, flattened. */
  private static float[][] outputs(PhraseModel m, NDManager nd) {
    ParameterStore ps = new ParameterStore(nd, false);
    NDList p = m.encodePassages(ps, nd.create(new long[][] {{101, 2023, 102, 2003, 1037, 3231, 102}}),
        nd.create(new long[][] {{0, 0, 0, 1, 1, 1, 1}}), nd.create(new long[][] {{1, 1, 1, 1, 1, 1, 1}}), false);
    NDList q = m.encodeQuestions(ps, nd.create(new long[][] {{101, 2054, 2003, 102}}), nd.create(new long[1][4]),
        nd.create(new long[][] {{1, 1, 1, 1}}), false);
    return new float[][] {p.get(0).toFloatArray(), p.get(1).toFloatArray(), q.get(0).toFloatArray(),
        q.get(1).toFloatArray()};
  }

  @Test
  void exportThenLoadGivesTheSameVectors() throws IOException {
    PhraseModel m = PhraseModel.shared(new BertEncoderBlock(TINY, 0f), new BertEncoderBlock(TINY, 0f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      Engine.getInstance().setRandomSeed(11);
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      // heads away from the identity, so a mix-up of start and end would show
      m.questionHeads()[0].getArray().muli(0.5f);
      float[][] want = outputs(m, nd);
      long[] sizes = new long[3];
      for (PhraseModelFile.Dtype dt : PhraseModelFile.Dtype.values()) {
        Path dir = tmp.resolve(dt.name());
        Path f = PhraseModelFile.write(m, "test-model", meta(), dt, tokenizer(), dir);
        sizes[dt.ordinal()] = Files.size(f);
        assertTrue(Files.exists(dir.resolve(PhraseModelFile.TOKENIZER_FILE)));
        try (PhraseModelFile.Loaded l = PhraseModelFile.load(dir)) {
          assertEquals("test-model", l.modelId());
          assertEquals(7, l.meta().trainedSteps());
          assertTrue(l.model().isShared());
          float[][] got = outputs(l.model(), l.manager());
          for (int i = 0; i < want.length; i++) {
            double tol = switch (dt) {
              case FP32 -> 0;
              case FP16 -> 2e-2;
              case INT8 -> 8e-2;
            };
            double maxAbs = 0;
            double maxDiff = 0;
            for (int k = 0; k < want[i].length; k++) {
              maxAbs = Math.max(maxAbs, Math.abs(want[i][k]));
              maxDiff = Math.max(maxDiff, Math.abs(want[i][k] - got[i][k]));
            }
            assertTrue(maxDiff <= tol * Math.max(1, maxAbs), dt + " output " + i + ": max diff " + maxDiff
                + " of max " + maxAbs);
            if (dt == PhraseModelFile.Dtype.FP32) {
              assertArrayEquals(want[i], got[i], dt + " output " + i);
            }
          }
          // the tokenizer beside the model loads and tokenizes
          assertTrue(l.tokenizer().tokenize("hello world").size() == 2);
        }
      }
      assertTrue(sizes[2] < sizes[1] && sizes[1] < sizes[0], java.util.Arrays.toString(sizes));
    }
  }

  @Test
  void frozenWordEmbeddingsAreStoredOnce() throws IOException {
    PhraseModel m = PhraseModel.shared(new BertEncoderBlock(TINY, 0f), new BertEncoderBlock(TINY, 0f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      Path a = PhraseModelFile.write(m, "distinct", meta(), PhraseModelFile.Dtype.FP32, tokenizer(), tmp.resolve("a"));
      // make the question encoder's word embeddings equal the phrase encoder's (what freezing them gives)
      var src = m.phraseEncoder().namedParameters().get("embeddings.word_embeddings.weight").getArray();
      m.questionStartEncoder().namedParameters().get("embeddings.word_embeddings.weight").getArray().set(
          src.toFloatArray());
      Path b = PhraseModelFile.write(m, "tied", meta(), PhraseModelFile.Dtype.FP32, tokenizer(), tmp.resolve("b"));
      long table = 30522L * 32 * 4;
      assertTrue(Files.size(a) - Files.size(b) > table - 10_000, Files.size(a) + " vs " + Files.size(b));
      try (PhraseModelFile.Loaded l = PhraseModelFile.load(tmp.resolve("b"))) {
        Map<String, float[]> t = PhraseModelFile.tensors(l.model());
        assertArrayEquals(t.get("phrase.embeddings.word_embeddings.weight"),
            t.get("question.embeddings.word_embeddings.weight"));
      }
    }
  }

  @Test
  void tiedEncoderIsStoredOnceAndLoadsAsTheSharedLayout() throws IOException {
    BertEncoderBlock enc = new BertEncoderBlock(TINY, 0f);
    PhraseModel tied = PhraseModel.shared(enc, enc);
    assertTrue(tied.isTied());
    PhraseModel sep = PhraseModel.shared(new BertEncoderBlock(TINY, 0f), new BertEncoderBlock(TINY, 0f));
    assertTrue(!sep.isTied());
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      tied.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      sep.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      for (PhraseModelFile.Dtype dt : PhraseModelFile.Dtype.values()) {
        Path a = PhraseModelFile.write(sep, "sep", meta(), dt, tokenizer(), tmp.resolve("sep-" + dt));
        Path b = PhraseModelFile.write(tied, "tied", meta(), dt, tokenizer(), tmp.resolve("tied-" + dt));
        // the second encoder costs nothing but its aliases' names in the tied file
        long encoderBytes = Files.size(a) - Files.size(b);
        assertTrue(encoderBytes > 0.4 * Files.size(a), dt + ": " + Files.size(a) + " vs " + Files.size(b));
        float[][] want = outputs(tied, nd);
        try (PhraseModelFile.Loaded l = PhraseModelFile.load(b.getParent())) {
          assertTrue(l.meta().isShared());
          Map<String, float[]> t = PhraseModelFile.tensors(l.model());
          for (String k : t.keySet()) {
            if (k.startsWith("question.")) {
              assertArrayEquals(t.get("phrase." + k.substring("question.".length())), t.get(k), k);
            }
          }
          if (dt == PhraseModelFile.Dtype.FP32) {
            float[][] got = outputs(l.model(), l.manager());
            for (int i = 0; i < want.length; i++) {
              assertArrayEquals(want[i], got[i], 1e-6f);
            }
          }
        }
      }
    }
  }

  @Test
  void int8ExportKeepsTheHeadsInFp16() throws IOException {
    // Trained start/end heads are the identity plus small terms, which per-row int8 would round to zero.
    PhraseModel m = PhraseModel.shared(new BertEncoderBlock(TINY, 0f), new BertEncoderBlock(TINY, 0f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      Engine.getInstance().setRandomSeed(12);
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      var head = m.questionHeads()[0].getArray();
      head.addi(nd.randomUniform(-0.003f, 0.003f, head.getShape()));
      float[] want = head.toFloatArray();
      Path mixed = PhraseModelFile.write(m, "mixed", meta(), PhraseModelFile.Dtype.INT8, tokenizer(),
          tmp.resolve("mixed"));
      Path all = PhraseModelFile.write(m, "all", meta(), PhraseModelFile.Dtype.INT8, name -> false, tokenizer(),
          tmp.resolve("all"));
      assertTrue(Files.size(mixed) > Files.size(all));
      try (PhraseModelFile.Loaded l = PhraseModelFile.load(mixed); PhraseModelFile.Loaded a = PhraseModelFile.load(all)) {
        float[] gotMixed = PhraseModelFile.tensors(l.model()).get("q_start.weight");
        float[] gotAll = PhraseModelFile.tensors(a.model()).get("q_start.weight");
        double errMixed = 0;
        double errAll = 0;
        for (int k = 0; k < want.length; k++) {
          errMixed = Math.max(errMixed, Math.abs(want[k] - gotMixed[k]));
          errAll = Math.max(errAll, Math.abs(want[k] - gotAll[k]));
        }
        assertTrue(errMixed < 1e-3, "fp16 head error " + errMixed);
        assertTrue(errAll > 2e-3, "all-int8 head error " + errAll + " (the case the default avoids)");
        // the encoders are still int8: the mixed file is far smaller than fp16
        Path half = PhraseModelFile.write(m, "half", meta(), PhraseModelFile.Dtype.FP16, tokenizer(), tmp.resolve("h"));
        assertTrue(Files.size(mixed) < Files.size(half));
      }
    }
  }

  @Test
  void int8RowsRoundTripWithinHalfAStep() {
    float[] v = {0.5f, -1f, 0.25f, 0f, 0f, 0f, 3f, 2f, -2.9f};
    var q = Int8Rows.quantize(v, 3, 3);
    float[] d = q.dequantize();
    for (int i = 0; i < v.length; i++) {
      assertEquals(v[i], d[i], q.scales()[i / 3] / 2 + 1e-7);
    }
    assertEquals(0f, q.scales()[1]);
  }

  @Test
  void badFilesGiveClearErrors() throws IOException {
    Exception e = assertThrows(Exception.class, () -> PhraseModelFile.load(tmp.resolve("none")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    Path dir = Files.createDirectories(tmp.resolve("junk"));
    Files.writeString(dir.resolve(PhraseModelFile.MODEL_FILE), "not a model at all, just text");
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> PhraseModelFile.load(dir));
    assertTrue(e2.getMessage().contains("bad magic"), e2.getMessage());

    PhraseModel m = PhraseModel.shared(new BertEncoderBlock(TINY, 0f), new BertEncoderBlock(TINY, 0f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      Path ok = tmp.resolve("ok");
      Path f = PhraseModelFile.write(m, "x", meta(), PhraseModelFile.Dtype.INT8, tokenizer(), ok);
      byte[] b = Files.readAllBytes(f);
      b[b.length - 100] ^= 1;
      Files.write(f, b);
      IOException e3 = assertThrows(IOException.class, () -> PhraseModelFile.load(ok));
      assertTrue(e3.getMessage().contains("checksum"), e3.getMessage());
      Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
      IOException e4 = assertThrows(IOException.class, () -> PhraseModelFile.load(ok));
      assertTrue(e4.getMessage().contains("truncated"), e4.getMessage());
    }
  }
}
