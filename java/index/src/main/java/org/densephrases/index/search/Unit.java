package org.densephrases.index.search;

import java.util.Locale;

/** What a search result stands for: answers are grouped by it and each group's best span is kept. */
public enum Unit {
  /** One result per distinct answer text (normalised: case, whitespace, punctuation at the ends). */
  PHRASE,
  /** One result per sentence of a document (the sentence holding the answer's start). */
  SENTENCE,
  /** One result per dump document (a paragraph of the SQuAD corpus). */
  PARAGRAPH,
  /** One result per article: documents grouped by title (by id when the title is empty). */
  DOCUMENT;

  /**
   * Parses "phrase", "sentence", "paragraph" or "document" (any case).
   *
   * @param s the unit's name
   * @return the unit whose name matches, ignoring case and surrounding spaces
   * @throws IllegalArgumentException when {@code s} names no unit
   */
  public static Unit parse(String s) {
    if (s != null) {
      for (Unit u : values()) {
        if (u.name().equalsIgnoreCase(s.trim())) {
          return u;
        }
      }
    }
    throw new IllegalArgumentException("unknown unit '" + s + "': expected phrase, sentence, paragraph or document");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
