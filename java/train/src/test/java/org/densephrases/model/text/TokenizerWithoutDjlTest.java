package org.densephrases.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java tokenizer needs neither DJL nor its native library: a child JVM with only the model classes, the
 * test classes and gson on its classpath (no DJL jar at all, so touching a DJL class would fail) tokenizes with the
 * default implementation and gets HF's ids and offsets; its class-loading log names no {@code ai.djl} class.
 */
class TokenizerWithoutDjlTest {
  @TempDir
  Path tmp;

  static Path locationOf(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void tokenizesWithOnlyModelClassesAndGson() throws Exception {
    Path json = tmp.resolve("tokenizer.json");
    Files.write(json, Tokenizer.resourceBytes(WordPieceTokenizerTest.RESOURCE));
    Path classLog = tmp.resolve("classes.log");
    String classpath = String.join(File.pathSeparator, locationOf(Tokenizer.class).toString(),
        locationOf(NoDjlTokenizeMain.class).toString(), locationOf(com.google.gson.Gson.class).toString());
    assertFalse(classpath.contains("djl"), classpath);
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", classpath, "-Xlog:class+load=info:file=" + classLog,
        NoDjlTokenizeMain.class.getName(), json.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    assertEquals(0, p.exitValue(), out);

    List<String> expected = new ArrayList<>();
    expected.add("implementation=JAVA cls=101 sep=102");
    try (Tokenizer hf = Tokenizer.fromFile(json, Tokenizer.Implementation.HF)) {
      for (String text : NoDjlTokenizeMain.TEXTS) {
        expected.add(NoDjlTokenizeMain.line(hf.tokenize(text)));
      }
    }
    List<String> lines = out.lines().toList();
    assertEquals(expected, lines.subList(0, expected.size()), out);
    assertTrue(out.contains("hfAvailable=false"), out);
    assertTrue(out.contains("hf: -Ddensephrases.tokenizer=hf, but DJL's HuggingFace tokenizers "
        + "(ai.djl.huggingface:tokenizers) are not on the classpath"), out);
    assertTrue(out.contains("unsupported: nfkc.json: not a BERT WordPiece tokenizer.json that the pure-Java "
        + "tokenizer supports: normalizer type NFKC (only BertNormalizer or none); and DJL's HuggingFace tokenizers "
        + "(ai.djl.huggingface:tokenizers), the fallback, are not on the classpath"), out);

    String loaded = Files.readString(classLog);
    assertTrue(loaded.contains("org.densephrases.model.text.WordPieceTokenizer "), "class log lacks the tokenizer");
    assertFalse(loaded.contains("ai.djl"), "a DJL class was loaded");
    assertFalse(loaded.contains("HfTokenizerBackend"), "the HF backend was loaded");
  }
}
