package org.densephrases.model.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.densephrases.model.augment.Sentences.Sentence;
import org.densephrases.model.augment.Sentences.Token;

/**
 * Offline question writing by clause rewriting around the answer (no model):
 * <ol>
 *   <li>the clause holding the answer (a sentence cut at ';' and at ', and / but / which / while ...');</li>
 *   <li>a fronted adverbial ("In 1848, ...") is the wh-phrase's place when it is exactly preposition + answer, and
 *       otherwise moves to the end of the question;</li>
 *   <li>the answer phrase (answer + its preposition, a count + what it counts) becomes the wh-phrase, chosen by the
 *       answer's type and preposition: in/on/during + date "When", in/at/near + name "Where", person "Who", by +
 *       person "By whom", count "How many students", money "How much", percentage "What percentage", else "What";
 *       anything after a comma following the answer is dropped;</li>
 *   <li>subject questions keep the clause order ("Marshall discovered gold" -> "Who discovered gold?"); other answers
 *       invert the subject with the first auxiliary ("gold was discovered" -> "was gold discovered") or use
 *       do-support with the verb's base form ("Beyonce released" -> "did Beyonce release").</li>
 * </ol>
 * Spans it cannot place in a clause (inside the subject, in an apposition, a coordination, a possessive) get no
 * question rather than a malformed one.
 */
public final class RuleQuestionGenerator implements QuestionGenerator {
  /** words that open a subordinate clause: a subject holding one is not a plain noun phrase */
  private static final java.util.Set<String> SUBORDINATORS = java.util.Set.of("although", "though", "because",
      "while", "whereas", "if", "unless", "which", "who", "where", "when", "that", "since");
  private final Lexicon lexicon;

  /**
   * A generator that uses the corpus lexicon.
   *
   * @param lexicon word counts of the corpus, used to find verb base forms and to tell names from ordinary words
   */
  public RuleQuestionGenerator(Lexicon lexicon) {
    this.lexicon = lexicon;
  }

  @Override
  public Optional<GeneratedQuestion> generate(String passage, CandidateAnswer answer) {
    for (Sentence s : Sentences.split(passage)) {
      if (answer.start() >= s.start() && answer.end() <= s.end()) {
        return write(s.tokens(), answer).map(q -> new GeneratedQuestion(q, answer));
      }
    }
    return Optional.empty();
  }

