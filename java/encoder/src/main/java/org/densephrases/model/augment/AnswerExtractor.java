package org.densephrases.model.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.densephrases.model.augment.Sentences.Sentence;
import org.densephrases.model.augment.Sentences.Token;

/**
 * Candidate answers of a passage, by rules over word tokens: dates (years, month-day-year, decades, centuries),
 * money, percentages, counts with what they count, proper names (capitalised spans joined by of/de/van...; typed
 * PERSON by a title, a known given name or a verb only people do), and the noun phrase object of a past-tense verb.
 * Earlier rules win where spans overlap. Spans never cross sentences.
 */
public final class AnswerExtractor {
  private static final Pattern YEAR = Pattern.compile("1\\d{3}|20\\d{2}");
  private static final Pattern DECADE = Pattern.compile("1\\d{2}0s|20\\d0s");
  private static final Pattern ORDINAL = Pattern.compile("\\d{1,2}(st|nd|rd|th)");
  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
  private static final Pattern DAY = Pattern.compile("[1-9]|[12]\\d|3[01]");
  private static final java.util.Set<String> CONNECTORS = java.util.Set.of("of", "the", "de", "del", "da", "von",
      "van", "der", "la", "le", "du", "al");

  private final Lexicon lexicon;

  /**
   * An extractor that uses the corpus lexicon.
   *
   * @param lexicon word counts of the corpus, used to tell names from sentence-initial words and to find verb bases
   */
  public AnswerExtractor(Lexicon lexicon) {
    this.lexicon = lexicon;
  }

  /**
   * Finds the candidate answers of a passage, sentence by sentence.
   *
   * @param passage the passage text
   * @return the candidates in passage order, with character offsets into {@code passage}
   */
  public List<CandidateAnswer> extract(String passage) {
    List<CandidateAnswer> out = new ArrayList<>();
    for (Sentence s : Sentences.split(passage)) {
      extract(passage, s.tokens(), out);
    }
    return out;
  }

  private void extract(String passage, List<Token> t, List<CandidateAnswer> out) {
    int n = t.size();
    boolean[] used = new boolean[n];
    List<int[]> spans = new ArrayList<>(); // {from, to, type ordinal}
    for (int i = 0; i < n; i++) { // dates
      int end = dateEnd(t, i);
      if (end > i && free(used, i, end)) {
        add(spans, used, i, end, AnswerType.DATE);
      }
    }
    for (int i = 0; i < n; i++) { // money, percent, counts
      if (used[i]) {
        continue;
      }
      String w = t.get(i).text();
      if (w.equals("$") && i + 1 < n && NUMBER.matcher(t.get(i + 1).text()).matches()) {
        int end = i + 2;
        if (end < n && Words.SCALES.contains(t.get(end).lower())) {
          end++;
        }
        if (free(used, i, end)) {
          add(spans, used, i, end, AnswerType.MONEY);
        }
        continue;
      }
      boolean num = NUMBER.matcher(w).matches() || Words.NUMBER_WORDS.contains(w) && !w.endsWith("s");
      if (!num) {
        continue;
      }
      int end = i + 1;
      if (end < n && Words.SCALES.contains(t.get(end).lower())) {
        end++;
      }
      if (end < n && (t.get(end).text().equals("%") || t.get(end).lower().equals("percent"))) {
        add(spans, used, i, end + 1, AnswerType.PERCENT);
      } else if (end < n && countable(t.get(end)) && free(used, i, end)) {
        add(spans, used, i, end, AnswerType.NUMBER);
      }
    }
    for (int i = 0; i < n; i++) { // proper names
      if (used[i] || !t.get(i).word() || !t.get(i).capitalised()) {
        continue;
      }
      int end = i + 1;
      while (end < n && !used[end]) {
        Token x = t.get(end);
        if (x.word() && x.capitalised()) {
          end++;
        } else if (x.text().equals(".") && t.get(end - 1).text().length() == 1 && end + 1 < n
            && t.get(end + 1).capitalised() && t.get(end + 1).word()) {
          end += 2; // an initial: "Susan K. Bell"
        } else if (CONNECTORS.contains(x.text()) && end + 1 < n && t.get(end + 1).capitalised()
            && t.get(end + 1).word() && !used[end + 1]) {
          end += 2;
        } else {
          break;
        }
      }
      int from = i;
      if (from == 0 && lexicon.lowerCount(t.get(0).lower()) > 0) {
        from++; // a sentence's first word, capitalised only by position
      }
      boolean titled = false;
      while (from < end && Words.TITLES.contains(t.get(from).lower())) {
        from++;
        titled = true;
      }
      if (from > 0 && Words.TITLES.contains(t.get(from - 1).lower().replace(".", ""))) {
        titled = true;
      }
      while (end > from && CONNECTORS.contains(t.get(end - 1).text())) {
        end--;
      }
      if (from >= end || t.get(end - 1).text().endsWith("'s") || t.get(end - 1).text().endsWith("\u2019s")
          || (end - from == 1 && (t.get(from).text().equals("I") || t.get(from).text().length() < 2))) {
        i = end - 1;
        continue;
      }
      add(spans, used, from, end, titled || person(t, from, end) ? AnswerType.PERSON : AnswerType.ENTITY);
      i = end - 1;
    }
    for (int i = 1; i + 1 < n; i++) { // the object of a past-tense verb: "released her debut album"
      Token v = t.get(i);
      if (used[i] || v.capitalised() || lexicon.pastToBase(v.text()) == null
          || Words.AUX.contains(t.get(i - 1).lower()) || Words.DETERMINERS.contains(t.get(i - 1).lower())
          || !List.of("the", "a", "an", "his", "her", "its", "their").contains(t.get(i + 1).text())) {
        continue;
      }
      int end = i + 2;
      while (end < n && end - i <= 5 && !used[end] && t.get(end).word() && !t.get(end).capitalised()
          && !Words.PREPOSITIONS.contains(t.get(end).text()) && !Words.CONJUNCTIONS.contains(t.get(end).text())
          && !Words.AUX.contains(t.get(end).text()) && lexicon.pastToBase(t.get(end).text()) == null) {
        end++;
      }
      boolean closed = end == n || !t.get(end).word() || Words.PREPOSITIONS.contains(t.get(end).text())
          || Words.CONJUNCTIONS.contains(t.get(end).text());
      if (end - i >= 3 && closed && free(used, i + 1, end)) {
        add(spans, used, i + 1, end, AnswerType.THING);
      }
    }
    spans.sort(java.util.Comparator.comparingInt(a -> a[0]));
    for (int[] s : spans) {
      int a = t.get(s[0]).start();
      int b = t.get(s[1] - 1).end();
      out.add(new CandidateAnswer(passage.substring(a, b), a, b, AnswerType.values()[s[2]]));
    }
  }

