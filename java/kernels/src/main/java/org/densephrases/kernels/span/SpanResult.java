package org.densephrases.kernels.span;

/**
 * Span scores of one {@link SpanQuery}.
 *
 * @param candidateOther (question)(K): each candidate's best partner token (its end for START_TO_END, its start
 *     for END_TO_START), -1 for padding
 * @param candidateScore (question)(K): start score + end score of that span, -infinity for padding
 * @param topStart (question)(k) start tokens of the best spans, descending score (ties in any order), -1 when
 *     fewer than k candidates were valid
 * @param topEnd (question)(k) end tokens, -1 likewise
 * @param topScore (question)(k) scores, -infinity likewise
 * @param numQuestions Q
 * @param candidatesPerQuestion K
 * @param k spans returned per question
 */
public record SpanResult(
    int numQuestions,
    int candidatesPerQuestion,
    int k,
    long[] candidateOther,
    float[] candidateScore,
    long[] topStart,
    long[] topEnd,
    float[] topScore) {}
