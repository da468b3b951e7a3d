package org.densephrases.index.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A rule-based sentence splitter for evidence: a sentence ends at '.', '!' or '?' (and any closing quotes or
 * brackets after it) followed by whitespace and then an upper-case letter, a digit or an opening quote/bracket, or
 * at a blank line. A period does not end a sentence after a common abbreviation ("Dr.", "e.g.", "U.S."), a single
 * letter (an initial, "J. R. R. Tolkien") or inside a number ("3.14"). Good enough to show the sentence around an
 * answer; not a linguistic tool.
 */
final class SentenceSplitter {
  private static final Set<String> ABBREVIATIONS = Set.of(
      "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "u.n",
      "inc", "ltd", "co", "corp", "no", "nos", "vol", "gen", "col", "lt", "sgt", "capt", "rev", "gov", "sen", "rep",
      "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "ca", "c", "cf",
      "al", "fig", "op", "pp", "ed", "est", "dept", "univ", "a.m", "p.m");

  private SentenceSplitter() {}

  /** Sentences of {@code text} as [start, end) pairs, in order, leading and trailing whitespace excluded. */
  public static List<int[]> split(String text) {
    List<int[]> out = new ArrayList<>();
    int n = text.length();
    int start = skipSpace(text, 0);
    int i = start;
    while (i < n) {
      char ch = text.charAt(i);
      int end = -1; // exclusive end of the sentence that ends here, or -1
      int next = -1;
      if (ch == '\n' && i + 1 < n && blankLineAt(text, i)) {
        end = i;
        next = i + 1;
      } else if (ch == '.' || ch == '!' || ch == '?') {
        int j = i + 1;
        while (j < n && ")]\"'\u201d\u2019".indexOf(text.charAt(j)) >= 0) {
          j++;
        }
        if (j >= n) {
          end = j;
          next = j;
        } else if (Character.isWhitespace(text.charAt(j))) {
          int k = skipSpace(text, j);
          boolean startsNew = k >= n || Character.isUpperCase(text.charAt(k)) || Character.isDigit(text.charAt(k))
              || "(\"'[\u201c\u2018".indexOf(text.charAt(k)) >= 0;
          if (startsNew && (ch != '.' || !abbreviationBefore(text, i))) {
            end = j;
            next = k;
          }
        }
      }
      if (end >= 0) {
        int e = trimEnd(text, start, end);
        if (e > start) {
          out.add(new int[] {start, e});
        }
        start = skipSpace(text, next);
        i = start;
      } else {
        i++;
      }
    }
    int e = trimEnd(text, start, n);
    if (e > start) {
      out.add(new int[] {start, e});
    }
    return out;
  }

  /**
   * The [start, end) of the sentences covering characters [from, to) of the text: the sentence holding {@code from}
   * through the one holding {@code to - 1}. Characters between sentences belong to the following one.
   */
  public static int[] covering(List<int[]> sentences, int from, int to) {
    int a = -1;
    int b = -1;
    for (int s = 0; s < sentences.size(); s++) {
      int[] x = sentences.get(s);
      int limit = s + 1 < sentences.size() ? sentences.get(s + 1)[0] : Integer.MAX_VALUE;
      if (a < 0 && from < limit) {
        a = s;
      }
      if (b < 0 && Math.max(from, to - 1) < limit) {
        b = s;
      }
    }
    if (a < 0) {
      return new int[] {from, to};
    }
    return new int[] {Math.min(sentences.get(a)[0], from), Math.max(sentences.get(b)[1], to)};
  }

  private static boolean blankLineAt(String t, int i) {
    int j = i + 1;
    while (j < t.length() && (t.charAt(j) == ' ' || t.charAt(j) == '\t' || t.charAt(j) == '\r')) {
      j++;
    }
    return j < t.length() && t.charAt(j) == '\n';
  }

  /** Whether the word ending just before the period at {@code dot} is an abbreviation or an initial. */
  private static boolean abbreviationBefore(String t, int dot) {
    int s = dot;
    while (s > 0 && (Character.isLetterOrDigit(t.charAt(s - 1)) || t.charAt(s - 1) == '.')) {
      s--;
    }
    String word = t.substring(s, dot).toLowerCase(Locale.ROOT);
    if (word.isEmpty()) {
      return false;
    }
    if (word.length() == 1 && Character.isLetter(word.charAt(0))) {
      return true; // an initial
    }
    if (word.contains(".") && word.replace(".", "").length() <= 3) {
      return true; // "U.S", "e.g", "Ph.D"-like dotted short forms
    }
    return ABBREVIATIONS.contains(word);
  }

  private static int skipSpace(String t, int i) {
    while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int trimEnd(String t, int start, int end) {
    while (end > start && Character.isWhitespace(t.charAt(end - 1))) {
      end--;
    }
    return end;
  }
}
