package org.densephrases.model.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.export.ModelSources;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two engines behind the app's encoder API give the same dump documents (vectors, filter scores, offsets: the
 * windowing and max-context code is shared) and question vectors, on an export of pretrained MiniLM (shared layout,
 * fp16) with a paragraph long enough for several windows; and --encoder is checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PhraseEncodersTest {
  @TempDir static Path tmp;
  Path modelDir;

  @BeforeAll
  void export() throws IOException {
    modelDir = tmp.resolve("model");
    try (PhraseModelFile.Loaded l = ModelSources.pretrained("all-minilm-l6-v2", "shared")) {
      l.model().filterHead()[0].getArray().muli(50f); // filter logits well away from 0, so a mix-up would show
      PhraseModelFile.write(l.model(), "test-export", l.meta(), PhraseModelFile.Dtype.FP16,
          Tokenizer.resourceBytes(PretrainedModels.MINILM_L6.tokenizerResource()), modelDir);
    }
  }

  static List<CorpusParagraph> paragraphs() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append("In year ").append(1800 + i).append(" the river town of Millbrook built bridge number ").append(i)
          .append(" across the Green River. ");
    }
    return List.of(
        new CorpusParagraph("p-paris", "Paris", "Paris is the capital and most populous city of France. The Eiffel"
            + " Tower was completed in 1889 for the World's Fair."),
        new CorpusParagraph("p-bridges", "Millbrook", sb.toString().strip()),
        new CorpusParagraph("p-empty", "Nothing", ""),
        new CorpusParagraph("p-moon", "Moon", "Neil Armstrong was the first person to walk on the Moon."));
  }

  private static void close(String what, float[] want, float[] got) {
    assertEquals(want.length, got.length, what);
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(want[i]));
      maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
    }
    assertTrue(maxDiff < 1e-3 * Math.max(1, maxAbs), what + ": max diff " + maxDiff + " of max " + maxAbs);
  }

  @Test
  void javaAndDjlEnginesGiveTheSameDocumentsAndQuestions() throws IOException {
    String spec = modelDir.toString();
    try (PhraseEncoder djl = EncoderModel.load(spec, "djl", 0);
        PhraseEncoder jv = EncoderModel.load(spec, "java", 2);
        PhraseEncoder auto = EncoderModel.load(spec)) {
      assertEquals("djl", djl.engine());
      assertEquals("java", jv.engine());
      assertEquals("java", auto.engine(), "auto runs an export with the java engine");
      assertEquals("test-export", jv.id());
      assertEquals(djl.id(), jv.id());
      assertEquals(djl.dim(), jv.dim());
      assertEquals(djl.windows(), jv.windows());
      assertEquals(djl.maxQuestionTokens(), jv.maxQuestionTokens());
      List<CorpusParagraph> paras = paragraphs();
      List<EncodedDocument> a = djl.encodeDocuments(paras, 3);
      List<EncodedDocument> b = jv.encodeDocuments(paras, 3);
      assertEquals(paras.size(), b.size());
      assertTrue(b.get(1).numTokens() > jv.windows().maxLength(), "the long paragraph needs several windows");
      assertEquals(0, b.get(2).numTokens());
      for (int i = 0; i < paras.size(); i++) {
        assertEquals(a.get(i).numTokens(), b.get(i).numTokens());
        assertArrayEquals(a.get(i).charStart(), b.get(i).charStart());
        assertArrayEquals(a.get(i).charEnd(), b.get(i).charEnd());
        close(paras.get(i).id() + " vectors", a.get(i).vectors(), b.get(i).vectors());
        close(paras.get(i).id() + " filter", a.get(i).filterScores(), b.get(i).filterScores());
      }
      List<String> qs = List.of("When was the Eiffel Tower completed?", "Who walked on the Moon?",
          "which " + "very ".repeat(80) + "old bridge?");
      float[][] qa = djl.encodeQuestions(qs, 2);
      float[][] qb = jv.encodeQuestions(qs, 2);
      close("q_start", qa[0], qb[0]);
      close("q_end", qa[1], qb[1]);
      // the batch size does not change a question's vectors
      float[][] one = jv.encodeQuestions(qs.subList(1, 2), 1);
      close("q_start alone", java.util.Arrays.copyOfRange(qb[0], jv.dim(), 2 * jv.dim()), one[0]);
    }
  }

  @Test
  void encoderOptionIsChecked() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EncoderModel.load("all-minilm-l6-v2", "java", 0));
    assertTrue(e.getMessage().contains("--encoder java runs exported models only"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> EncoderModel.resolveEngine("x/y", "onnx"));
    assertTrue(e.getMessage().contains("unknown engine 'onnx'"), e.getMessage());
    assertEquals("djl", EncoderModel.resolveEngine("all-minilm-l6-v2", "auto"));
    assertEquals("java", EncoderModel.resolveEngine(modelDir.toString(), "auto"));
    assertEquals("djl", EncoderModel.resolveEngine(modelDir.toString(), "DJL"));
  }
}