  private Optional<String> write(List<Token> sentence, CandidateAnswer answer) {
    List<Token> t = new ArrayList<>(sentence);
    String lastTok = t.get(t.size() - 1).text();
    if (lastTok.equals("?") || lastTok.equals("!")) {
      return Optional.empty();
    }
    if (lastTok.equals(".") || lastTok.equals(":")) {
      t.remove(t.size() - 1);
    }
    for (Token x : t) {
      if (x.text().equals("\"") || x.text().equals("\u201c") || x.text().equals("(") || x.text().equals(")")) {
        return Optional.empty(); // quotations and parentheses: too easy to mangle
      }
    }
    int a = -1;
    int b = -1;
    for (int i = 0; i < t.size(); i++) {
      if (t.get(i).start() == answer.start()) {
        a = i;
      }
      if (t.get(i).end() == answer.end()) {
        b = i + 1;
      }
    }
    if (a < 0 || b <= a) {
      return Optional.empty();
    }
    // 1. the clause holding the answer
    int cs = 0;
    int ce = t.size();
    for (int i = 0; i < t.size(); i++) {
      String w = t.get(i).text();
      boolean cut = w.equals(";") || w.equals(":") || w.equals("\u2014") || w.equals(",") && i + 1 < t.size()
          && Words.CONJUNCTIONS.contains(t.get(i + 1).lower()) && !t.get(i + 1).text().equals("that");
      if (cut && i < a) {
        cs = i + 1;
      } else if (cut && i >= b) {
        ce = i;
        break;
      } else if (cut) {
        return Optional.empty();
      }
    }
    if (cs > 0 && cs < t.size() && (t.get(cs).lower().equals("and") || t.get(cs).lower().equals("but"))) {
      cs++;
    }
    if (cs > 0 && cs < t.size() && Words.CONJUNCTIONS.contains(t.get(cs).lower())) {
      return Optional.empty(); // a relative or subordinate clause: no subject of its own
    }
    List<Token> clause = new ArrayList<>(t.subList(cs, ce));
    a -= cs;
    b -= cs;
    // 2. a fronted adverbial ending in a comma
    List<Token> tail = List.of();
    String wh = null;
    int comma = -1;
    for (int i = 0; i < Math.min(clause.size(), 14); i++) {
      if (clause.get(i).text().equals(",")) {
        comma = i;
        break;
      }
    }
    String first = clause.get(0).lower();
    if (comma > 0 && (Words.PREPOSITIONS.contains(first) || Words.DISCOURSE.contains(first)
        || (comma == 1 && clause.get(0).lower().endsWith("ly")))) {
      List<Token> fronted = clause.subList(0, comma);
      if (a < comma) {
        boolean exact = a == 1 && b == comma && Words.PREPOSITIONS.contains(first);
        if (!exact) {
          return Optional.empty();
        }
        wh = whPhrase(first, answer.type(), List.of());
        if (wh == null) {
          return Optional.empty();
        }
      } else if (!(fronted.size() == 1 && Words.DISCOURSE.contains(first))) {
        tail = List.copyOf(fronted);
      }
      clause = new ArrayList<>(clause.subList(comma + 1, clause.size()));
      a -= comma + 1;
      b -= comma + 1;
    }
    if (clause.size() < 2) {
      return Optional.empty();
    }
    // 3. the verb: the first auxiliary, else the first past tense
    int v = -1;
    boolean aux = false;
    for (int i = 1; i < clause.size(); i++) {
      String w = clause.get(i).text();
      if (i >= a && i < b && wh == null) {
        continue;
      }
      if (Words.AUX.contains(w)) {
        boolean haveMain = (w.equals("has") || w.equals("have") || w.equals("had")) && !(i + 1 < clause.size()
            && (Words.IRREGULAR_PARTICIPLES.contains(clause.get(i + 1).text())
            || clause.get(i + 1).text().endsWith("ed") || clause.get(i + 1).text().equals("not")));
        v = i;
        aux = !haveMain;
        break;
      }
      if (!clause.get(i).capitalised() && lexicon.pastToBase(w) != null
          && !Words.DETERMINERS.contains(clause.get(i - 1).lower()) && !clause.get(i - 1).text().endsWith("'s")) {
        v = i;
        break;
      }
    }
    if (v < 1) {
      return Optional.empty();
    }
    for (int i = 0; i < v; i++) {
      if (clause.get(i).text().equals(",") || (i >= a && i < b && !(a == 0 || a == 1 && i >= 1))) {
        if (!(a <= 1 && b == v)) {
          return Optional.empty(); // the answer inside the subject, or a comma in it
        }
      }
    }
    String verb = clause.get(v).text();
    List<Token> subject = clause.subList(0, v);
    if (v > 8 || clause.get(0).lower().equals("there") || clause.get(0).lower().equals("it")
        || Words.PREPOSITIONS.contains(clause.get(0).lower())) {
      return Optional.empty(); // a long subject, or an existential/expletive one: no readable question
    }
    for (Token x : subject) {
      if (SUBORDINATORS.contains(x.lower()) || x.text().equals("/")) {
        return Optional.empty();
      }
    }
    List<Token> rest;
    StringBuilder q = new StringBuilder();
    if (wh != null) { // the answer was the fronted adverbial
      rest = clause.subList(v + 1, clause.size());
      q.append(wh).append(' ').append(inverted(aux, verb, subject, rest));
    } else if (b <= v && (a == 0 || a == 1 && clause.get(0).lower().equals("the")) && b == v) { // subject question
      String w = switch (answer.type()) {
        case PERSON -> "Who";
        case NUMBER -> null;
        default -> Words.PERSON_VERBS.contains(verb) ? "Who" : "What";
      };
      if (w == null) {
        return Optional.empty();
      }
      q.append(w).append(' ').append(join(upToAside(clause, v)));
    } else if (a > v) {
      // the answer phrase: preposition + answer (+ what a count counts)
      int p = a;
      String prep = "";
      if (Words.PREPOSITIONS.contains(clause.get(a - 1).text()) && a - 1 > v) {
        p = a - 1;
        prep = clause.get(p).text();
      } else if (a - 1 > v && clause.get(a - 1).text().equals("the") && answer.type() == AnswerType.DATE
          && a - 2 > v && Words.PREPOSITIONS.contains(clause.get(a - 2).text())) {
        p = a - 2;
        prep = clause.get(p).text();
      } else if (a - 1 > v && (clause.get(a - 1).text().equals(",") || clause.get(a - 1).capitalised())) {
        return Optional.empty(); // apposition, or part of a longer name
      }
      for (int i = v + 1; i < p; i++) {
        if (clause.get(i).text().equals(",")) {
          return Optional.empty(); // the answer sits in an aside after the verb's own phrase
        }
      }
      if (p - 1 > v && (Words.CONJUNCTIONS.contains(clause.get(p - 1).lower()) || clause.get(p - 1).text().equals("/")
          || clause.get(p - 1).text().equals("-"))) {
        return Optional.empty(); // "A and B": one half of a coordination
      }
      boolean participle = aux && p == v + 2 && !clause.get(v + 1).capitalised()
          && (clause.get(v + 1).text().endsWith("ed") || Words.IRREGULAR_PARTICIPLES.contains(clause.get(v + 1).text()));
      if (prep.isEmpty() && p != v + 1 && !participle) {
        return Optional.empty(); // an object must follow its verb: elsewhere it is inside some other phrase
      }
      int e = b;
      List<Token> counted = new ArrayList<>();
      if (answer.type() == AnswerType.NUMBER) {
        while (e < clause.size() && counted.isEmpty() && clause.get(e).word() && !clause.get(e).capitalised()
            && !Words.PREPOSITIONS.contains(clause.get(e).text()) && !Words.CONJUNCTIONS.contains(clause.get(e).text())
            && !Words.AUX.contains(clause.get(e).text())) {
          counted.add(clause.get(e));
          e++;
        }
        if (counted.isEmpty() || e < clause.size() && clause.get(e).word() && !clause.get(e).capitalised()
            && !Words.PREPOSITIONS.contains(clause.get(e).text()) && !Words.CONJUNCTIONS.contains(clause.get(e).text())
            && !Words.AUX.contains(clause.get(e).text())) {
          return Optional.empty(); // nothing counted, or more than one word: "12 research laboratories"
        }
      } else if (answer.type() == AnswerType.PERCENT && e + 1 < clause.size() && clause.get(e).text().equals("of")) {
        counted.add(clause.get(e++)); // "30% of the vote" -> "What percentage of the vote"
        while (e < clause.size() && counted.size() < 5 && clause.get(e).word() && !clause.get(e).capitalised()
            && !Words.PREPOSITIONS.contains(clause.get(e).text()) && !Words.CONJUNCTIONS.contains(clause.get(e).text())
            && !Words.AUX.contains(clause.get(e).text())) {
          counted.add(clause.get(e++));
        }
      } else if (e < clause.size() && (clause.get(e).capitalised() || clause.get(e).text().equals("'s")
          || clause.get(e).text().equals("/") || clause.get(e).text().equals("-")
          || (clause.get(e).word() && !Words.PREPOSITIONS.contains(clause.get(e).text())
          && !Words.CONJUNCTIONS.contains(clause.get(e).text()) && answer.type() != AnswerType.THING
          && !Words.AUX.contains(clause.get(e).text())))) {
        return Optional.empty(); // the answer modifies a following word
      } else if (e + 1 < clause.size() && (clause.get(e).text().equals("and") || clause.get(e).text().equals("of"))) {
        return Optional.empty(); // a coordination or a longer phrase
      }
      String w = whPhrase(prep, answer.type(), counted);
      if (w == null) {
        return Optional.empty();
      }
      List<Token> after = new ArrayList<>(clause.subList(v + 1, p));
      after.addAll(upToAside(clause, e));
      q.append(w).append(' ').append(inverted(aux, verb, subject, after));
    } else {
      return Optional.empty();
    }
    if (!tail.isEmpty()) {
      q.append(' ').append(lowerFirst(join(tail)));
    }
    if (q.indexOf("?") >= 0) {
      return Optional.empty();
    }
    String out = q.toString().replaceAll("\\s+,", ",").replaceAll(",\\s*$", "").trim();
    out = Character.toUpperCase(out.charAt(0)) + out.substring(1) + "?";
    int words = out.split("\\s+").length;
    if (words < 4 || words > 22 || containsAnswer(out, answer.text())) {
      return Optional.empty();
    }
    return Optional.of(out);
  }

