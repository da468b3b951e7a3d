package org.densephrases.kernels.span;

import java.util.HashSet;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;

/**
 * Kernel family 1: fused start/end span scoring.
 *
 * <p>For a start candidate i of question q, the best end j maximises {@code qEnd . v_j} over
 * {@code j in [i, min(i + L, docEnd(i)))}; the span score is {@code qStart . v_i + qEnd . v_j}. The mirror
 * direction takes end candidates and searches starts in {@code (max(j - L, docStart(j) - 1), j]}. Ties in the
 * partner go to the one nearest the candidate. Then the k best spans of each question, descending.
 *
 * <p>This base class validates every call the same way for every backend; subclasses implement
 * {@link #compute}. Implementations: {@code ScalarSpanScorer} (the reference), {@code SimdSpanScorer},
 * {@code CudaSpanScorer}.
 */
public abstract class SpanScorer {
  /** For backends. */
  protected SpanScorer() {}


  /**
   * Makes the token table resident for this backend. The caller closes it.
   *
   * @param tokens the dump's token vectors
   * @param docStarts (doc+1) token starts of the documents
   * @return a table for {@link #score} (a device copy on CUDA)
   */
  public TokenTable load(EncodedVectors tokens, long[] docStarts) {
    return TokenTable.host(tokens, docStarts);
  }

  /**
   * Scores the spans of every candidate and returns the best k per question.
   *
   * @param table the token table (from {@link #load})
   * @param query the questions and candidates
   * @return each candidate's best partner and score, and the top k spans per question
   * @throws IllegalArgumentException when the query does not fit the table (dimension, token ids)
   */
  public final SpanResult score(TokenTable table, SpanQuery query) {
    check(table, query);
    return compute(table, query);
  }

  protected abstract SpanResult compute(TokenTable table, SpanQuery query);

  private static void check(TokenTable table, SpanQuery q) {
    Checks.require(table != null, "token table is null");
    Checks.require(
        q.dim() == table.dim(), "question dim " + q.dim() + " does not match the token table's dim " + table.dim());
    Checks.checkFinite("qStart", q.qStart());
    Checks.checkFinite("qEnd", q.qEnd());
    long n = table.numTokens();
    long[] c = q.candidates();
    int kc = q.candidatesPerQuestion();
    HashSet<Long> seen = new HashSet<>();
    for (int qi = 0; qi < q.numQuestions(); qi++) {
      seen.clear();
      for (int j = 0; j < kc; j++) {
        long id = c[qi * kc + j];
        if (id == -1) {
          continue;
        }
        if (id < 0 || id >= n) {
          throw new IllegalArgumentException(
              "candidate " + id + " of question " + qi + " is out of range [0, " + n + ") (use -1 for padding)");
        }
        if (!seen.add(id)) {
          throw new IllegalArgumentException("candidate " + id + " appears twice for question " + qi);
        }
      }
    }
  }
}
