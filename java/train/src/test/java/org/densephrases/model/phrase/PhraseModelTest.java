package org.densephrases.model.phrase;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.junit.jupiter.api.Test;

/** The phrase model on a tiny random BERT (2 layers x 32): shapes, what each output is, padding, gradients. */
class PhraseModelTest {
  static final BertConfig TINY = new BertConfig(100, 32, 2, 4, 64, 64, 2, 1e-12f);

  static PhraseModel tiny(float dropout) {
    return new PhraseModel(new BertEncoderBlock(TINY, dropout), new BertEncoderBlock(TINY, dropout),
        new BertEncoderBlock(TINY, dropout));
  }

  @Test
  void outputsAreTokenVectorsFilterLogitsAndClsVectors() {
    PhraseModel m = tiny(0.1f);
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      Engine.getInstance().setRandomSeed(7);
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(2, 9, 5));
      long[][] pIds = {{1, 5, 6, 2, 7, 8, 9, 2, 0}, {1, 11, 2, 12, 13, 14, 15, 16, 2}};
      long[][] pTypes = {{0, 0, 0, 0, 1, 1, 1, 1, 0}, {0, 0, 0, 1, 1, 1, 1, 1, 1}};
      long[][] pMask = {{1, 1, 1, 1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1}};
      long[][] qIds = {{1, 20, 21, 2, 0}, {1, 22, 23, 24, 2}};
      long[][] qMask = {{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}};
      ParameterStore ps = new ParameterStore(nd, false);
      NDList in = new NDList(nd.create(pIds), nd.create(pTypes), nd.create(pMask), nd.create(qIds),
          nd.create(new long[2][5]), nd.create(qMask));
      NDList out = m.forward(ps, in, false);
      assertArrayEquals(new long[] {2, 9, 32}, out.get(0).getShape().getShape());
      assertArrayEquals(new long[] {2, 9, 2}, out.get(1).getShape().getShape());
      assertArrayEquals(new long[] {2, 32}, out.get(2).getShape().getShape());
      assertArrayEquals(new long[] {2, 32}, out.get(3).getShape().getShape());

      // token vectors = the phrase encoder's last hidden state
      NDArray h = m.phraseEncoder().forward(ps, new NDList(in.get(0), in.get(1), in.get(2)), false)
          .singletonOrThrow();
      assertTrue(h.allClose(out.get(0), 0, 1e-6, false));
      // q_start / q_end = [CLS] of the start / end question encoders, and the two differ (separate weights)
      NDArray qs = m.questionStartEncoder().forward(ps, new NDList(in.get(3), in.get(4), in.get(5)), false)
          .singletonOrThrow().get(new NDIndex(":, 0, :"));
      assertTrue(qs.allClose(out.get(2), 0, 1e-6, false));
      assertTrue(!out.get(2).allClose(out.get(3), 0, 1e-3, false));

      // padding does not change real tokens: row 0 alone, unpadded (8 tokens) gives the same vectors
      NDList alone = m.encodePassages(ps, nd.create(new long[][] {java.util.Arrays.copyOf(pIds[0], 8)}),
          nd.create(new long[][] {java.util.Arrays.copyOf(pTypes[0], 8)}), nd.create(new long[1][8]).add(1), false);
      NDArray padded = out.get(0).get(new NDIndex("0:1, 0:8, :"));
      assertTrue(alone.get(0).allClose(padded, 0, 1e-5, false), "padding changed token vectors");
    }
  }

  @Test
  void gradientsReachAllThreeEncodersAndTheFilter() {
    PhraseModel m = tiny(0.0f);
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 6, 4));
      ParameterStore ps = new ParameterStore(nd, false);
      NDList in = new NDList(nd.create(new long[][] {{1, 5, 2, 6, 7, 2}}), nd.create(new long[][] {{0, 0, 0, 1, 1, 1}}),
          nd.create(new long[][] {{1, 1, 1, 1, 1, 1}}), nd.create(new long[][] {{1, 8, 9, 2}}),
          nd.create(new long[1][4]), nd.create(new long[][] {{1, 1, 1, 1}}));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDList out = m.forward(ps, in, true);
        // start score of token 3 + end score of token 4 + filter logits: touches every part of the model
        NDArray h = out.get(0);
        NDArray score = h.get(new NDIndex("0, 3, :")).mul(out.get(2).get(0)).sum()
            .add(h.get(new NDIndex("0, 4, :")).mul(out.get(3).get(0)).sum()).add(out.get(1).sum());
        gc.backward(score);
      }
      int withGrad = 0;
      int total = 0;
      for (Pair<String, Parameter> p : m.getParameters()) {
        total++;
        if (p.getValue().getArray().getGradient().abs().sum().getFloat() > 0) {
          withGrad++;
        } else {
          // the only parameters allowed to have no gradient: embeddings of token types/positions not used
          assertTrue(p.getKey().contains("embedding"), p.getKey() + " got no gradient");
        }
      }
      assertTrue(withGrad > 0.9 * total, withGrad + " of " + total + " parameters got gradients");
      assertEquals(3 * (5 + 2 * 16) + 2, total);
    }
  }

  @Test
  void sharedLayoutHeadsStartAsTheIdentityOnOneQuestionEncoder() {
    PhraseModel m = PhraseModel.shared(new BertEncoderBlock(TINY, 0f), new BertEncoderBlock(TINY, 0f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch")) {
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 6, 4));
      assertTrue(m.isShared());
      ParameterStore ps = new ParameterStore(nd, false);
      NDList q = new NDList(nd.create(new long[][] {{1, 8, 9, 2}}), nd.create(new long[1][4]),
          nd.create(new long[][] {{1, 1, 1, 1}}));
      NDList out = m.encodeQuestions(ps, q.get(0), q.get(1), q.get(2), false);
      NDArray cls = m.questionStartEncoder().forward(ps, q, false).singletonOrThrow().get(new NDIndex(":, 0, :"));
      assertTrue(cls.allClose(out.get(0), 0, 1e-6, false));
      assertTrue(cls.allClose(out.get(1), 0, 1e-6, false));
      // the heads are what separates start from end
      m.questionHeads()[2].getArray().muli(2f);
      NDList out2 = m.encodeQuestions(ps, q.get(0), q.get(1), q.get(2), false);
      assertTrue(cls.mul(2f).allClose(out2.get(1), 0, 1e-5, false));
    }
  }
}
