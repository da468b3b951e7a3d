package org.densephrases.model.data;

import java.util.List;

/** A SQuAD v1.1 file, flattened to paragraphs in file order. */
public record SquadDataset(String source, String version, List<SquadParagraph> paragraphs) {

  public int numQuestions() {
    return paragraphs.stream().mapToInt(p -> p.questions().size()).sum();
  }

  public int numAnswers() {
    return paragraphs.stream().flatMap(p -> p.questions().stream()).mapToInt(q -> q.answers().size()).sum();
  }
}
