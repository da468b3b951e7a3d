package org.densephrases.model.text;

/**
 * The character classes of HuggingFace tokenizers' BertNormalizer and BertPreTokenizer, from Java's Unicode tables.
 *
 * <ul>
 *   <li>removed by clean_text: U+0000, U+FFFD and "other" (Cc, Cf, Co, Cs; not Cn) except tab, LF, CR;
 *   <li>whitespace: the Unicode White_Space property (Rust's {@code char::is_whitespace}), tab/LF/CR included;
 *   <li>punctuation: ASCII punctuation (the four ASCII symbol ranges 33-47, 58-64, 91-96, 123-126) or Unicode P*;
 *   <li>Chinese: HF's CJK ranges (including its 0x2B920..0x2CEAF, not 0x2B820);
 *   <li>accents: Mn (non-spacing marks), removed after NFD when strip_accents is on.
 * </ul>
 *
 * <p>The classes of the BMP are one byte table built at class load; supplementary code points are classified on
 * the fly. HF reads its general categories from Unicode 8.0 (the unicode_categories crate), Java 25 from Unicode 16:
 * the characters assigned or re-categorized in between are listed below as exceptions. HF's "other" does not include
 * Cn (unassigned code points are kept, and become [UNK]). Whitespace and lower-casing come from Rust's std (current
 * Unicode) and agree with Java's; so do the CJK ranges and NFD (checked by {@code WordPieceUnicodeSweepTest}).
 */
final class BertChars {
  private BertChars() {}

  static final int REMOVE = 1;
  static final int WHITESPACE = 2;
  static final int PUNCT = 4;
  static final int CHINESE = 8;
  static final int MARK_NONSPACING = 16;

  /** The BMP's classes (a holder, so that it is built after the exception tables below). */
  private static final class Bmp {
    static final byte[] CLASSES = new byte[0x10000];

    static {
      for (int c = 0; c < 0x10000; c++) {
        CLASSES[c] = (byte) compute(c);
      }
    }
  }

  /** The class bits of code point {@code cp}. */
  static int classOf(int cp) {
    return cp < 0x10000 ? Bmp.CLASSES[cp] : compute(cp);
  }

  private static int compute(int cp) {
    int bits = 0;
    if (isRemovedByClean(cp)) {
      bits |= REMOVE;
    }
    if (isWhitespace(cp)) {
      bits |= WHITESPACE;
    }
    if (isPunctuation(cp)) {
      bits |= PUNCT;
    }
    if (isChinese(cp)) {
      bits |= CHINESE;
    }
    if (isMarkNonspacing(cp)) {
      bits |= MARK_NONSPACING;
    }
    return bits;
  }

  /**
   * Unicode White_Space: tab, LF, VT, FF, CR, space, NEL, NBSP, ogham space, en quad..hair space, LS, PS, NNBSP,
   * MMSP, ideographic space.
   */
  static boolean isWhitespace(int c) {
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  static boolean isRemovedByClean(int c) {
    if (c == '\t' || c == '\n' || c == '\r') {
      return false;
    }
    if (c == 0 || c == 0xfffd) {
      return true;
    }
    int t = Character.getType(c);
    if (t == Character.FORMAT) {
      return !in(NOT_CF_IN_HF, c);
    }
    return t == Character.CONTROL || t == Character.PRIVATE_USE || t == Character.SURROGATE;
  }

  static boolean isPunctuation(int c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
      return true;
    }
    if (in(PUNCT_ONLY_IN_HF, c)) {
      return true;
    }
    if (in(NOT_PUNCT_IN_HF, c)) {
      return false;
    }
    int t = Character.getType(c);
    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
        || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
        || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
        || t == Character.OTHER_PUNCTUATION;
  }

  static boolean isMarkNonspacing(int c) {
    if (in(MN_ONLY_IN_HF, c)) {
      return true;
    }
    return Character.getType(c) == Character.NON_SPACING_MARK && !in(NOT_MN_IN_HF, c);
  }

  static boolean isChinese(int c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
  }