  /** Tokens from {@code from} up to the first comma or conjunction: what follows is an aside or another clause. */
  private static List<Token> upToAside(List<Token> clause, int from) {
    List<Token> out = new ArrayList<>();
    for (int i = from; i < clause.size(); i++) {
      String x = clause.get(i).text();
      if (x.equals(",") || x.equals("and") || x.equals("but") || x.equals("or")) {
        break;
      }
      out.add(clause.get(i));
    }
    return out;
  }

  /** The wh-phrase for an answer of {@code type} after preposition {@code prep} ("" = none); null = none fits. */
  static String whPhrase(String prep, AnswerType type, List<Token> counted) {
    String p = prep.toLowerCase(Locale.ROOT);
    return switch (type) {
      case DATE -> switch (p) {
        case "", "in", "on", "during", "at" -> "When";
        case "since", "until", "by", "before", "after" -> cap(p) + " when";
        default -> null;
      };
      case NUMBER -> (p.isEmpty() ? "How many " : cap(p) + " how many ") + join(counted);
      case MONEY -> p.isEmpty() ? "How much" : p.equals("for") ? "For how much" : null;
      case PERCENT -> (p.isEmpty() ? "What percentage" : p.equals("by") ? "By what percentage" : "?")
          + (counted.isEmpty() ? "" : " " + join(counted));
      case PERSON -> switch (p) {
        case "" -> "Who";
        case "by", "with", "for", "against", "to", "from", "under", "after", "before" -> cap(p) + " whom";
        default -> null;
      };
      case ENTITY -> switch (p) {
        case "in", "at", "near", "within", "inside" -> "Where";
        case "" -> "What";
        case "by", "with", "for", "against", "to", "into", "from", "on", "under", "after", "before", "over",
            "during", "through", "across" -> cap(p) + " what";
        default -> null;
      };
      case THING -> p.isEmpty() ? "What" : null;
    };
  }

