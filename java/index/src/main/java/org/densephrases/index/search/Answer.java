package org.densephrases.index.search;

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
 * @param evidence the sentence(s) holding the answer
 * @param evidenceStart where the evidence starts in the document text
 * @param startToken global token id of the phrase start
 * @param endToken global token id of the phrase end
 * @param unit the unit the result stands for
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
    Unit unit) {
  /** Where the answer lies in the evidence string. */
  public int startInEvidence() {
    return charStart - evidenceStart;
  }
}
