package org.densephrases.index.search;

import java.util.List;

/**
 * One search result.
 *
 * @param text the answer phrase, {@code documentText.substring(charStart, charEnd)}
 * @param score q_start . v_start + q_end . v_end, from the dump's vectors
 * @param docId the corpus id of the document
 * @param title its title
 * @param doc the global document number in the dump
 * @param charStart first character of the answer in the document text (UTF-16 code units)
 * @param charEnd one past its last character
 * @param evidence the sentence(s) holding the answer; for the paragraph and document units, the whole document text
 * @param evidenceStart where the evidence starts in the document text
 * @param startToken global token id of the phrase start
 * @param endToken global token id of the phrase end
 * @param unit the unit the result stands for
 * @param sources phrase unit: other documents where the same answer (normalised text) was found, best first, at
 *     most {@value #MAX_SOURCES}; empty for the other units
 */
public record Answer(
    String text,
    float score,
    String docId,
    String title,
    int doc,
    int charStart,
    int charEnd,
    String evidence,
    int evidenceStart,
    long startToken,
    long endToken,
    Unit unit,
    List<Source> sources) {
  /** At most this many other sources are kept per answer. */
  public static final int MAX_SOURCES = 10;

  /** Copies the source list. */
  public Answer {
    sources = List.copyOf(sources);
  }

  /**
   * An answer without other sources.
   *
   * @param text the answer phrase
   * @param score the span score
   * @param docId the corpus id of the document
   * @param title its title
   * @param doc the global document number
   * @param charStart first character of the answer in the document text
   * @param charEnd one past its last character
   * @param evidence the sentence(s) holding the answer
   * @param evidenceStart where the evidence starts in the document text
   * @param startToken global token id of the phrase start
   * @param endToken global token id of the phrase end
   * @param unit the unit the result stands for
   */
  public Answer(String text, float score, String docId, String title, int doc, int charStart, int charEnd,
      String evidence, int evidenceStart, long startToken, long endToken, Unit unit) {
    this(text, score, docId, title, doc, charStart, charEnd, evidence, evidenceStart, startToken, endToken, unit,
        List.of());
  }

  /**
   * Another place the same answer was found.
   *
   * @param text the answer's text there (equal to the answer's up to case, punctuation and articles)
   * @param score its span score
   * @param docId the document's corpus id
   * @param title its title
   * @param charStart first character of the answer in that document
   * @param charEnd one past its last character
   * @param evidence the sentence holding it
   * @param evidenceStart where the evidence starts in that document
   */
  public record Source(String text, float score, String docId, String title, int charStart, int charEnd,
      String evidence, int evidenceStart) {
    /**
     * Where the answer lies in the evidence string.
     *
     * @return the answer's first character in {@link #evidence()}, {@code charStart - evidenceStart}
     */
    public int startInEvidence() {
      return charStart - evidenceStart;
    }
  }

  /**
   * Where the answer lies in the evidence string.
   *
   * @return the answer's first character in {@link #evidence()}, {@code charStart - evidenceStart}
   */
  public int startInEvidence() {
    return charStart - evidenceStart;
  }
}
