package org.densephrases.model.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.densephrases.model.data.SquadAnswer;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.eval.SquadMetrics;

/**
 * The paper's filter: a reader answers each generated question from its own passage, and a question is kept only
 * when the reader's answer equals the generated answer after SQuAD normalisation (exact match).
 */
public final class AugmentFilter {
  /** Answers the questions of a SQuAD dataset, each from its paragraph: question id -> answer text. */
  public interface Reader {
    Map<String, String> answer(SquadDataset questions);
  }

  /** A paragraph and the questions generated for it (ids unique over the whole run). */
  public record Paragraph(String id, String title, String context, List<GeneratedQuestion> questions) {}

  /** The kept questions as a SQuAD dataset (one answer each, its offset the generated span's), all asked, counts. */
  public record Result(SquadDataset kept, SquadDataset asked, int generated, int keptCount) {}

  private final Reader reader;

  public AugmentFilter(Reader reader) {
    this.reader = reader;
  }

  public Result filter(List<Paragraph> paragraphs) {
    List<SquadParagraph> all = new ArrayList<>();
    for (Paragraph p : paragraphs) {
      List<SquadQuestion> qs = new ArrayList<>();
      for (int i = 0; i < p.questions().size(); i++) {
        GeneratedQuestion g = p.questions().get(i);
        qs.add(new SquadQuestion(p.id() + "-q" + i, g.question(),
            List.of(new SquadAnswer(g.answer().text(), g.answer().start(), false))));
      }
      all.add(new SquadParagraph(p.title(), p.context(), qs));
    }
    SquadDataset asked = new SquadDataset("augment", "1.1", all);
    Map<String, String> answers = reader.answer(asked);
    List<SquadParagraph> kept = new ArrayList<>();
    int generated = 0;
    int keptCount = 0;
    for (SquadParagraph p : all) {
      List<SquadQuestion> ok = new ArrayList<>();
      for (SquadQuestion q : p.questions()) {
        generated++;
        String a = answers.get(q.id());
        if (a != null && SquadMetrics.exactMatch(a, q.answers().get(0).text())) {
          ok.add(q);
        }
      }
      keptCount += ok.size();
      if (!ok.isEmpty()) {
        kept.add(new SquadParagraph(p.title(), p.context(), ok));
      }
    }
    return new Result(new SquadDataset("augment", "1.1", kept), asked, generated, keptCount);
  }
}
