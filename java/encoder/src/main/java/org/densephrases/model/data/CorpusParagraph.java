package org.densephrases.model.data;

/** One line of the corpus JSONL: {@code {"id", "title", "text"}}. */
public record CorpusParagraph(String id, String title, String text) {}
