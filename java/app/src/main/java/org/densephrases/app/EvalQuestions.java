package org.densephrases.app;

import java.util.ArrayList;
import java.util.List;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;

/** The evaluation questions of eval-open and the drift benchmark: SQuAD dev questions with their gold answers. */
public final class EvalQuestions {
  private EvalQuestions() {}

  /**
   * One evaluated question.
   *
   * @param id the SQuAD question id
   * @param text the question
   * @param answers the gold answer texts
   * @param context the paragraph that holds the answer
   */
  public record Q(String id, String text, List<String> answers, String context) {}

  /**
   * The dev questions in file order; with a limit, n of them spread evenly (every (total/n)-th).
   *
   * @param data a SQuAD file's content
   * @param limit how many (0 or negative: all)
   * @return the questions
   */
  public static List<Q> questions(SquadDataset data, int limit) {
    List<Q> all = new ArrayList<>();
    for (SquadParagraph p : data.paragraphs()) {
      for (SquadQuestion q : p.questions()) {
        all.add(new Q(q.id(), q.question(), q.answerTexts(), p.context()));
      }
    }
    if (limit <= 0 || limit >= all.size()) {
      return all;
    }
    List<Q> out = new ArrayList<>(limit);
    for (int i = 0; i < limit; i++) {
      out.add(all.get((int) ((long) i * all.size() / limit)));
    }
    return out;
  }
}
