package org.densephrases.model.augment;

import java.util.Optional;

/**
 * Writes a question whose answer is a given span of a passage. Implementations: {@link RuleQuestionGenerator}
 * (offline, clause rewriting); a seq2seq model (the paper's T5) would be another. Empty when no well-formed question
 * can be written for that span.
 */
public interface QuestionGenerator {
  /**
   * Writes a question whose answer is {@code answer}.
   *
   * @param passage the passage the answer comes from
   * @param answer a span of {@code passage}
   * @return the question, or empty when none can be written for that span
   */
  Optional<GeneratedQuestion> generate(String passage, CandidateAnswer answer);
}
