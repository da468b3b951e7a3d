package org.densephrases.model.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.data.SquadReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter keeps exactly the questions a reader answers right (SQuAD-normalised), and the file reads back. */
class AugmentFilterTest {
  @TempDir Path dir;

  private static List<AugmentFilter.Paragraph> paragraphs() {
    Lexicon lex = QuestionGeneratorContractTest.lexicon();
    AnswerExtractor ex = new AnswerExtractor(lex);
    RuleQuestionGenerator gen = new RuleQuestionGenerator(lex);
    List<AugmentFilter.Paragraph> out = new java.util.ArrayList<>();
    int k = 0;
    for (String p : QuestionGeneratorContractTest.KNOWN.stream().map(QuestionGeneratorContractTest.Known::passage)
        .distinct().toList()) {
      List<GeneratedQuestion> qs = ex.extract(p).stream().flatMap(c -> gen.generate(p, c).stream()).toList();
      out.add(new AugmentFilter.Paragraph("p" + k++, "T", p, qs));
    }
    return out;
  }

  @Test
  void aReaderThatIsRightOnEveryOtherQuestionKeepsExactlyThose() throws Exception {
    List<AugmentFilter.Paragraph> ps = paragraphs();
    Map<String, String> right = new HashMap<>();
    AugmentFilter.Reader stub = data -> {
      Map<String, String> m = new HashMap<>();
      int i = 0;
      for (var p : data.paragraphs()) {
        for (SquadQuestion q : p.questions()) {
          String gold = q.answers().get(0).text();
          // right answers differ from the gold only by case, articles and punctuation
          String a = i++ % 2 == 0 ? "The " + gold.toUpperCase() + "." : gold + " x";
          if (a.startsWith("The ")) {
            right.put(q.id(), gold);
          }
          m.put(q.id(), a);
        }
      }
      return m;
    };
    AugmentFilter.Result r = new AugmentFilter(stub).filter(ps);
    int generated = ps.stream().mapToInt(p -> p.questions().size()).sum();
    assertEquals(generated, r.generated());
    assertEquals(right.size(), r.keptCount());
    Map<String, String> kept = new HashMap<>();
    r.kept().paragraphs().forEach(p -> p.questions().forEach(q -> kept.put(q.id(), q.answers().get(0).text())));
    assertEquals(right, kept);

    Path f = dir.resolve("aug.json.gz");
    AugmentedSquad.write(r.kept(), f);
    SquadDataset back = SquadReader.read(f);
    assertEquals(r.keptCount(), back.numQuestions());
    back.paragraphs().forEach(p -> p.questions().forEach(q -> assertEquals(q.answers().get(0).text(),
        p.context().substring(q.answers().get(0).charStart(), q.answers().get(0).charEnd()))));
    assertEquals(false, Files.exists(dir.resolve("aug.json.gz.tmp")));
  }

  @Test
  void aReaderThatIsAlwaysWrongOrSilentKeepsNothing() {
    List<AugmentFilter.Paragraph> ps = paragraphs();
    AugmentFilter.Result wrong = new AugmentFilter(data -> {
      Map<String, String> m = new HashMap<>();
      data.paragraphs().forEach(p -> p.questions().forEach(q -> m.put(q.id(), "nothing like it")));
      return m;
    }).filter(ps);
    assertEquals(0, wrong.keptCount());
    assertEquals(0, new AugmentFilter(data -> Map.of()).filter(ps).keptCount());
    assertEquals(true, wrong.generated() > 5);
  }
}
