package org.densephrases.model.data;

/**
 * One line of the corpus JSONL: {@code {"id", "title", "text"}}.
 *
 * @param id the paragraph id, unique in the corpus
 * @param title the article title
 * @param text the paragraph text
 */
public record CorpusParagraph(String id, String title, String text) {}
