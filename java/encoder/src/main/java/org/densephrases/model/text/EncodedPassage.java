package org.densephrases.model.text;

import java.util.List;

/**
 * A passage tokenized once and cut into windows. Character offsets refer to {@code text} (the context, without the
 * title). A passage whose text has no tokens (empty or blank) has no windows.
 *
 * @param title the passage title as given
 * @param text the passage text (the context) as given
 * @param titleTokens the title's tokens, already cut to the window config's title budget
 * @param context the tokens of {@code text}
 * @param windows the model input windows, in context order
 */
public record EncodedPassage(String title, String text, Tokens titleTokens, Tokens context,
    List<PassageWindow> windows) {

  /**
   * The context tokens covering characters {@code [charStart, charEnd)} of {@link #text()}: from the token that
   * contains (or first follows) charStart to the last token that begins before charEnd. Null when no token lies in
   * that range (an answer of only white space or dropped characters).
   *
   * @param charStart the answer's first character in {@link #text()}
   * @param charEnd one past the answer's last character
   * @return the covering span of context tokens, or null
   */
  public TokenSpan answerSpan(int charStart, int charEnd) {
    if (charStart < 0 || charEnd <= charStart || charEnd > text.length()) {
      throw new IllegalArgumentException("answer characters [" + charStart + ", " + charEnd + ") are not a non-empty "
          + "range of a " + text.length() + "-character passage");
    }
    int[] starts = context.charStart();
    int[] ends = context.charEnd();
    int n = context.size();
    // first token with end > charStart (ends are non-decreasing)
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] > charStart) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    int s = lo;
    // last token with start < charEnd
    lo = -1;
    hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] < charEnd) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    int e = lo;
    if (s >= n || e < 0 || e < s) {
      return null;
    }
    return new TokenSpan(s, e, starts[s] == charStart && ends[e] == charEnd);
  }

  /**
   * The passage characters of context tokens {@code start..end} inclusive: what a predicted span answers.
   *
   * @param start the first context token index
   * @param end the last context token index (inclusive)
   * @return the substring of {@link #text()} from the start of token {@code start} to the end of token {@code end}
   */
  public String spanText(int start, int end) {
    return text.substring(context.charStart()[start], context.charEnd()[end]);
  }
}
