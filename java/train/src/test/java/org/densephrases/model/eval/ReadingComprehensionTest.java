package org.densephrases.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.SquadAnswer;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's plumbing on a tiny random model: each prediction is the best span of its own paragraph, computed
 * independently here one window and one question at a time (no batching, no padding), and EM/F1 are those of the
 * predictions.
 */
class ReadingComprehensionTest {
  static final BertConfig TINY = new BertConfig(30522, 32, 2, 4, 64, 128, 2, 1e-12f);

  @Test
  void predictionsAreEachQuestionsBestSpanInItsOwnParagraph() {
    StringBuilder longCtx = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      longCtx.append("Line ").append(i).append(" mentions Zanzibar and Denver. ");
    }
    List<SquadParagraph> paras = new ArrayList<>();
    paras.add(new SquadParagraph("Super Bowl 50", "The Denver Broncos defeated the Carolina Panthers 24–10.", List.of(
        new SquadQuestion("q1", "Who won Super Bowl 50?", List.of(new SquadAnswer("Denver Broncos", 4, false))),
        new SquadQuestion("q2", "Who lost?", List.of(new SquadAnswer("Carolina Panthers", 32, false))))));
    paras.add(new SquadParagraph("Islands", longCtx.toString(), List.of(
        new SquadQuestion("q3", "Which island?", List.of(new SquadAnswer("Zanzibar", 16, false))))));
    paras.add(new SquadParagraph("Empty", " ", List.of(new SquadQuestion("q4", "Nothing?", List.of()))));
    SquadDataset data = new SquadDataset("inline", "1.1", paras);

    WindowConfig windows = new WindowConfig(48, 16, 8);
    var config = new ReadingComprehension.Config(windows, 16, 5, 3);
    PhraseModel m = new PhraseModel(new BertEncoderBlock(TINY, 0.1f), new BertEncoderBlock(TINY, 0.1f),
        new BertEncoderBlock(TINY, 0.1f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch");
        Tokenizer tok = Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource())) {
      Engine.getInstance().setRandomSeed(3);
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 48, 16));
      ReadingComprehension rc = new ReadingComprehension(m, tok, config);
      ReadingComprehension.Report report = rc.evaluate(data, nd);
      Map<String, ReadingComprehension.Prediction> preds = report.predictions();
      assertEquals(4, preds.size());
      assertEquals("", preds.get("q4").text());
      assertTrue(report.windows() > 3);

      PassageEncoder pe = new PassageEncoder(tok, windows);
      QuestionEncoder qe = new QuestionEncoder(tok, 16);
      ParameterStore ps = new ParameterStore(nd, false);
      for (SquadParagraph p : paras.subList(0, 2)) {
        EncodedPassage enc = pe.encode(p.title(), p.context());
        for (SquadQuestion q : p.questions()) {
          long[] qIds = qe.encode(q.question());
          NDList qv = m.encodeQuestions(ps, nd.create(new long[][] {qIds}), nd.create(new long[1][qIds.length]),
              nd.create(new long[1][qIds.length]).add(1), false);
          float[] qs = qv.get(0).toFloatArray();
          float[] qend = qv.get(1).toFloatArray();
          float best = Float.NEGATIVE_INFINITY;
          String bestText = null;
          for (PassageWindow w : enc.windows()) {
            float[] h = m.encodePassages(ps, nd.create(new long[][] {w.ids()}), nd.create(new long[][] {w.typeIds()}),
                nd.create(new long[1][w.length()]).add(1), false).get(0).toFloatArray();
            for (int i = 0; i < w.count(); i++) {
              if (!w.maxContext()[i]) {
                continue;
              }
              for (int j = i; j < w.count() && j - i < 5; j++) {
                float s = dot(h, w.contextOffset() + i, qs) + dot(h, w.contextOffset() + j, qend);
                if (s > best + 1e-4f) {
                  best = s;
                  bestText = enc.spanText(w.firstContextToken() + i, w.firstContextToken() + j);
                }
              }
            }
          }
          ReadingComprehension.Prediction got = preds.get(q.id());
          assertEquals(best, got.score(), 1e-3f, q.id());
          assertEquals(bestText, got.text(), q.id());
          assertTrue(p.context().contains(got.text()));
        }
      }
      Map<String, String> texts = new java.util.HashMap<>();
      preds.forEach((k, v) -> texts.put(k, v.text()));
      assertEquals(SquadMetrics.evaluate(data, texts), report.metrics());
    }
  }

  @Test
  void filterThresholdsReportKeptFractionAndFilteredAnswers() {
    List<SquadParagraph> paras = List.of(
        new SquadParagraph("Super Bowl 50", "The Denver Broncos defeated the Carolina Panthers 24–10 in Santa Clara.",
            List.of(new SquadQuestion("q1", "Who won?", List.of(new SquadAnswer("Denver Broncos", 4, false))),
                new SquadQuestion("q2", "Where?", List.of(new SquadAnswer("Santa Clara", 60, false))))),
        new SquadParagraph("Rivers", "The Nile flows north through Egypt into the Mediterranean Sea.",
            List.of(new SquadQuestion("q3", "Which sea?", List.of(new SquadAnswer("Mediterranean Sea", 44, false))))));
    SquadDataset data = new SquadDataset("inline", "1.1", paras);
    float[] thresholds = {Float.NEGATIVE_INFINITY, -0.05f, 0f, 0.05f, Float.POSITIVE_INFINITY};
    var config = new ReadingComprehension.Config(new WindowConfig(48, 16, 8), 16, 5, 2, thresholds);
    PhraseModel m = new PhraseModel(new BertEncoderBlock(TINY, 0.1f), new BertEncoderBlock(TINY, 0.1f),
        new BertEncoderBlock(TINY, 0.1f));
    try (NDManager nd = NDManager.newBaseManager("PyTorch");
        Tokenizer tok = Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource())) {
      Engine.getInstance().setRandomSeed(5);
      m.initialize(nd, DataType.FLOAT32, PhraseModel.inputShapes(1, 48, 16));
      ReadingComprehension.Report r = new ReadingComprehension(m, tok, config).evaluate(data, nd);
      List<ReadingComprehension.FilterPoint> pts = r.filter();
      assertEquals(thresholds.length, pts.size());
      // No filter: every token kept and the same answers as the unfiltered evaluation.
      assertEquals(1.0, pts.get(0).keptFraction(), 0.0);
      assertEquals(r.metrics(), pts.get(0).metrics());
      // Everything filtered: nothing kept, no answer can be right.
      assertEquals(0.0, pts.get(thresholds.length - 1).keptFraction(), 0.0);
      assertEquals(0.0, pts.get(thresholds.length - 1).metrics().f1(), 0.0);
      for (int t = 1; t < pts.size(); t++) {
        assertTrue(pts.get(t).keptFraction() <= pts.get(t - 1).keptFraction(), "kept fraction must not grow");
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> new ReadingComprehension.Config(new WindowConfig(48, 16, 8), 16, 5, 2, new float[] {Float.NaN}));
  }

  private static float dot(float[] h, int row, float[] q) {
    float s = 0;
    for (int d = 0; d < q.length; d++) {
      s += h[row * q.length + d] * q[d];
    }
    return s;
  }
}
