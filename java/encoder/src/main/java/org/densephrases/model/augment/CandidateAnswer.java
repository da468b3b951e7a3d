package org.densephrases.model.augment;

/** A span of a passage that a question could ask for: [start, end) in the passage's chars, and its type. */
public record CandidateAnswer(String text, int start, int end, AnswerType type) {
  public CandidateAnswer {
    if (start < 0 || end <= start || text.length() != end - start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ") for '" + text + "'");
    }
  }
}
