package org.densephrases.kernels.span;

import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelLimits;

/**
 * One batch of span-scoring work: per question a start vector, an end vector, and candidate token ids.
 *
 * @param qStart (question)(dim) start vectors
 * @param qEnd (question)(dim) end vectors
 * @param numQuestions Q
 * @param candidates (question)(candidatesPerQuestion) global token ids; -1 is padding; unique within a question
 * @param candidatesPerQuestion K
 * @param maxAnswerLength L: a span covers at most L tokens
 * @param direction whether candidates are starts or ends
 * @param k how many spans to return per question
 */
public record SpanQuery(
    float[] qStart,
    float[] qEnd,
    int numQuestions,
    long[] candidates,
    int candidatesPerQuestion,
    int maxAnswerLength,
    Direction direction,
    int k) {
  /**
   * Checks the sizes and ranges.
   *
   * @throws IllegalArgumentException when a size is out of range or the arrays do not fit together
   */
  public SpanQuery {
    Checks.require(numQuestions >= 1, "numQuestions must be >= 1, got " + numQuestions);
    Checks.checkRange("candidatesPerQuestion", candidatesPerQuestion, 1, KernelLimits.MAX_CANDIDATES);
    Checks.checkRange("maxAnswerLength", maxAnswerLength, 1, KernelLimits.MAX_ANSWER_LENGTH);
    Checks.checkK(k);
    Checks.require(direction != null, "direction is null");
    Checks.require(qStart != null && qEnd != null, "question vectors are null");
    Checks.require(qStart.length == qEnd.length, "qStart and qEnd differ in length");
    Checks.require(qStart.length % numQuestions == 0, "qStart length is not a multiple of numQuestions");
    Checks.checkLength("candidates", candidates, (long) numQuestions * candidatesPerQuestion);
  }

  /** {@return the vector dimension} */
  public int dim() {
    return qStart.length / numQuestions;
  }
}
