package org.densephrases.model.data;

import java.util.List;

/**
 * A SQuAD v1.1 file, flattened to paragraphs in file order.
 *
 * @param source the file it was read from
 * @param version the file's {@code version} field
 * @param paragraphs every paragraph, in file order
 */
public record SquadDataset(String source, String version, List<SquadParagraph> paragraphs) {

  /** {@return the number of questions over all paragraphs} */
  public int numQuestions() {
    return paragraphs.stream().mapToInt(p -> p.questions().size()).sum();
  }

  /** {@return the number of reference answers over all questions} */
  public int numAnswers() {
    return paragraphs.stream().flatMap(p -> p.questions().stream()).mapToInt(q -> q.answers().size()).sum();
  }
}
