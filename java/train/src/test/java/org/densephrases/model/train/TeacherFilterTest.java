package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.densephrases.model.augment.AnswerType;
import org.densephrases.model.augment.AugmentFilter;
import org.densephrases.model.augment.CandidateAnswer;
import org.densephrases.model.augment.GeneratedQuestion;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.teacher.CrossEncoderTeacher;
import org.densephrases.model.teacher.TeacherReader;
import org.densephrases.model.teacher.TeacherTrainer;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The augmentation filter with a real (tiny, briefly trained) teacher: the share of questions it keeps is the
 * teacher's exact match on the same questions, and every kept question is one the teacher's evaluation answers right.
 */
class TeacherFilterTest {
  @TempDir Path tmp;

  @Test
  void theFilterKeepsWhatTheTeachersEvaluationCountsAsExact() throws Exception {
    Path train = TinyRuns.squadFile(tmp);
    TrainConfig c = TinyRuns.config(train);
    SquadDataset data = SquadReader.read(train);
    try (TeacherTrainer t = new TeacherTrainer(c, tmp.resolve("teacher"), new PrintStream(new ByteArrayOutputStream()),
        () -> new CrossEncoderTeacher(new BertEncoderBlock(TinyRuns.TINY, 0.1f)),
        Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource()))) {
      t.train(t.examples(data), 3);
      var predictions = t.predictions(data, 30, 64);
      SquadMetrics.Result em = SquadMetrics.evaluate(data, predictions);
      List<AugmentFilter.Paragraph> asked = new ArrayList<>();
      int k = 0;
      for (var p : data.paragraphs()) {
        List<GeneratedQuestion> qs = new ArrayList<>();
        for (var q : p.questions()) {
          var a = q.answers().get(0);
          qs.add(new GeneratedQuestion(q.question(), new CandidateAnswer(a.text(), a.charStart(), a.charEnd(),
              AnswerType.ENTITY)));
        }
        asked.add(new AugmentFilter.Paragraph("p" + k++, p.title(), p.context(), qs));
      }
      AugmentFilter.Result r = new AugmentFilter(TeacherReader.of(t)).filter(asked);
      assertEquals(data.numQuestions(), r.generated());
      assertEquals(Math.round(em.exactMatch() * r.generated() / 100), r.keptCount());
      for (var p : r.kept().paragraphs()) {
        for (var q : p.questions()) {
          String gold = q.answers().get(0).text();
          assertTrue(predictions.values().stream().anyMatch(x -> SquadMetrics.exactMatch(x, gold)), gold);
        }
      }
    }
  }
}
