package org.densephrases.model.augment;

/**
 * A span of a passage that a question could ask for: [start, end) in the passage's chars, and its type.
 *
 * @param text the span's text, equal to {@code passage.substring(start, end)}
 * @param start the span's first character in the passage
 * @param end one past the span's last character
 * @param type what kind of answer the span is (date, number, person...)
 */
public record CandidateAnswer(String text, int start, int end, AnswerType type) {
  /**
   * Checks the span.
   *
   * @throws IllegalArgumentException when {@code start < 0}, the span is empty, or {@code text} is not
   *     {@code end - start} characters long
   */
  public CandidateAnswer {
    if (start < 0 || end <= start || text.length() != end - start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ") for '" + text + "'");
    }
  }
}
