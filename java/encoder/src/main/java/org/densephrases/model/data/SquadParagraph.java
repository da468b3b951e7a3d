package org.densephrases.model.data;

import java.util.List;

/**
 * A context paragraph and its questions. {@code title} is the article title with underscores turned into spaces
 * ("Super_Bowl_50" -> "Super Bowl 50"), which is how the corpus JSONL spells the same titles, so a passage is encoded
 * the same way for training and for the dump.
 *
 * @param title the article title, underscores turned into spaces
 * @param context the paragraph text
 * @param questions its questions, in file order
 */
public record SquadParagraph(String title, String context, List<SquadQuestion> questions) {}
