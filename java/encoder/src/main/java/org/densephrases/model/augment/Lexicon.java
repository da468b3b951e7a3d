package org.densephrases.model.augment;

import java.util.HashMap;
import java.util.Map;

/**
 * How often each word occurs in lower case in a body of text. The generator uses it instead of a dictionary: a
 * sentence-initial capital is an ordinary word when the word occurs in lower case elsewhere, and the base form of a
 * regular past tense ("released" -> release or releas?) is the candidate that occurs as a word.
 */
public final class Lexicon {
  private final Map<String, Integer> lower = new HashMap<>();

  /** An empty lexicon; fill it with {@link #add(String)}. */
  public Lexicon() {}

  /**
   * Counts the words of some texts.
   *
   * @param texts the texts (for example every paragraph of a corpus)
   * @return a lexicon holding their lower-case word counts
   */
  public static Lexicon of(Iterable<String> texts) {
    Lexicon l = new Lexicon();
    texts.forEach(l::add);
    return l;
  }

  /**
   * Adds the lower-case words of a text (words written with a capital are not counted).
   *
   * @param text any text; its words are found with {@link Sentences#tokens(String)}
   */
  public void add(String text) {
    for (Sentences.Token t : Sentences.tokens(text)) {
      if (t.word() && !t.capitalised()) {
        lower.merge(t.text(), 1, Integer::sum);
      }
    }
  }

  /**
   * Occurrences of {@code word} written in lower case.
   *
   * @param word the word, in lower case
   * @return how often it occurred in lower case, 0 when never
   */
  public int lowerCount(String word) {
    return lower.getOrDefault(word, 0);
  }

  /**
   * The base form of a past tense, or null when none can be told ("discovered" -> discover, "carried" -> carry).
   *
   * @param w a lower-case past-tense form (ending in -ed)
   * @return its base form, or null
   */
  public String pastToBase(String w) {
    String irregular = Words.IRREGULAR_PAST.get(w);
    if (irregular != null) {
      return irregular;
    }
    if (!w.endsWith("ed") || w.length() < 5) {
      return null;
    }
    String stem = w.substring(0, w.length() - 2);
    if (w.endsWith("ied") && lowerCount(w.substring(0, w.length() - 3) + "y") > 0) {
      return w.substring(0, w.length() - 3) + "y";
    }
    int n = stem.length();
    if (n >= 3 && stem.charAt(n - 1) == stem.charAt(n - 2) && "aeiousl".indexOf(stem.charAt(n - 1)) < 0
        && lowerCount(stem.substring(0, n - 1)) > 0) {
      return stem.substring(0, n - 1); // stopped -> stop, admitted -> admit
    }
    int withE = lowerCount(stem + "e");
    int bare = n >= 3 ? lowerCount(stem) : 0;
    if (withE == 0 && bare == 0) {
      return null;
    }
    return withE > bare ? stem + "e" : stem;
  }
}
