package org.densephrases.model.text;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.densephrases.model.bert.PretrainedModels;
import org.junit.jupiter.api.Test;

/**
 * Code points through both implementations, each in context ({@code "A" + cp + "b "}, 256 to a text) and on its own
 * ({@code " " + cp}): catches every difference of character classes (HF's Unicode tables are older than Java's),
 * lower-casing and decompositions. The MiniLM configuration is swept over all of Unicode in context and over the
 * BMP alone; the cased / strip-accents / no-clean variants over the BMP in context. {@code
 * -Ddensephrases.test.tokenizerFull=true} sweeps everything both ways (about a minute).
 */
class WordPieceUnicodeSweepTest {
  static final String JSON = new String(Tokenizer.resourceBytes(PretrainedModels.MINILM_L6.tokenizerResource()),
      StandardCharsets.UTF_8);
  /** {@code -Ddensephrases.test.tokenizerFull=true}: every sweep over all of Unicode, the whole corpus. */
  static final boolean FULL = Boolean.getBoolean("densephrases.test.tokenizerFull");

  /** The MiniLM tokenizer.json with another normalizer object ({@code null} for none). */
  static byte[] variant(String normalizer) {
    int start = JSON.indexOf("\"normalizer\"");
    int end = JSON.indexOf("\"pre_tokenizer\"");
    if (start < 0 || end < start) {
      throw new AssertionError("normalizer not found in the MiniLM tokenizer.json");
    }
    return (JSON.substring(0, start) + "\"normalizer\": " + normalizer + ", " + JSON.substring(end))
        .getBytes(StandardCharsets.UTF_8);
  }

  static void sweep(byte[] json, String name, int contextEnd, int aloneEnd) {
    try (Tokenizer hf = Tokenizer.fromJson(json, name, Tokenizer.Implementation.HF);
        Tokenizer java = Tokenizer.fromJson(json, name, Tokenizer.Implementation.JAVA)) {
      TokenizerComparison cmp = new TokenizerComparison(hf, java);
      int bad = 0;
      for (int block = 0; block < Math.max(contextEnd, aloneEnd); block += 256) {
        StringBuilder inContext = new StringBuilder();
        StringBuilder alone = new StringBuilder();
        for (int cp = block; cp < block + 256; cp++) {
          if (cp < 0xd800 || cp > 0xdfff) {
            inContext.append('A').appendCodePoint(cp).append("b ");
            alone.append(' ').appendCodePoint(cp);
          }
        }
        if (block < contextEnd && !cmp.check(name + " block " + Integer.toHexString(block), inContext.toString())) {
          bad++;
          for (int cp = block; cp < block + 256; cp++) { // name the code points
            if (cp < 0xd800 || cp > 0xdfff) {
              cmp.check(name + " U+" + Integer.toHexString(cp), "A" + Character.toString(cp) + "b");
            }
          }
        }
        if (block < aloneEnd) {
          cmp.check(name + " alone block " + Integer.toHexString(block), alone.toString());
        }
      }
      System.out.printf("%s: %d texts, %d blocks differ; hf %.1f s, java %.1f s%n", name, cmp.texts, bad,
          cmp.expectedNanos / 1e9, cmp.actualNanos / 1e9);
      assertTrue(cmp.mismatches.isEmpty(), String.join("\n", cmp.mismatches));
    }
  }

  @Test
  void miniLm() {
    sweep(JSON.getBytes(StandardCharsets.UTF_8), "minilm", 0x110000, FULL ? 0x110000 : 0x10000);
  }

  @Test
  void cased() {
    sweep(variant("{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, "
        + "\"strip_accents\": null, \"lowercase\": false}"), "cased", FULL ? 0x110000 : 0x10000, FULL ? 0x110000 : 0);
  }

  @Test
  void casedStripAccents() {
    sweep(variant("{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, "
        + "\"strip_accents\": true, \"lowercase\": false}"), "cased-strip", FULL ? 0x110000 : 0x10000,
        FULL ? 0x110000 : 0);
  }

  @Test
  void lowerKeepAccentsNoCleanNoChinese() {
    sweep(variant("{\"type\": \"BertNormalizer\", \"clean_text\": false, \"handle_chinese_chars\": false, "
        + "\"strip_accents\": false, \"lowercase\": true}"), "raw-lower", FULL ? 0x110000 : 0x10000,
        FULL ? 0x110000 : 0);
  }
}
