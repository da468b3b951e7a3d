package org.densephrases.model.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word tokens with character offsets, and sentences of a passage. Rule-based: acronyms (U.S.) and hyphenated or
 * possessive words (Sutter's) are one token; numbers keep their separators and ordinal/decade suffixes (1,200 / 18th /
 * 1990s); every other non-space character is a token of its own. A period ends a sentence unless it follows a title
 * (Mr., St.) or a single capital (J. K. Rowling), or the next token starts in lower case.
 */
public final class Sentences {
  private Sentences() {}

  /**
   * One token: its text and [start, end) in the passage (Java char offsets).
   *
   * @param text the token's characters
   * @param start its first character in the passage
   * @param end one past its last character
   */
  public record Token(String text, int start, int end) {
    /** {@return true when the token starts with an upper-case letter} */
    public boolean capitalised() {
      return Character.isUpperCase(text.codePointAt(0));
    }

    /** {@return true when the token starts with a letter} */
    public boolean word() {
      return Character.isLetter(text.codePointAt(0));
    }

    /** {@return the token text in lower case (root locale)} */
    public String lower() {
      return text.toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A sentence: its tokens (with passage offsets) and [start, end) in the passage.
   *
   * @param tokens the sentence's tokens, in order
   * @param start the sentence's first character in the passage
   * @param end one past its last character
   */
  public record Sentence(List<Token> tokens, int start, int end) {}

  private static final Pattern TOKEN = Pattern.compile(
      "(?:\\p{Lu}\\.){2,}|\\p{L}[\\p{L}\\p{M}\\p{N}]*(?:['\u2019\\-][\\p{L}\\p{N}]+)*|\\d+(?:[.,]\\d+)*(?:st|nd|rd|th|s)?|\\S");
  private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "co",
      "no", "vs", "prof", "gen", "col", "lt", "mt", "ft", "rev", "ca", "approx", "etc", "fig", "vol");

  /**
   * Splits a text into tokens: words (with inner apostrophes and hyphens), numbers, initialisms, and single
   * punctuation characters.
   *
   * @param text the passage (offsets are Java char indices into it)
   * @return its tokens in order, with offsets into {@code text}
   */
  public static List<Token> tokens(String text) {
    List<Token> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      out.add(new Token(m.group(), m.start(), m.end()));
    }
    return out;
  }

  /**
   * Splits a text into sentences (see the class comment for where a period ends one).
   *
   * @param text the passage (offsets are Java char indices into it)
   * @return its sentences in order, each with its tokens
   */
  public static List<Sentence> split(String text) {
    List<Token> all = tokens(text);
    List<Sentence> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < all.size(); i++) {
      String t = all.get(i).text();
      boolean end = t.equals("?") || t.equals("!");
      if (t.equals(".") && i > 0) {
        Token prev = all.get(i - 1);
        boolean abbrev = ABBREVIATIONS.contains(prev.lower())
            || (prev.text().length() == 1 && Character.isUpperCase(prev.text().charAt(0)));
        boolean nextLower = i + 1 < all.size() && Character.isLowerCase(all.get(i + 1).text().codePointAt(0));
        end = !abbrev && !nextLower;
      }
      if (end || i == all.size() - 1) {
        List<Token> s = List.copyOf(all.subList(from, i + 1));
        out.add(new Sentence(s, s.get(0).start(), s.get(s.size() - 1).end()));
        from = i + 1;
      }
    }
    return out;
  }
}
