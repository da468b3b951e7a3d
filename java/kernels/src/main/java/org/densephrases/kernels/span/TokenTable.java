package org.densephrases.kernels.span;

import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;

/**
 * The dump's token vectors and document boundaries, made resident for one backend by {@link SpanScorer#load}.
 * Java backends keep a view of the host data; the CUDA backend adds a device copy that {@link #close()} frees.
 *
 * <p>{@code docStarts} has num_docs + 1 entries: ascending (a document may not be empty), first 0, last the token
 * count. Token t belongs to the document d with docStarts[d] &lt;= t &lt; docStarts[d + 1].
 */
public class TokenTable implements AutoCloseable {
  private final EncodedVectors tokens;
  private final long[] docStarts;

  protected TokenTable(EncodedVectors tokens, long[] docStarts) {
    Checks.require(tokens != null, "tokens is null");
    Checks.require(docStarts != null && docStarts.length >= 2, "docStarts needs at least 2 entries (one document)");
    Checks.require(docStarts[0] == 0, "docStarts[0] must be 0, got " + docStarts[0]);
    Checks.require(
        docStarts[docStarts.length - 1] == tokens.count(),
        "docStarts[last] must equal the token count " + tokens.count() + ", got " + docStarts[docStarts.length - 1]);
    for (int i = 1; i < docStarts.length; i++) {
      if (docStarts[i] <= docStarts[i - 1]) {
        throw new IllegalArgumentException(
            "docStarts must be strictly ascending: docStarts[" + (i - 1) + "]=" + docStarts[i - 1] + ", docStarts["
                + i + "]=" + docStarts[i]);
      }
    }
    this.tokens = tokens;
    this.docStarts = docStarts.clone();
  }

  /**
   * A host-only table, as the Java backends use it.
   *
   * @param tokens the token vectors
   * @param docStarts (doc+1) token starts
   * @return a table that reads the vectors where they are
   */
  public static TokenTable host(EncodedVectors tokens, long[] docStarts) {
    return new TokenTable(tokens, docStarts);
  }

  /** {@return the token vectors} */
  public EncodedVectors tokens() {
    return tokens;
  }

  /**
   * Do not modify.
   *
   * @return the (doc+1) token starts
   */
  public long[] docStarts() {
    return docStarts;
  }

  /** {@return the number of documents} */
  public int numDocs() {
    return docStarts.length - 1;
  }

  /** {@return the number of tokens} */
  public long numTokens() {
    return tokens.count();
  }

  /** {@return the vector dimension} */
  public int dim() {
    return tokens.dim();
  }

  /**
   * The document holding token t (binary search).
   *
   * @param t a token id
   * @return its document
   */
  public int docOf(long t) {
    int lo = 0;
    int hi = docStarts.length - 2;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (docStarts[mid] <= t) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  @Override
  public void close() {}
}