  private String inverted(boolean aux, String verb, List<Token> subject, List<Token> rest) {
    String subj = lowerFirst(join(subject));
    String r = join(rest);
    if (aux) {
      return verb + " " + subj + (r.isEmpty() ? "" : " " + r);
    }
    String doForm;
    String base;
    switch (verb) {
      case "has" -> { doForm = "does"; base = "have"; }
      case "have" -> { doForm = "do"; base = "have"; }
      case "had" -> { doForm = "did"; base = "have"; }
      default -> { doForm = "did"; base = lexicon.pastToBase(verb); }
    }
    return doForm + " " + subj + " " + base + (r.isEmpty() ? "" : " " + r);
  }

  /** A first word capitalised only by its position goes to lower case ("The city" -> "the city"). */
  private String lowerFirst(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int sp = s.indexOf(' ');
    String w = sp < 0 ? s : s.substring(0, sp);
    String lw = w.toLowerCase(Locale.ROOT);
    boolean ordinary = Words.DETERMINERS.contains(lw) || Words.PRONOUNS.contains(lw)
        || Words.PREPOSITIONS.contains(lw) || lexicon.lowerCount(lw) > 0 && !lw.equals(w.toLowerCase(Locale.ROOT)
        .toUpperCase(Locale.ROOT));
    return ordinary && !w.equals("I") ? lw + s.substring(w.length()) : s;
  }

  static String join(List<Token> tokens) {
    StringBuilder sb = new StringBuilder();
    Token prev = null;
    for (Token x : tokens) {
      boolean glue = prev != null && prev.end() == x.start(); // keep the text's own spacing
      if (sb.length() > 0 && !glue) {
        sb.append(' ');
      }
      sb.append(x.text());
      prev = x;
    }
    return sb.toString();
  }

  private static String cap(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Whether the answer's words appear, in order and adjacent, among the question's words (SQuAD-normalised). */
  static boolean containsAnswer(String question, String answer) {
    String q = " " + org.densephrases.model.eval.SquadMetrics.normalize(question) + " ";
    String n = org.densephrases.model.eval.SquadMetrics.normalize(answer);
    return !n.isEmpty() && q.contains(" " + n + " ");
  }
}
