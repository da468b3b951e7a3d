package org.densephrases.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.densephrases.model.data.SquadAnswer;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.junit.jupiter.api.Test;

/** Values checked by hand against the official evaluate-v1.1.py logic. */
class SquadMetricsTest {

  @Test
  void normalisationFollowsTheOfficialScript() {
    assertEquals("denver broncos", SquadMetrics.normalize("The Denver Broncos!"));
    assertEquals("broncos", SquadMetrics.normalize("  the   Broncos. "));
    assertEquals("", SquadMetrics.normalize("The"));
    assertEquals("", SquadMetrics.normalize("a, an; the."));
    // articles only as whole words; punctuation inside words is deleted, not replaced by a space
    assertEquals("theater anthem", SquadMetrics.normalize("Theater an Anthem"));
    assertEquals("rocknroll", SquadMetrics.normalize("rock'n'roll"));
    assertEquals("1015", SquadMetrics.normalize("10-15"));
    // non-ASCII punctuation stays (string.punctuation is ASCII); non-breaking space is white space
    assertEquals("24–10", SquadMetrics.normalize("24–10"));
    assertEquals("new york", SquadMetrics.normalize("New\u00a0York"));
    // the article rule runs after punctuation removal: "the-end" -> "theend" keeps "the"
    assertEquals("theend", SquadMetrics.normalize("the-end"));
  }

  @Test
  void exactMatchAndF1() {
    assertTrue(SquadMetrics.exactMatch("the Denver Broncos", "Denver Broncos."));
    assertFalse(SquadMetrics.exactMatch("Broncos", "Denver Broncos"));
    assertEquals(2.0 / 3, SquadMetrics.f1("Broncos", "Denver Broncos"), 1e-12); // P 1, R 1/2
    assertEquals(0.0, SquadMetrics.f1("Panthers", "Denver Broncos"));
    // repeated tokens count once per occurrence: P = 1/3, R = 1/1 -> 0.5
    assertEquals(0.5, SquadMetrics.f1("one one one", "one"), 1e-12);
    assertEquals(0.0, SquadMetrics.f1("the", "a")); // both normalise to nothing: no common tokens -> 0
    assertEquals(1.0, SquadMetrics.maxF1("Broncos", List.of("Denver Broncos", "Broncos")));
    assertEquals(1.0, SquadMetrics.maxExactMatch("broncos", List.of("Denver Broncos", "the Broncos")));
  }

  @Test
  void datasetTotalsArePercentagesAndMissingPredictionsScoreZero() {
    SquadDataset d = new SquadDataset("inline", "1.1", List.of(new SquadParagraph("T", "Denver Broncos beat Carolina.",
        List.of(
            new SquadQuestion("a", "?", List.of(new SquadAnswer("Denver Broncos", 0, false))),
            new SquadQuestion("b", "?", List.of(new SquadAnswer("Carolina", 20, false))),
            new SquadQuestion("c", "?", List.of(new SquadAnswer("Carolina", 20, false)))))));
    SquadMetrics.Result r = SquadMetrics.evaluate(d, Map.of("a", "Broncos", "b", "Carolina"));
    assertEquals(3, r.questions());
    assertEquals(1, r.missing());
    assertEquals(100.0 / 3, r.exactMatch(), 1e-9);
    assertEquals(100.0 * (2.0 / 3 + 1) / 3, r.f1(), 1e-9);
  }
}
