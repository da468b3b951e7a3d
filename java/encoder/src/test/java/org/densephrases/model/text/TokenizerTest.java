package org.densephrases.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenizerTest {
  static final Tokenizer tok = MiniLmTokenizer.TOK;

  @Test
  void specialTokensAndNoPaddingOrTruncation() {
    assertEquals(101, tok.clsId());
    assertEquals(102, tok.sepId());
    assertEquals(0, tok.padId());
    // The shipped tokenizer.json pads and truncates to 128; we switch both off.
    String longText = "word ".repeat(300);
    assertEquals(300, tok.tokenize(longText).size());
    assertEquals(1, tok.tokenize("hello").size());
    assertEquals(0, tok.tokenize("").size());
  }

  @Test
  void offsetsAreJavaStringIndices() {
    // An emoji (two UTF-16 chars, one code point) before the words: the native offsets count code points.
    String text = "Beyoncé 😀 sang in Zanzibar\u00a0café.";
    Tokens t = tok.tokenize(text);
    String[] strings = tok.tokenStrings(text);
    StringBuilder covered = new StringBuilder();
    for (int i = 0; i < t.size(); i++) {
      covered.append(text, t.charStart()[i], t.charEnd()[i]).append('|');
    }
    assertEquals("Beyoncé|😀|sang|in|Za|nz|ibar|café|.|", covered.toString(), String.join(" ", strings));
    assertEquals("beyonce", strings[0]); // lower-cased, accent stripped: the offsets still cover the original
    assertEquals("[UNK]", strings[1]);
    assertEquals("##nz", strings[5]);
  }

  @Test
  void offsetsAreMonotoneOnMixedText() {
    String text = "Ｆｕｌｌ width, ﬁne ligature, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters, x\u200by, Œuvre — «quotes» 日本語 🎉🎉!";
    Tokens t = tok.tokenize(text);
    for (int i = 0; i < t.size(); i++) {
      assertTrue(t.charStart()[i] < t.charEnd()[i], "token " + i + " empty");
      assertTrue(t.charEnd()[i] <= text.length());
      if (i > 0) {
        assertTrue(t.charStart()[i] >= t.charEnd()[i - 1], "token " + i + " overlaps the previous one");
      }
      // never splits a surrogate pair
      assertTrue(!Character.isLowSurrogate(text.charAt(t.charStart()[i])));
    }
  }

  @Test
  void codePointMapping() {
    assertEquals(null, Tokenizer.codePointToCharIndex("plain é"));
    assertArrayEquals(new int[] {0, 1, 3, 4}, Tokenizer.codePointToCharIndex("a😀b"));
  }

  @Test
  void missingTokenizerSaysWhichJar() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromResource("nope-tokenizer.json"));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void questionsAreClsQuestionSepAndTruncatedKeepingSep() {
    QuestionEncoder q = new QuestionEncoder(tok, 6);
    long[] ids = q.encode("who won super bowl fifty in twenty sixteen");
    assertEquals(6, ids.length);
    assertEquals(101, ids[0]);
    assertEquals(102, ids[5]);
    assertEquals(4, new QuestionEncoder(tok, 64).encode("who?").length); // [CLS] who ? [SEP]
  }
}
