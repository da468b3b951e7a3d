package org.densephrases.model.data;

/**
 * A reference answer. {@code charStart} is a Java string index into the paragraph's context (the file's
 * {@code answer_start} counts Unicode code points, as Python does; the reader converts).
 *
 * @param ambiguousStart the answer text occurs more than once in the context, so {@code charStart} (its first
 *     occurrence) may not be the occurrence the annotator marked
 * @param text the answer text
 * @param charStart its first character in the context (Java string index)
 */
public record SquadAnswer(String text, int charStart, boolean ambiguousStart) {
  /** {@return one past the answer's last character, {@code charStart + text.length()}} */
  public int charEnd() {
    return charStart + text.length();
  }
}
