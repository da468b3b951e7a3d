package org.densephrases.app.serve;

import org.densephrases.index.search.Unit;

/**
 * What one request asks, checked: answers per question, grouping unit, longest answer in dump tokens.
 *
 * @param k answers per question, 1 to the server's max k
 * @param unit what an answer is (phrase, sentence, paragraph, document)
 * @param maxAnswerLength the longest answer, in dump tokens
 */
public record Query(int k, Unit unit, int maxAnswerLength) {}
