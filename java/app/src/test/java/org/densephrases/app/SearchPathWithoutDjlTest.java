package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.kernels.Backends;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search path needs no DJL: a child JVM whose class path is only the kernels, index, encoder and app classes,
 * picocli and gson (no DJL jar, no train module, so touching either would fail with NoClassDefFoundError) runs
 * {@code dump}, {@code index} and {@code search} with the committed exported model on a tiny corpus, and its
 * class-loading log names no {@code ai.djl} class and no class of java/train.
 */
class SearchPathWithoutDjlTest {
  /** The committed exported model, relative to java/app (the tests' working directory). */
  static final Path MODEL = Path.of("../../models/e5-small-tied");

  @TempDir
  Path tmp;

  static Path locationOf(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  record Child(int rc, String out) {}

  Child run(String classpath, Path classLog, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g",
        "-Xlog:class+load=info:file=" + classLog, "-cp", classpath, SearchSideMain.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM did not finish: " + out);
    return new Child(p.exitValue(), out);
  }

  static void assertNoDjlNorTrain(Path classLog, String verb) throws Exception {
    String loaded = Files.readString(classLog);
    assertFalse(loaded.contains("ai.djl"), verb + ": a DJL class was loaded");
    for (String trainOnly : List.of("org.densephrases.model.phrase.", "org.densephrases.model.teacher.",
        "DjlEncoder", "HfTokenizerBackend", "PhraseModelFile", "BertEncoderBlock",
        "org.densephrases.model.train.Trainer")) {
      assertFalse(loaded.contains(trainOnly), verb + ": a class of java/train was loaded (" + trainOnly + ")");
    }
  }

  @Test
  void dumpIndexAndSearchRunWithoutDjl() throws Exception {
    assertTrue(Files.isRegularFile(MODEL.resolve(RawPhraseModel.MODEL_FILE)), "the committed model is missing");
    List<String> parts = new ArrayList<>();
    for (Class<?> c : List.of(Backends.class, DumpWriter.class, Tokenizer.class,
        org.densephrases.search.SearchSession.class, SearchSideMain.class,
        picocli.CommandLine.class, com.google.gson.Gson.class)) {
      parts.add(locationOf(c).toString());
    }
    String classpath = String.join(File.pathSeparator, parts);
    String lower = classpath.toLowerCase(Locale.ROOT);
    assertFalse(lower.contains("djl") || lower.contains("train"), classpath);

    Path corpus = tmp.resolve("corpus.jsonl");
    StringBuilder sb = new StringBuilder();
    for (CorpusParagraph p : VerbsEndToEndTest.paragraphs().subList(0, 3)) { // the short ones: a 12-layer model
      sb.append("{\"id\": ").append(VerbsEndToEndTest.json(p.id())).append(", \"title\": ")
          .append(VerbsEndToEndTest.json(p.title())).append(", \"text\": ").append(VerbsEndToEndTest.json(p.text()))
          .append("}\n");
    }
    Files.writeString(corpus, sb, StandardCharsets.UTF_8);
    Path dump = tmp.resolve("dump");

    Path log = tmp.resolve("dump.classes");
    Child d = run(classpath, log, "dump", "--corpus", corpus.toString(), "--model", MODEL.toString(), "--out",
        dump.toString(), "--batch", "4");
    assertEquals(0, d.rc(), d.out());
    assertTrue(d.out().contains("3 paragraphs in, 3 stored"), d.out());
    String loaded = Files.readString(log);
    assertTrue(loaded.contains("org.densephrases.model.infer.JavaPhraseModel "), "the Java engine did not run");
    assertTrue(loaded.contains("org.densephrases.model.text.WordPieceTokenizer "), "the Java tokenizer did not run");
    assertNoDjlNorTrain(log, "dump");

    log = tmp.resolve("index.classes");
    Child i = run(classpath, log, "index", "--dump", dump.toString(), "--codec", "sq8", "--nlist", "4",
        "--train-size", "400", "--recall-queries", "0");
    assertEquals(0, i.rc(), i.out());
    assertTrue(Files.exists(dump.resolve("ivf-sq8.idx")), i.out());
    assertNoDjlNorTrain(log, "index");

    for (String index : List.of("sq8")) { // each child JVM loads the model: one search is enough here
      log = tmp.resolve("search-" + index + ".classes");
      Child s = run(classpath, log, "search", "--dump", dump.toString(), "--model", MODEL.toString(), "--index",
          index, "--nprobe", "4", "-k", "3", "When was the Eiffel Tower completed?");
      assertEquals(0, s.rc(), s.out());
      assertTrue(s.out().contains("Q: When was the Eiffel Tower completed?"), s.out());
      assertTrue(s.out().contains(" 1. ") && s.out().contains("[doc p-"), s.out());
      assertNoDjlNorTrain(log, "search " + index);
    }
  }
}
