package org.densephrases.model.data;

import java.util.List;

/** A question with one (train) or several (dev) reference answers. */
public record SquadQuestion(String id, String question, List<SquadAnswer> answers) {
  public List<String> answerTexts() {
    return answers.stream().map(SquadAnswer::text).toList();
  }
}
