package org.densephrases.app.serve;

import org.densephrases.index.search.Unit;

/**
 * What one request asks, checked: answers per question, grouping unit, longest answer in dump tokens.
 */
public record Query(int k, Unit unit, int maxAnswerLength) {}
