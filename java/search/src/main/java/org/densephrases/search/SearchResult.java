package org.densephrases.search;

import java.util.List;
import org.densephrases.index.search.Answer;

/**
 * The answers to one question.
 *
 * @param question the question as searched (trimmed)
 * @param answers best first, at most k; each with its text, score, document id and title, character offsets in the
 *     document, and the evidence sentence
 * @param encodeMs milliseconds spent encoding the batch this question was part of
 * @param searchMs milliseconds spent searching that batch (both stages and the grouping)
 * @param batchSize the questions of that batch
 */
public record SearchResult(String question, List<Answer> answers, double encodeMs, double searchMs, int batchSize) {
  /** Keeps an unmodifiable copy of the answers. */
  public SearchResult {
    answers = List.copyOf(answers);
  }
}
