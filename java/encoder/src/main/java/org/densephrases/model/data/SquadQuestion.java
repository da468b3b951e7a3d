package org.densephrases.model.data;

import java.util.List;

/**
 * A question with one (train) or several (dev) reference answers.
 *
 * @param id the question id
 * @param question the question text
 * @param answers the reference answers, in file order
 */
public record SquadQuestion(String id, String question, List<SquadAnswer> answers) {
  /** {@return the reference answer texts, in order} */
  public List<String> answerTexts() {
    return answers.stream().map(SquadAnswer::text).toList();
  }
}
