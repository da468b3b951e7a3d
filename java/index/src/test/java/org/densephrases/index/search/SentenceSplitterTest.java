package org.densephrases.index.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {
  static List<String> sentences(String t) {
    return SentenceSplitter.split(t).stream().map(s -> t.substring(s[0], s[1])).toList();
  }

  @Test
  void splitsOnSentencePunctuation() {
    assertEquals(List.of("The Nile flows north.", "It is long!", "Is it?", "Yes."),
        sentences("The Nile flows north. It is long!  Is it? Yes."));
    assertEquals(List.of("He said \"stop.\"", "Then he left."), sentences("He said \"stop.\" Then he left."));
    assertEquals(List.of("No final period"), sentences("  No final period  "));
    assertEquals(List.of(), sentences("   "));
  }

  @Test
  void keepsAbbreviationsInitialsAndNumbers() {
    assertEquals(List.of("Dr. Smith met J. R. R. Tolkien in the U.S. in 1937.", "Pi is 3.14 approx."),
        sentences("Dr. Smith met J. R. R. Tolkien in the U.S. in 1937. Pi is 3.14 approx."));
    assertEquals(List.of("It costs e.g. five dollars."), sentences("It costs e.g. five dollars."));
    assertEquals(List.of("lower case after a period. does not split"),
        sentences("lower case after a period. does not split"));
  }

  @Test
  void blankLinesEndSentences() {
    assertEquals(List.of("Heading", "Body text."), sentences("Heading\n\nBody text."));
    assertEquals(List.of("One line\ncontinues."), sentences("One line\ncontinues."));
  }

  @Test
  void coveringReturnsTheSentencesOfASpan() {
    String t = "First one. Second one. Third one.";
    List<int[]> s = SentenceSplitter.split(t);
    int at = t.indexOf("Second");
    assertArrayEquals(new int[] {11, 22}, SentenceSplitter.covering(s, at, at + 6));
    int[] two = SentenceSplitter.covering(s, t.indexOf("one"), t.indexOf("Second") + 3);
    assertEquals("First one. Second one.", t.substring(two[0], two[1]));
  }
}
