package org.densephrases.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.model.data.DataFiles;
import org.densephrases.model.data.SquadAnswer;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.data.SquadReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SquadExamplesTest {
  static final Tokenizer tok = MiniLmTokenizer.TOK;

  @Test
  void ambiguousAnswersAreDroppedOrKeptByPolicy() {
    String ctx = "The cat sat. The cat ran. A dog barked at Zanzibar music.";
    SquadDataset d = new SquadDataset("inline", "1.1", List.of(new SquadParagraph("Pets", ctx, List.of(
        new SquadQuestion("amb", "What sat?", List.of(new SquadAnswer("cat", 4, true))),
        new SquadQuestion("ok", "What barked?", List.of(new SquadAnswer("dog", ctx.indexOf("dog"), false))),
        new SquadQuestion("part", "Where?", List.of(new SquadAnswer("Zanz", ctx.indexOf("Zanz"), false))),
        new SquadQuestion("inside", "What?", List.of(new SquadAnswer("anz", ctx.indexOf("anz"), false)))))));
    PassageEncoder enc = new PassageEncoder(tok, WindowConfig.DEFAULT);

    SquadExamples.Result drop = SquadExamples.build(d, enc, AmbiguousPolicy.DROP);
    assertEquals(List.of("ok", "part", "inside"), drop.examples().stream().map(SpanExample::questionId).toList());
    assertEquals(1, drop.stats().droppedAmbiguous());
    assertEquals(2, drop.stats().exact());
    assertEquals(1, drop.stats().inexact()); // "anz" widened to the tokens za ##nz
    SpanExample dog = drop.examples().get(0);
    PassageWindow w = drop.passages().get(0).windows().get(dog.window());
    assertEquals("dog", drop.passages().get(0).spanText(w.contextTokenAt(dog.start()), w.contextTokenAt(dog.end())));

    SquadExamples.Result keep = SquadExamples.build(d, enc, AmbiguousPolicy.FIRST_OCCURRENCE);
    assertEquals(4, keep.examples().size());
    assertEquals(0, keep.stats().droppedAmbiguous());
  }

  @Test
  void answersLateInALongPassageLandInTheirBestWindow() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      sb.append("Filler sentence ").append(i).append(" here. ");
    }
    int at = sb.length();
    sb.append("The treasure lies in Zanzibar. ");
    for (int i = 0; i < 60; i++) {
      sb.append("More filler ").append(i).append(". ");
    }
    String ctx = sb.toString();
    SquadDataset d = new SquadDataset("inline", "1.1", List.of(new SquadParagraph("T", ctx, List.of(
        new SquadQuestion("z", "Where?", List.of(new SquadAnswer("Zanzibar", ctx.indexOf("Zanzibar", at), false)))))));
    SquadExamples.Result r = SquadExamples.build(d, new PassageEncoder(tok, new WindowConfig(128, 32, 8)),
        AmbiguousPolicy.DROP);
    SpanExample e = r.examples().get(0);
    EncodedPassage p = r.passages().get(0);
    assertTrue(p.windows().size() > 3);
    PassageWindow w = p.windows().get(e.window());
    assertEquals("Zanzibar", p.spanText(w.contextTokenAt(e.start()), w.contextTokenAt(e.end())));
    assertTrue(w.maxContext()[w.contextTokenAt(e.start()) - w.firstContextToken()]);
  }

  /**
   * The real dev file: every answer of every question (not only the first) mapped to tokens, with 384-token windows.
   * Prints how many map exactly; the notes quote these numbers.
   */
  @Test
  void realDevFileAnswersMapToTokens() {
    Path dev = DataFiles.dataDir().resolve("squad/dev-v1.1-even.json");
    Assumptions.assumeTrue(Files.exists(dev), "no shared data at " + dev.toAbsolutePath());
    SquadDataset d = SquadReader.read(dev);
    assertEquals(1023, d.paragraphs().size());
    assertEquals(5397, d.numQuestions());
    PassageEncoder enc = new PassageEncoder(tok, WindowConfig.DEFAULT);
    int answers = 0;
    int exact = 0;
    int mapped = 0;
    int inOneWindow = 0;
    int multiWindow = 0;
    long t0 = System.nanoTime();
    for (SquadParagraph para : d.paragraphs()) {
      EncodedPassage p = enc.encode(para.title(), para.context());
      if (p.windows().size() > 1) {
        multiWindow++;
      }
      for (SquadQuestion q : para.questions()) {
        for (SquadAnswer a : q.answers()) {
          answers++;
          TokenSpan s = p.answerSpan(a.charStart(), a.charEnd());
          if (s == null) {
            continue;
          }
          mapped++;
          if (s.exact()) {
            exact++;
          }
          if (p.windows().stream().anyMatch(w -> w.locate(s) != null)) {
            inOneWindow++;
          }
        }
      }
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("dev-v1.1-even: %d answers, %d mapped to tokens, %d exactly (%.2f%%), %d inside one window; "
        + "%d of %d passages need >1 window of 384; tokenized in %.0f ms%n", answers, mapped, exact,
        100.0 * exact / answers, inOneWindow, multiWindow, d.paragraphs().size(), ms);
    SquadExamples.Stats st = SquadExamples.build(d, enc, AmbiguousPolicy.DROP).stats();
    System.out.println("dev-v1.1-even as training examples: " + st);
    assertEquals(answers, mapped);
    assertEquals(answers, inOneWindow);
    assertTrue(exact > 0.97 * answers, "only " + exact + " of " + answers + " answers map exactly");
  }
}
