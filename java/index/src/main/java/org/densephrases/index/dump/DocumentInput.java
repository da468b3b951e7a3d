package org.densephrases.index.dump;

/**
 * One encoded document for {@link DumpWriter#add}: its metadata and, per token, a vector, a filter score and the
 * token's character range in {@code text} (UTF-16 code units, as Java strings index them; end exclusive).
 *
 * @param id the corpus document id
 * @param title the title (the Wikipedia article for SQuAD paragraphs)
 * @param text the text the character offsets point into
 * @param vectors (token)(dim) token vectors, each both a phrase start and a phrase end
 * @param filterScores (token) filter-head scores, or null when there is no filter (every token kept)
 * @param charStart (token) first character of each token
 * @param charEnd (token) one past the last character of each token
 */
public record DocumentInput(
    String id, String title, String text, float[] vectors, float[] filterScores, int[] charStart, int[] charEnd) {
  /**
   * Checks that the arrays agree in length and every token's characters lie inside the text.
   *
   * @throws IllegalArgumentException naming the document and the bad token or array
   */
  public DocumentInput {
    require(id != null && title != null && text != null, "id, title and text must not be null");
    require(vectors != null && charStart != null && charEnd != null, "vectors and char offsets must not be null");
    int n = charStart.length;
    require(charEnd.length == n, "charStart has " + n + " tokens, charEnd " + charEnd.length);
    require(filterScores == null || filterScores.length == n,
        "filterScores has " + (filterScores == null ? 0 : filterScores.length) + " entries, expected " + n);
    for (int t = 0; t < n; t++) {
      if (charStart[t] < 0 || charStart[t] > charEnd[t] || charEnd[t] > text.length()) {
        throw new IllegalArgumentException("document " + id + ": token " + t + " has characters [" + charStart[t] + ", "
            + charEnd[t] + ") outside the text of " + text.length() + " characters");
      }
    }
  }

  /** {@return the number of tokens (vectors) in the document} */
  public int numTokens() {
    return charStart.length;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
