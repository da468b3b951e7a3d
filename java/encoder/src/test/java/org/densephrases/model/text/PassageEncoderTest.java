package org.densephrases.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PassageEncoderTest {
  static final Tokenizer tok = MiniLmTokenizer.TOK;

  @Test
  void shortPassageIsOneWindowWithTitleFirst() {
    PassageEncoder enc = new PassageEncoder(tok, WindowConfig.DEFAULT);
    EncodedPassage p = enc.encode("Super Bowl 50", "The Denver Broncos won.");
    assertEquals(1, p.windows().size());
    PassageWindow w = p.windows().get(0);
    // [CLS] super bowl 50 [SEP] the denver broncos won . [SEP]
    assertEquals(3 + 3 + 5, w.length());
    assertEquals(101, w.ids()[0]);
    assertEquals(102, w.ids()[4]);
    assertEquals(102, w.ids()[w.length() - 1]);
    assertEquals(5, w.contextOffset());
    assertArrayEquals(new long[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1}, w.typeIds());
    assertEquals(-1, w.contextTokenAt(4));
    assertEquals(0, w.contextTokenAt(5));
    assertEquals(-1, w.contextTokenAt(10)); // final [SEP]
    TokenSpan s = p.answerSpan(4, 18); // "Denver Broncos"
    assertEquals(new TokenSpan(1, 2, true), s);
    assertArrayEquals(new int[] {6, 7}, w.locate(s));
    assertEquals("Denver Broncos", p.spanText(1, 2));
  }

  @Test
  void answersInsideAWordPieceWidenToTheWholeToken() {
    PassageEncoder enc = new PassageEncoder(tok, WindowConfig.DEFAULT);
    EncodedPassage p = enc.encode("", "It sailed to Zanzibar quickly.");
    // "Zanzibar" -> za ##nz ##ibar (context tokens 3, 4, 5)
    int at = p.text().indexOf("Zanzibar");
    assertEquals(new TokenSpan(3, 5, true), p.answerSpan(at, at + 8));
    assertEquals(new TokenSpan(3, 4, true), p.answerSpan(at, at + 4)); // "Zanz"
    assertEquals(new TokenSpan(3, 4, false), p.answerSpan(at + 1, at + 4)); // "anz"
    assertEquals(new TokenSpan(4, 5, false), p.answerSpan(at + 2, at + 6)); // "nzib"
    assertFalse(p.answerSpan(at, at + 10).exact()); // "Zanzibar q"
    // white space between tokens maps to nothing
    assertNull(p.answerSpan(2, 3));
    assertThrows(IllegalArgumentException.class, () -> p.answerSpan(5, 5));
    assertThrows(IllegalArgumentException.class, () -> p.answerSpan(0, 1000));
  }

  @Test
  void longPassagesSplitIntoOverlappingWindowsCoveringEveryTokenOnce() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 97; i++) {
      sb.append("Sentence number ").append(i).append(" talks about topic ").append(i % 7).append(". ");
    }
    String text = sb.toString();
    WindowConfig cfg = new WindowConfig(64, 20, 8);
    PassageEncoder enc = new PassageEncoder(tok, cfg);
    EncodedPassage p = enc.encode("A title that is much longer than eight word pieces allow here", text);
    assertEquals(8, p.titleTokens().size());
    int n = p.context().size();
    int perWindow = 64 - 3 - 8;
    List<PassageWindow> ws = p.windows();
    assertEquals((int) Math.ceil((n - perWindow) / 20.0) + 1, ws.size());
    int[] maxContextCount = new int[n];
    for (int w = 0; w < ws.size(); w++) {
      PassageWindow win = ws.get(w);
      assertTrue(win.length() <= 64);
      assertEquals(w * 20, win.firstContextToken());
      assertEquals(10, win.contextOffset()); // [CLS] + 8 title tokens + [SEP]
      for (int i = 0; i < win.count(); i++) {
        assertEquals(p.context().ids()[win.firstContextToken() + i], win.ids()[win.contextOffset() + i]);
        if (win.maxContext()[i]) {
          maxContextCount[win.firstContextToken() + i]++;
        }
      }
      if (w < ws.size() - 1) {
        assertEquals(perWindow, win.count());
      }
    }
    PassageWindow last = ws.get(ws.size() - 1);
    assertEquals(n, last.firstContextToken() + last.count());
    for (int t = 0; t < n; t++) {
      assertEquals(1, maxContextCount[t], "token " + t + " must have exactly one max-context window");
    }
    // a token in the middle of window 1's range gets window 1 or later, never window 0's right edge
    assertTrue(ws.get(0).maxContext()[0]);
  }

  @Test
  void emptyPassageHasNoWindows() {
    EncodedPassage p = new PassageEncoder(tok, WindowConfig.DEFAULT).encode("Title", "   ");
    assertEquals(0, p.windows().size());
  }

  @Test
  void badWindowConfigsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new WindowConfig(10, 5, 8));
    assertThrows(IllegalArgumentException.class, () -> new WindowConfig(64, 0, 8));
    assertThrows(IllegalArgumentException.class, () -> new WindowConfig(64, 60, 8));
    assertNotNull(new WindowConfig(64, 53, 8));
  }

  @Test
  void batchesPadWithMask() {
    Batch b = Batch.pad(List.of(new long[] {101, 7, 102}, new long[] {101, 102}), null, 0);
    assertArrayEquals(new long[] {101, 102, 0}, b.ids()[1]);
    assertArrayEquals(new long[] {1, 1, 0}, b.mask()[1]);
    assertArrayEquals(new long[] {0, 0, 0}, b.typeIds()[0]);
    assertEquals(3, b.length());
  }
}
