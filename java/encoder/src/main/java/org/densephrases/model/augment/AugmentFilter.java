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
    /**
     * Answers every question of {@code questions} from its own paragraph.
     *
     * @param questions the generated questions, as a SQuAD dataset
     * @return question id to the reader's answer text (a question may be missing when the reader gives no answer)
     */
    Map<String, String> answer(SquadDataset questions);
  }

  /**
   * A paragraph and the questions generated for it (ids unique over the whole run).
   *
   * @param id the paragraph id; question ids are derived from it ({@code id-qN})
   * @param title the article title
   * @param context the paragraph text
   * @param questions the questions generated for this paragraph
   */
  public record Paragraph(String id, String title, String context, List<GeneratedQuestion> questions) {}

  /**
   * The kept questions as a SQuAD dataset (one answer each, its offset the generated span's), all asked, counts.
   *
   * @param kept the questions the reader answered with their generated answer
   * @param asked every generated question, as asked of the reader
   * @param generated the number of questions generated
   * @param keptCount the number of questions kept
   */
  public record Result(SquadDataset kept, SquadDataset asked, int generated, int keptCount) {}

  private final Reader reader;

  /**
   * A filter that asks {@code reader}.
   *
   * @param reader the reading-comprehension model that answers the generated questions
   */
  public AugmentFilter(Reader reader) {
    this.reader = reader;
  }

  /**
   * Asks the reader every generated question and keeps those it answers exactly as generated.
   *
   * @param paragraphs the paragraphs with their generated questions
   * @return the kept and asked datasets with their counts
   */
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
