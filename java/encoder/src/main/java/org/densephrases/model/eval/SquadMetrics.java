package org.densephrases.model.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;

/**
 * Exact match and F1 as the official SQuAD v1.1 evaluation script computes them: answers are normalised (lower case,
 * ASCII punctuation removed, the words a/an/the removed, white space collapsed), EM and F1 take the best over a
 * question's reference answers, a question without a prediction scores 0, and totals are percentages.
 */
public final class SquadMetrics {
  private SquadMetrics() {}

  /** Python's string.punctuation. */
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  // Python 3's \b and str.split() are Unicode-aware; UNICODE_CHARACTER_CLASS makes Java's match.
  private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern SPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  /**
   * EM and F1 in percent over {@code questions} questions ({@code missing} of them had no prediction).
   *
   * @param questions the number of questions scored
   * @param missing how many of them had no prediction (scored 0)
   * @param exactMatch exact match, in percent (0 to 100)
   * @param f1 mean token F1, in percent (0 to 100)
   */
  public record Result(int questions, int missing, double exactMatch, double f1) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "EM %.2f F1 %.2f over %d questions%s", exactMatch, f1, questions,
          missing > 0 ? " (" + missing + " without a prediction)" : "");
    }
  }

  /**
   * The official SQuAD normalization: lower case, punctuation removed, articles (a, an, the) removed, white space
   * collapsed.
   *
   * @param s an answer text (prediction or reference)
   * @return the normalized text
   */
  public static String normalize(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (PUNCTUATION.indexOf(c) < 0) {
        sb.append(c);
      }
    }
    String noArticles = ARTICLES.matcher(sb).replaceAll(" ");
    return String.join(" ", tokens(noArticles));
  }

  private static List<String> tokens(String s) {
    String t = s.strip();
    return t.isEmpty() ? List.of() : List.of(SPACE.split(t));
  }

  /**
   * Whether two answers match exactly after normalization.
   *
   * @param prediction the predicted answer
   * @param reference a reference answer
   * @return true when both are equal after {@link #normalize(String)}
   */
  public static boolean exactMatch(String prediction, String reference) {
    return normalize(prediction).equals(normalize(reference));
  }

  /**
   * Token F1 between two answers after {@link #normalize(String)}, as the official script computes it.
   *
   * @param prediction the predicted answer
   * @param reference a reference answer
   * @return F1 in [0, 1]; 0 when they share no token
   */
  public static double f1(String prediction, String reference) {
    List<String> p = tokens(normalize(prediction));
    List<String> r = tokens(normalize(reference));
    Map<String, Integer> counts = new HashMap<>();
    for (String w : r) {
      counts.merge(w, 1, Integer::sum);
    }
    int common = 0;
    for (String w : p) {
      Integer c = counts.get(w);
      if (c != null && c > 0) {
        common++;
        counts.put(w, c - 1);
      }
    }
    if (common == 0) {
      return 0;
    }
    double precision = (double) common / p.size();
    double recall = (double) common / r.size();
    return 2 * precision * recall / (precision + recall);
  }

  /**
   * Exact match against the best of several references.
   *
   * @param prediction the predicted answer
   * @param references the reference answers
   * @return 1 when the prediction matches any reference exactly (after normalization), else 0
   */
  public static double maxExactMatch(String prediction, List<String> references) {
    double best = 0;
    for (String r : references) {
      best = Math.max(best, exactMatch(prediction, r) ? 1 : 0);
    }
    return best;
  }

  /**
   * Token F1 against the best of several references.
   *
   * @param prediction the predicted answer
   * @param references the reference answers
   * @return the best {@link #f1(String, String)} over the references, in [0, 1]; 0 for none
   */
  public static double maxF1(String prediction, List<String> references) {
    double best = 0;
    for (String r : references) {
      best = Math.max(best, f1(prediction, r));
    }
    return best;
  }

  /**
   * Scores predictions (question id -> answer text) against every question of the dataset.
   *
   * @param data the dataset with reference answers
   * @param predictions question id to predicted answer text; a question without one scores 0
   * @return EM and F1 in percent
   */
  public static Result evaluate(SquadDataset data, Map<String, String> predictions) {
    int n = 0;
    int missing = 0;
    double em = 0;
    double f1 = 0;
    for (SquadParagraph p : data.paragraphs()) {
      for (SquadQuestion q : p.questions()) {
        n++;
        String pred = predictions.get(q.id());
        if (pred == null) {
          missing++;
          continue;
        }
        em += maxExactMatch(pred, q.answerTexts());
        f1 += maxF1(pred, q.answerTexts());
      }
    }
    return new Result(n, missing, n == 0 ? 0 : 100 * em / n, n == 0 ? 0 : 100 * f1 / n);
  }
}
