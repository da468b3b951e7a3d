package org.densephrases.model.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.densephrases.model.eval.SquadMetrics;
import org.junit.jupiter.api.Test;

/**
 * The answer extractor and the question generator on passages with known answers: each known answer is found with
 * its type, and its question is well formed (a wh-word of that type first, a question mark last), keeps the
 * answer's context words and does not contain the answer.
 */
class QuestionGeneratorContractTest {
  record Known(String passage, String answer, AnswerType type, String wh, List<String> context) {}

  static final List<Known> KNOWN = List.of(
      new Known("In 1848, gold was discovered at Sutter's Mill. The news spread quickly.", "1848", AnswerType.DATE,
          "When", List.of("gold", "discovered", "Sutter's", "Mill")),
      new Known("In 1848, gold was discovered at Sutter's Mill. The news spread quickly.", "Sutter's Mill",
          AnswerType.ENTITY, "Where", List.of("gold", "discovered")),
      new Known("Beyonce released her debut album in 2003. It sold millions of copies.", "2003", AnswerType.DATE,
          "When", List.of("release", "debut", "album")),
      new Known("Beyonce released her debut album in 2003. It sold millions of copies.", "her debut album",
          AnswerType.THING, "What", List.of("Beyonce", "release")),
      new Known("The university has 12,000 students and a large library.", "12,000", AnswerType.NUMBER,
          "How many", List.of("students", "university")),
      new Known("The university has 12,000 students, and a large library.", "12,000", AnswerType.NUMBER, "How many",
          List.of("students", "university", "have")),
      new Known("The treaty was signed by John Adams in Paris after long talks.", "John Adams", AnswerType.PERSON,
          "By whom", List.of("treaty", "signed")),
      new Known("The treaty was signed by John Adams in Paris after long talks.", "Paris", AnswerType.ENTITY,
          "Where", List.of("treaty", "signed")),
      new Known("The company spent $5 million on the new factory in 1999.", "$5 million", AnswerType.MONEY,
          "How much", List.of("company", "spend", "factory")),
      new Known("The party won 30% of the vote in the election.", "30%", AnswerType.PERCENT, "What percentage",
          List.of("party", "win", "vote", "election")),
      new Known("George Washington became the first president of the United States on April 30, 1789.",
          "April 30, 1789", AnswerType.DATE, "When", List.of("Washington", "become", "president")),
      new Known("George Washington became the first president of the United States on April 30, 1789.",
          "George Washington", AnswerType.PERSON, "Who", List.of("became", "president")),
      new Known("The capital of France is Paris. It lies on the Seine.", "Paris", AnswerType.ENTITY, "What",
          List.of("capital", "France")));

  static Lexicon lexicon() {
    List<String> texts = new ArrayList<>();
    KNOWN.forEach(k -> texts.add(k.passage()));
    texts.add("They release a record. They spend money. We win. The president will become old. Discover it. To sign it.");
    return Lexicon.of(texts);
  }

  @Test
  void knownAnswersAreExtractedWithTheirType() {
    AnswerExtractor ex = new AnswerExtractor(lexicon());
    for (Known k : KNOWN) {
      List<CandidateAnswer> found = ex.extract(k.passage());
      CandidateAnswer c = find(found, k);
      assertEquals(k.type(), c.type(), k.answer());
      assertEquals(k.answer(), k.passage().substring(c.start(), c.end()));
    }
  }

  @Test
  void extractedSpansAreInsideThePassageAndDoNotOverlap() {
    AnswerExtractor ex = new AnswerExtractor(lexicon());
    for (Known k : KNOWN) {
      List<CandidateAnswer> found = ex.extract(k.passage());
      assertFalse(found.isEmpty());
      for (int i = 0; i < found.size(); i++) {
        CandidateAnswer c = found.get(i);
        assertEquals(c.text(), k.passage().substring(c.start(), c.end()));
        if (i > 0) {
          assertTrue(found.get(i - 1).end() <= c.start(), found.toString());
        }
      }
    }
  }

  @Test
  void questionsAreWellFormedAndAboutTheSpan() {
    Lexicon lex = lexicon();
    AnswerExtractor ex = new AnswerExtractor(lex);
    QuestionGenerator gen = new RuleQuestionGenerator(lex);
    for (Known k : KNOWN) {
      CandidateAnswer c = find(ex.extract(k.passage()), k);
      Optional<GeneratedQuestion> g = gen.generate(k.passage(), c);
      assertTrue(g.isPresent(), "no question for " + k.answer() + " in: " + k.passage());
      String q = g.get().question();
      System.out.println(k.answer() + " -> " + q);
      assertTrue(q.startsWith(k.wh() + " "), q + " should start with " + k.wh());
      assertTrue(q.endsWith("?") && q.indexOf('?') == q.length() - 1, q);
      assertFalse(RuleQuestionGenerator.containsAnswer(q, k.answer()), q + " gives the answer away");
      String nq = SquadMetrics.normalize(q);
      for (String w : k.context()) {
        assertTrue(nq.contains(SquadMetrics.normalize(w)), q + " lacks context word " + w);
      }
      assertEquals(c, g.get().answer());
    }
  }

  @Test
  void theBriefsExampleReadsAsExpected() {
    Lexicon lex = lexicon();
    String p = KNOWN.get(0).passage();
    CandidateAnswer c = find(new AnswerExtractor(lex).extract(p), KNOWN.get(0));
    assertEquals("When was gold discovered at Sutter's Mill?",
        new RuleQuestionGenerator(lex).generate(p, c).orElseThrow().question());
  }

  @Test
  void spansThatCannotBePlacedGetNoQuestion() {
    Lexicon lex = lexicon();
    QuestionGenerator gen = new RuleQuestionGenerator(lex);
    String p = "Is this a question? The Bank of England, founded in 1694, issues notes.";
    int at = p.indexOf("1694");
    // the date sits in an apposition of the subject: no clause to rewrite around it
    assertTrue(gen.generate(p, new CandidateAnswer("1694", at, at + 4, AnswerType.DATE)).isEmpty());
    int q = p.indexOf("this");
    assertTrue(gen.generate(p, new CandidateAnswer("this", q, q + 4, AnswerType.THING)).isEmpty());
  }

  private static CandidateAnswer find(List<CandidateAnswer> found, Known k) {
    return found.stream().filter(c -> c.text().equals(k.answer())).findFirst()
        .orElseThrow(() -> new AssertionError("'" + k.answer() + "' not among " + found.stream()
            .map(c -> c.text() + ":" + c.type().name().toLowerCase(Locale.ROOT)).toList()));
  }
}
