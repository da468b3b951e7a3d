package org.densephrases.model.text;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Run by {@link TokenizerWithoutDjlTest} in a JVM whose classpath is only the model classes, the test classes and
 * gson: tokenizes {@link #TEXTS} with the default implementation and prints one line per text, then checks the
 * errors of a forced HF tokenizer and of an unsupported file when DJL is absent.
 */
public final class NoDjlTokenizeMain {
  static final String[] TEXTS = {"Beyoncé 😀 sang in Zanzibar\u00a0café.", "[CLS] İstanbul 日本語 x\u200by ﬁne",
      "Which NFL team represented the AFC at Super Bowl 50?"};

  private NoDjlTokenizeMain() {}

  static String line(Tokens t) {
    return "ids=" + Arrays.toString(t.ids()) + " start=" + Arrays.toString(t.charStart()) + " end="
        + Arrays.toString(t.charEnd());
  }

  public static void main(String[] args) throws Exception {
    Path json = Path.of(args[0]);
    try (Tokenizer t = Tokenizer.fromFile(json)) {
      System.out.println("implementation=" + t.implementation() + " cls=" + t.clsId() + " sep=" + t.sepId());
      for (String text : TEXTS) {
        System.out.println(line(t.tokenize(text)));
      }
    }
    System.out.println("hfAvailable=" + Tokenizer.hfAvailable());
    try {
      Tokenizer.fromFile(json, Tokenizer.Implementation.HF).close();
      System.out.println("hf: loaded");
    } catch (IllegalStateException e) {
      System.out.println("hf: " + e.getMessage());
    }
    String s = Files.readString(json, StandardCharsets.UTF_8);
    int a = s.indexOf("\"normalizer\"");
    int b = s.indexOf("\"pre_tokenizer\"");
    byte[] unsupported = (s.substring(0, a) + "\"normalizer\": {\"type\": \"NFKC\"}, " + s.substring(b))
        .getBytes(StandardCharsets.UTF_8);
    try {
      Tokenizer.fromJson(unsupported, "nfkc.json", Tokenizer.Implementation.AUTO).close();
      System.out.println("unsupported: loaded");
    } catch (IllegalArgumentException e) {
      System.out.println("unsupported: " + e.getMessage());
    }
  }
}
