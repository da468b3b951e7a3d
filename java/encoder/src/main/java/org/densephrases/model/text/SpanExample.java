package org.densephrases.model.text;

/**
 * One training example for single-passage span extraction: a question and the window of its paragraph that holds the
 * gold answer.
 *
 * @param paragraph index of the paragraph in the dataset
 * @param window index into that passage's windows
 * @param start window position of the answer's first token
 * @param end window position of the answer's last token (inclusive)
 * @param exact the token span begins and ends exactly at the answer's characters
 * @param questionId the question's id in the dataset
 * @param question the question text
 */
public record SpanExample(String questionId, String question, int paragraph, int window, int start, int end,
    boolean exact) {}