  private boolean person(List<Token> t, int from, int end) {
    for (int k = from; k < end; k++) {
      if (Words.NOT_PERSON.contains(t.get(k).lower()) || CONNECTORS.contains(t.get(k).text())) {
        return false;
      }
    }
    if (Words.GIVEN_NAMES.contains(t.get(from).lower()) && end - from <= 3) {
      return true;
    }
    return end < t.size() && Words.PERSON_VERBS.contains(t.get(end).text());
  }

  /** What a count counts: a lower-case word that is not a function word ("12,000 students"). */
  private boolean countable(Token x) {
    String w = x.text();
    return x.word() && !x.capitalised() && !Words.PREPOSITIONS.contains(w) && !Words.AUX.contains(w)
        && !Words.CONJUNCTIONS.contains(w) && !Words.DETERMINERS.contains(w) && !w.endsWith("ly")
        && !Words.SCALES.contains(w) && !w.equals("percent");
  }

  /** End (exclusive) of a date starting at token i, or i when none starts there. */
  private static int dateEnd(List<Token> t, int i) {
    int n = t.size();
    String w = t.get(i).text();
    if (isMonth(t, i)) {
      int end = i + 1;
      if (end < n && DAY.matcher(t.get(end).text()).matches()) {
        end++;
        if (end + 1 < n && t.get(end).text().equals(",") && YEAR.matcher(t.get(end + 1).text()).matches()) {
          end += 2;
        }
        return end;
      }
      if (end < n && YEAR.matcher(t.get(end).text()).matches()) {
        return end + 1;
      }
      return i;
    }
    if (DAY.matcher(w).matches() && i + 1 < n && isMonth(t, i + 1)) {
      int end = i + 2;
      if (end < n && YEAR.matcher(t.get(end).text()).matches()) {
        end++;
      }
      return end;
    }
    if (DECADE.matcher(w).matches()) {
      return i + 1;
    }
    if (ORDINAL.matcher(w).matches() && i + 1 < n && t.get(i + 1).lower().startsWith("centur")) {
      return i + 2;
    }
    if (YEAR.matcher(w).matches()) {
      boolean counts = i + 1 < n && t.get(i + 1).word() && !t.get(i + 1).capitalised()
          && !Words.PREPOSITIONS.contains(t.get(i + 1).text()) && !Words.AUX.contains(t.get(i + 1).text())
          && !Words.CONJUNCTIONS.contains(t.get(i + 1).text());
      return counts ? i : i + 1;
    }
    return i;
  }

  private static boolean isMonth(List<Token> t, int i) {
    Token x = t.get(i);
    return x.capitalised() && Words.MONTHS.contains(x.lower());
  }

  private static boolean free(boolean[] used, int from, int to) {
    for (int k = from; k < to; k++) {
      if (used[k]) {
        return false;
      }
    }
    return true;
  }

  private static void add(List<int[]> spans, boolean[] used, int from, int to, AnswerType type) {
    for (int k = from; k < to; k++) {
      used[k] = true;
    }
    spans.add(new int[] {from, to, type.ordinal()});
  }
}
