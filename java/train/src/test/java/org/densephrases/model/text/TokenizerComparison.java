package org.densephrases.model.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Compares two tokenizers' ids and offsets text by text, collecting readable mismatches. */
final class TokenizerComparison {
  private final Tokenizer expected;
  private final Tokenizer actual;
  final List<String> mismatches = new ArrayList<>();
  long texts;
  long tokens;
  long expectedNanos;
  long actualNanos;

  TokenizerComparison(Tokenizer expected, Tokenizer actual) {
    this.expected = expected;
    this.actual = actual;
  }

  /** True when both give the same ids and offsets. */
  boolean check(String label, String text) {
    texts++;
    long t0 = System.nanoTime();
    Tokens e = expected.tokenize(text);
    long t1 = System.nanoTime();
    Tokens a = actual.tokenize(text);
    long t2 = System.nanoTime();
    expectedNanos += t1 - t0;
    actualNanos += t2 - t1;
    tokens += e.size();
    if (Arrays.equals(e.ids(), a.ids()) && Arrays.equals(e.charStart(), a.charStart())
        && Arrays.equals(e.charEnd(), a.charEnd())) {
      return true;
    }
    if (mismatches.size() < 20) {
      mismatches.add(label + ": " + firstDifference(text, e, a));
    } else if (mismatches.size() == 20) {
      mismatches.add("...");
    }
    return false;
  }

  String firstDifference(String text, Tokens e, Tokens a) {
    int n = Math.min(e.size(), a.size());
    int i = 0;
    while (i < n && e.ids()[i] == a.ids()[i] && e.charStart()[i] == a.charStart()[i]
        && e.charEnd()[i] == a.charEnd()[i]) {
      i++;
    }
    return "token " + i + " of " + e.size() + "/" + a.size() + ": expected " + describe(text, e, i) + " got "
        + describe(text, a, i) + " in " + escape(text.substring(Math.max(0, (i < e.size() ? e.charStart()[i] : 0) - 20),
        Math.min(text.length(), (i < e.size() ? e.charEnd()[i] : text.length()) + 20)));
  }

  private String describe(String text, Tokens t, int i) {
    if (i >= t.size()) {
      return "<end>";
    }
    int s = t.charStart()[i];
    int en = t.charEnd()[i];
    String span = s >= 0 && en <= text.length() && s <= en ? text.substring(s, en) : "?";
    return t.ids()[i] + "@" + s + ".." + en + "'" + escape(span) + "'";
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().forEach(cp -> {
      if (cp >= 0x20 && cp < 0x7f) {
        b.appendCodePoint(cp);
      } else {
        b.append(String.format("\\u{%X}", cp));
      }
    });
    return b.toString();
  }
}
