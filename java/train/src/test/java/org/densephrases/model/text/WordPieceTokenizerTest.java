package org.densephrases.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.CorpusReader;
import org.densephrases.model.data.DataFiles;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.data.SquadReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pure-Java tokenizer against DJL's HuggingFace tokenizer: same ids and same offsets, text by text. */
class WordPieceTokenizerTest {
  static final String RESOURCE = PretrainedModels.MINILM_L6.tokenizerResource();
  /** The exported model's tokenizer.json (java/train is the working directory of the tests). */
  static final Path SHARED_MODEL_TOKENIZER = Path.of("../../models/e5-small-tied/tokenizer.json");

  static Tokenizer hf;
  static Tokenizer java;

  @BeforeAll
  static void load() {
    hf = Tokenizer.fromResource(RESOURCE, Tokenizer.Implementation.HF);
    java = Tokenizer.fromResource(RESOURCE, Tokenizer.Implementation.JAVA);
  }

  @AfterAll
  static void close() {
    hf.close();
    java.close();
  }

  /** Hand-written hard cases. */
  static List<String> hardCases() {
    List<String> t = new ArrayList<>(List.of(
        "", " ", "   ", "\t\n\r ", "\u00a0", "\u3000", "\u2028\u2029", "a\u00a0b\u2009c\u202fd\u3000e",
        "tab\tseparated\nlines\r\nand  double  spaces ",
        "Beyoncé 😀 sang in Zanzibar\u00a0café.",
        "ﬁne ﬂow ﬀ ﬃ ﬆ", "Ｆｕｌｌ ｗｉｄｔｈ，ｔｅｘｔ！", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝 math letters",
        "日本語のテキスト 中文字符 한국어 𠀀𪜀𫝀𬺰 abc日本def", "\u4e00\u9fff\u3400\uf900\ufaff\u2f800",
        "👍🏽 👨‍👩‍👧 🇺🇸 ❤️ 🎉🎉!", "😀", "a😀b😀", "x\ud83d\ude00\u0301y",
        "a\u0000b\u0001c\u007fd\u0085e\u000bf\u000cg\u001fh", "\ufffd", "x\ufffdy", "\ufeffBOM", "\u0000",
        "x\u200by", "x\u200cy\u200dz", "soft\u00adhyphen", "\u2060word joiner", "\u180e", "\u200e\u200f\u202a\u202e",
        "a".repeat(100), "a".repeat(101), "é".repeat(101), "e\u0301".repeat(60), "\u0301".repeat(150) + "x",
        "😀".repeat(101), "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "ΣΊΣΥΦΟΣ Ὀδυσσεύς ΐ ς ΰ", "İstanbul IŞIK ığdır İ", "Москва Ёлка Й ї ẞ ß ǅ ǆ",
        "e\u0301 a\u0315\u0300 q\u0323\u0302 \u0344 \u0f73 \u0f75 \u0f81", "a\u0315\u0300b", "é\u0323", "\u1e0b\u0323",
        "\u0301abc", "\u0301", " \u0301 ", "\ud834\udd5e\ud834\udd65\u0301x", "x\ud834\udd65\ud834\udd6d\u0301y",
        "\u0300\u0315\u0344z", "\u0301\ud834\udd65 y", "a \u0315\u0301\ud834\udd65\ud834\udd6d b",
        "\u0301\u302e x \u0301\u302f", "\u302e\u302f\u0301", "한국어 \u1100\u1161\u11a8", "Å Å K Ω ℃ ½ ① x²³ ℕ",
        "مَرْحَبًا", "שָׁלוֹם", "नमस्ते हिन्दी", "ไทย ภาษา", "tiếng Việt", "❤\ufe0f \u2764",
        "[CLS] hello [SEP] [MASK]ed [UNK]x [cls] [[SEP]] [PAD][PAD]", "[CLS]", "x[SEP]", "[SEP", "é[MASK]é",
        "Hello, world! (test) «quote» — dash… ¿Qué? ¡Sí! 1,000.5% $5 #hash @user a_b c-d e/f ‘single’ “double”",
        "\u0378 \ue000 \uf8ff \udb80\udc00 \u0890 \u08e2 \u166d \u1734 \ud804\uddc9", "x\u0378y",
        "Dr. J.R.R. Tolkien's \"The Hobbit\" (1937) — pp. 3–5; U.S.A.", "~`!@#$%^&*()_+-={}|[]\\:\";'<>?,./",
        "1,000,000 3.14159 1e-10 0x1F 50%", "über naïve façade coöperate résumé Æsop Œuvre Ørsted",
        "Za\u0308hler ZA\u0308HLER", "\u212b\u0301"));
    t.add("Hello world. ".repeat(2000) + "日本".repeat(500) + "é".repeat(300));
    return t;
  }