  /** Whether {@code c} lies in one of the inclusive ranges {@code [lo0, hi0, lo1, hi1, ...]} (sorted). */
  private static boolean in(int[] ranges, int c) {
    int lo = 0;
    int hi = ranges.length / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (c < ranges[2 * mid]) {
        hi = mid - 1;
      } else if (c > ranges[2 * mid + 1]) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  // Where HF's categories (the unicode_categories crate: Unicode 8.0) differ from Java 25's (Unicode 16.0), measured
  // code point by code point against the HF tokenizer (WordPieceUnicodeSweepTest fails if these drift). They are
  // characters assigned or re-categorized since Unicode 8.
  private static final int[] NOT_PUNCT_IN_HF = {
      0x61D, 0x61D, 0x9FD, 0x9FD, 0xA76, 0xA76, 0xC77, 0xC77, 0xC84, 0xC84, 0x1B4E, 0x1B4F, 0x1B7D, 0x1B7F, 0x2E43,
      0x2E4F, 0x2E52, 0x2E5D, 0x10D6E, 0x10D6E, 0x10EAD, 0x10EAD, 0x10F55, 0x10F59, 0x10F86, 0x10F89, 0x113D4,
      0x113D5, 0x113D7, 0x113D8, 0x1144B, 0x1144F, 0x1145A, 0x1145B, 0x1145D, 0x1145D, 0x11660, 0x1166C, 0x116B9,
      0x116B9, 0x1183B, 0x1183B, 0x11944, 0x11946, 0x119E2, 0x119E2, 0x11A3F, 0x11A46, 0x11A9A, 0x11A9C, 0x11A9E,
      0x11AA2, 0x11B00, 0x11B09, 0x11BE1, 0x11BE1, 0x11C41, 0x11C45, 0x11C70, 0x11C71, 0x11EF7, 0x11EF8, 0x11F43,
      0x11F4F, 0x11FFF, 0x11FFF, 0x12FF1, 0x12FF2, 0x16D6D, 0x16D6F, 0x16E97, 0x16E9A, 0x16FE2, 0x16FE2, 0x1E5FF,
      0x1E5FF, 0x1E95E, 0x1E95F};
  private static final int[] PUNCT_ONLY_IN_HF = {
      0x166D, 0x166D, 0x111C9, 0x111C9};
  private static final int[] NOT_MN_IN_HF = {
      0x7FD, 0x7FD, 0x897, 0x89F, 0x8CA, 0x8E1, 0x9FE, 0x9FE, 0xAFA, 0xAFF, 0xB55, 0xB55, 0xC04, 0xC04, 0xC3C,
      0xC3C, 0xD00, 0xD00, 0xD3B, 0xD3C, 0xD81, 0xD81, 0xEBA, 0xEBA, 0xECE, 0xECE, 0x180F, 0x180F, 0x1885, 0x1886,
      0x1ABF, 0x1ACE, 0x1DF6, 0x1DFB, 0xA82C, 0xA82C, 0xA8C5, 0xA8C5, 0xA8FF, 0xA8FF, 0xA9BD, 0xA9BD, 0x10D24,
      0x10D27, 0x10D69, 0x10D6D, 0x10EAB, 0x10EAC, 0x10EFC, 0x10EFF, 0x10F46, 0x10F50, 0x10F82, 0x10F85, 0x11070,
      0x11070, 0x11073, 0x11074, 0x110C2, 0x110C2, 0x111C9, 0x111C9, 0x111CF, 0x111CF, 0x1123E, 0x1123E, 0x11241,
      0x11241, 0x1133B, 0x1133B, 0x113BB, 0x113C0, 0x113CE, 0x113CE, 0x113D0, 0x113D0, 0x113D2, 0x113D2, 0x113E1,
      0x113E2, 0x11438, 0x1143F, 0x11442, 0x11444, 0x11446, 0x11446, 0x1145E, 0x1145E, 0x1182F, 0x11837, 0x11839,
      0x1183A, 0x1193B, 0x1193C, 0x1193E, 0x1193E, 0x11943, 0x11943, 0x119D4, 0x119D7, 0x119DA, 0x119DB, 0x119E0,
      0x119E0, 0x11A01, 0x11A0A, 0x11A33, 0x11A38, 0x11A3B, 0x11A3E, 0x11A47, 0x11A47, 0x11A51, 0x11A56, 0x11A59,
      0x11A5B, 0x11A8A, 0x11A96, 0x11A98, 0x11A99, 0x11C30, 0x11C36, 0x11C38, 0x11C3D, 0x11C3F, 0x11C3F, 0x11C92,
      0x11CA7, 0x11CAA, 0x11CB0, 0x11CB2, 0x11CB3, 0x11CB5, 0x11CB6, 0x11D31, 0x11D36, 0x11D3A, 0x11D3A, 0x11D3C,
      0x11D3D, 0x11D3F, 0x11D45, 0x11D47, 0x11D47, 0x11D90, 0x11D91, 0x11D95, 0x11D95, 0x11D97, 0x11D97, 0x11EF3,
      0x11EF4, 0x11F00, 0x11F01, 0x11F36, 0x11F3A, 0x11F40, 0x11F40, 0x11F42, 0x11F42, 0x11F5A, 0x11F5A, 0x13440,
      0x13440, 0x13447, 0x13455, 0x1611E, 0x16129, 0x1612D, 0x1612F, 0x16F4F, 0x16F4F, 0x16FE4, 0x16FE4, 0x1CF00,
      0x1CF2D, 0x1CF30, 0x1CF46, 0x1E000, 0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021, 0x1E023, 0x1E024, 0x1E026,
      0x1E02A, 0x1E08F, 0x1E08F, 0x1E130, 0x1E136, 0x1E2AE, 0x1E2AE, 0x1E2EC, 0x1E2EF, 0x1E4EC, 0x1E4EF, 0x1E5EE,
      0x1E5EF, 0x1E944, 0x1E94A};
  private static final int[] MN_ONLY_IN_HF = {
      0x1734, 0x1734, 0x1171E, 0x1171E};
  private static final int[] NOT_CF_IN_HF = {
      0x890, 0x891, 0x8E2, 0x8E2, 0x110CD, 0x110CD, 0x13430, 0x1343F};
}