  /** Random strings from a pool of tricky characters (fixed seed). */
  static List<String> fuzz(int count, long seed) {
    String[] pool = {"a", "B", "z", "İ", "ı", "Σ", "é", "e", "\u0301", "\u0315", "\u0300", "\u0323", "\u0344",
        "\u0f73", "\ud834\udd5e", "\ud834\udd65", "\ud834\udd6d", "\u302e", "日", "\uf900", "\ud840\udc00", "😀",
        "\u200b", "\u200d", "\u00ad", "\u0000", "\u0085", "\u000b", "\ufffd", " ", "\t", "\n", "\u00a0", "\u3000",
        ".", ",", "-", "«", "—", "$", "[", "]", "CLS", "SEP", "[SEP]", "[CLS]", "##", "#", "ﬁ", "Ｆ", "ß", "ẞ",
        "Å", "한", "\u1100", "\u0378", "\ue000", "\u1734", "\u166d", "\ud804\uddc9", "\ufe0f", "the", "un",
        "##able", "ing", "x²", "ǅ", "\u0130\u0301"};
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder b = new StringBuilder();
      int len = 1 + r.nextInt(30);
      for (int k = 0; k < len; k++) {
        b.append(pool[r.nextInt(pool.length)]);
      }
      out.add(b.toString());
    }
    return out;
  }

  static void assertSame(Tokenizer expected, Tokenizer actual, List<String> texts, String what) {
    TokenizerComparison cmp = new TokenizerComparison(expected, actual);
    for (int i = 0; i < texts.size(); i++) {
      cmp.check(what + " #" + i, texts.get(i));
    }
    assertTrue(cmp.mismatches.isEmpty(), String.join("\n", cmp.mismatches));
  }

  @Test
  void hardCasesMatchHf() {
    List<String> texts = hardCases();
    assertSame(hf, java, texts, "hard case");
    for (String text : texts) {
      assertArrayEquals(hf.tokenStrings(text), java.tokenStrings(text), TokenizerComparison.escape(text));
    }
  }

  @Test
  void fuzzMatchesHf() {
    assertSame(hf, java, fuzz(3000, 42), "fuzz");
  }

  /** The same texts under other BertNormalizer settings (cased, strip accents without lower-casing, no cleaning). */
  @Test
  void normalizerVariantsMatchHf() {
    List<String> texts = new ArrayList<>(hardCases());
    texts.addAll(fuzz(500, 7));
    for (String normalizer : List.of(
        "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": true, "
            + "\"strip_accents\": null, \"lowercase\": false}",
        "{\"type\": \"BertNormalizer\", \"clean_text\": true, \"handle_chinese_chars\": false, "
            + "\"strip_accents\": true, \"lowercase\": false}",
        "{\"type\": \"BertNormalizer\", \"clean_text\": false, \"handle_chinese_chars\": true, "
            + "\"strip_accents\": false, \"lowercase\": true}",
        "null")) {
      byte[] json = WordPieceUnicodeSweepTest.variant(normalizer);
      try (Tokenizer h = Tokenizer.fromJson(json, "variant", Tokenizer.Implementation.HF);
          Tokenizer j = Tokenizer.fromJson(json, "variant", Tokenizer.Implementation.JAVA)) {
        assertSame(h, j, texts, normalizer);
      }
    }
  }

  @Test
  void sharedModelTokenizerMatchesHf() {
    Assumptions.assumeTrue(Files.isRegularFile(SHARED_MODEL_TOKENIZER), "no " + SHARED_MODEL_TOKENIZER);
    try (Tokenizer h = Tokenizer.fromFile(SHARED_MODEL_TOKENIZER, Tokenizer.Implementation.HF);
        Tokenizer j = Tokenizer.fromFile(SHARED_MODEL_TOKENIZER)) {
      assertEquals(Tokenizer.Implementation.JAVA, j.implementation(), j.describe());
      assertEquals(h.clsId(), j.clsId());
      assertEquals(h.sepId(), j.sepId());
      List<String> texts = new ArrayList<>(hardCases());
      texts.addAll(fuzz(1000, 11));
      assertSame(h, j, texts, "e5-small-tied");
    }
  }

  /**
   * Every third corpus paragraph (6,988 of 20,963) and every title, when the shared data is there; all paragraphs
   * with {@code -Ddensephrases.test.tokenizerFull=true} (HF alone takes 11-19 s for them on the busy 2 cores).
   */
  @Test
  void corpusMatchesHf() {
    Path corpus = DataFiles.dataDir().resolve("corpus/squad-paragraphs.jsonl.gz");
    Assumptions.assumeTrue(Files.isRegularFile(corpus), "no shared data at " + corpus.toAbsolutePath());
    TokenizerComparison cmp = new TokenizerComparison(hf, java);
    Set<String> titles = new LinkedHashSet<>();
    int[] paragraphs = {0};
    int[] checked = {0};
    CorpusReader.forEach(corpus, p -> {
      if (WordPieceUnicodeSweepTest.FULL || paragraphs[0] % 3 == 0) {
        cmp.check(p.id(), p.text());
        checked[0]++;
      }
      titles.add(p.title());
      paragraphs[0]++;
    });
    for (String title : titles) {
      cmp.check("title " + title, title);
    }
    System.out.printf("corpus: %d of %d paragraphs + %d titles, %d tokens identical; hf %.1f s, java %.1f s%n",
        checked[0], paragraphs[0], titles.size(), cmp.tokens, cmp.expectedNanos / 1e9, cmp.actualNanos / 1e9);
    assertEquals(20963, paragraphs[0]);
    assertTrue(cmp.mismatches.isEmpty(), String.join("\n", cmp.mismatches));
  }

  /** Every question (and paragraph) of the SQuAD dev file. */
  @Test
  void devQuestionsMatchHf() {
    Path dev = DataFiles.dataDir().resolve("squad/dev-v1.1-even.json");
    Assumptions.assumeTrue(Files.isRegularFile(dev), "no shared data at " + dev.toAbsolutePath());
    SquadDataset d = SquadReader.read(dev);
    TokenizerComparison cmp = new TokenizerComparison(hf, java);
    int questions = 0;
    for (SquadParagraph p : d.paragraphs()) {
      for (SquadQuestion q : p.questions()) {
        cmp.check(q.id(), q.question());
        questions++;
      }
    }
    System.out.printf("dev: %d questions, %d tokens identical%n", questions, cmp.tokens);
    assertEquals(5397, questions);
    assertTrue(cmp.mismatches.isEmpty(), String.join("\n", cmp.mismatches));
  }

  /** Canonical reordering moves a kept mark (Mc, class 216) before a stripped one: alignment goes by position. */
  @Test
  void reorderedMarksAlignByPosition() {
    String text = "\u0301\ud834\udd65 y";
    Tokens t = java.tokenize(text);
    assertEquals(0, t.charStart()[0]); // the U+1D165 that NFD moved first takes the first unit's alignment (the U+0301)
    assertEquals(1, t.charEnd()[0]);
    assertArrayEquals(hf.tokenize(text).charStart(), t.charStart());
    assertArrayEquals(hf.tokenize(text).charEnd(), t.charEnd());
  }

  @Test
  void loneSurrogatesReadAsReplacementCharacter() {
    // HF cannot receive a lone surrogate (the JNI string conversion mangles it); we read it as U+FFFD, which
    // clean_text removes.
    Tokens t = java.tokenize("ca\ud800fe \udc00 e\ud83d");
    assertArrayEquals(new String[] {"cafe", "e"}, java.tokenStrings("ca\ud800fe \udc00 e\ud83d"));
    assertArrayEquals(new int[] {0, 8}, t.charStart());
    assertArrayEquals(new int[] {5, 9}, t.charEnd());
  }

  @Test
  void defaultIsPureJavaForMiniLm() {
    try (Tokenizer t = Tokenizer.fromResource(RESOURCE, Tokenizer.Implementation.AUTO)) {
      assertEquals(Tokenizer.Implementation.JAVA, t.implementation());
      assertEquals(101, t.clsId());
      assertEquals(102, t.sepId());
      assertEquals(0, t.padId());
      assertEquals("classpath:" + RESOURCE, t.source());
    }
    assertEquals(Tokenizer.Implementation.HF, hf.implementation());
  }

  @Test
  void systemPropertyForcesAnImplementation() {
    String old = System.getProperty(Tokenizer.PROPERTY);
    try {
      System.setProperty(Tokenizer.PROPERTY, "hf");
      try (Tokenizer t = Tokenizer.fromResource(RESOURCE)) {
        assertEquals(Tokenizer.Implementation.HF, t.implementation());
      }
      System.setProperty(Tokenizer.PROPERTY, "java");
      try (Tokenizer t = Tokenizer.fromResource(RESOURCE)) {
        assertEquals(Tokenizer.Implementation.JAVA, t.implementation());
      }
      System.setProperty(Tokenizer.PROPERTY, "AUTO");
      try (Tokenizer t = Tokenizer.fromResource(RESOURCE)) {
        assertEquals(Tokenizer.Implementation.JAVA, t.implementation());
      }
      System.setProperty(Tokenizer.PROPERTY, "rust");
      var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromResource(RESOURCE));
      assertTrue(e.getMessage().contains("must be java, hf or auto"), e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty(Tokenizer.PROPERTY);
      } else {
        System.setProperty(Tokenizer.PROPERTY, old);
      }
    }
  }

  /** A tokenizer.json the pure-Java tokenizer does not implement: AUTO falls back to HF, JAVA fails naming why. */
  @Test
  void unsupportedConfigFallsBackToHf() {
    byte[] json = WordPieceUnicodeSweepTest.variant("{\"type\": \"Sequence\", \"normalizers\": "
        + "[{\"type\": \"NFKC\"}, {\"type\": \"Lowercase\"}]}");
    var e = assertThrows(UnsupportedTokenizerException.class,
        () -> Tokenizer.fromJson(json, "nfkc.json", Tokenizer.Implementation.JAVA));
    assertEquals(List.of("normalizer type Sequence (only BertNormalizer or none)"), e.unsupported());
    assertTrue(e.getMessage().startsWith("nfkc.json: "), e.getMessage());
    try (Tokenizer t = Tokenizer.fromJson(json, "nfkc.json", Tokenizer.Implementation.AUTO)) {
      assertEquals(Tokenizer.Implementation.HF, t.implementation());
      assertTrue(t.describe().contains("normalizer type Sequence"), t.describe());
      assertEquals(t.tokenize("ﬁne").size(), 1); // NFKC: "fine"
    }

    String base = new String(json, StandardCharsets.UTF_8);
    byte[] more = base.replace("\"type\": \"BertPreTokenizer\"", "\"type\": \"Whitespace\"")
        .replace("\"normalized\": false", "\"normalized\": true").getBytes(StandardCharsets.UTF_8);
    var e2 = assertThrows(UnsupportedTokenizerException.class,
        () -> WordPieceTokenizer.fromJson(more, "more.json"));
    assertTrue(e2.unsupported().contains("pre_tokenizer type Whitespace (only BertPreTokenizer)"),
        e2.unsupported().toString());
    assertTrue(e2.unsupported().contains("added token [CLS] with normalized"), e2.unsupported().toString());
  }

  @Test
  void invalidFilesAreRejectedClearly() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Tokenizer.fromJson("{not json".getBytes(StandardCharsets.UTF_8), "broken.json",
            Tokenizer.Implementation.JAVA));
    assertTrue(e.getMessage().startsWith("broken.json is not a valid tokenizer.json"), e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> Tokenizer.fromJson("{}".getBytes(StandardCharsets.UTF_8), "empty.json", Tokenizer.Implementation.AUTO));
    assertTrue(e2.getMessage().startsWith("empty.json is not a valid tokenizer.json"), e2.getMessage());
    String roberta = new String(WordPieceUnicodeSweepTest.variant("null"), StandardCharsets.UTF_8)
        .replace("\"[CLS]\"", "\"<s>\"").replace("\"[SEP]\"", "\"</s>\"");
    var e3 = assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson(
        roberta.getBytes(StandardCharsets.UTF_8), "roberta.json", Tokenizer.Implementation.JAVA));
    assertTrue(e3.getMessage().contains("expected a BERT tokenizer whose template is [CLS] A [SEP]"),
        e3.getMessage());
  }

  @Test
  void tokenStringsAndOffsets() {
    String text = "Beyoncé 😀 sang in Zanzibar\u00a0café.";
    assertArrayEquals(new String[] {"beyonce", "[UNK]", "sang", "in", "za", "##nz", "##ibar", "cafe", "."},
        java.tokenStrings(text));
    Tokens t = java.tokenize(text);
    assertEquals("😀", text.substring(t.charStart()[1], t.charEnd()[1]));
    assertEquals("Beyoncé", text.substring(t.charStart()[0], t.charEnd()[0]));
  }
}
