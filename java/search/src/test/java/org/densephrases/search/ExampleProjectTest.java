package org.densephrases.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/embedded-search compiled and run as a separate program against this module's class path (its jars and
 * those it depends on: what the example's pom resolves from the installed artifacts), over a tiny dump made here.
 * javac, not Maven: offline, a few seconds, and nothing written to the shared local repository.
 */
class ExampleProjectTest {
  static final Path EXAMPLE = Path.of("../../examples/embedded-search");

  @TempDir Path tmp;

  @Test
  void theExampleCompilesAndAnswers() throws Exception {
    assertTrue(Files.isRegularFile(EXAMPLE.resolve("pom.xml")), "the example has its own pom");
    Path src = EXAMPLE.resolve("src/main/java/example/EmbeddedSearch.java");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diag = new ByteArrayOutputStream();
    int rc = javac.run(null, diag, diag, "--release", "25", "--add-modules", "jdk.incubator.vector", "-Xlint:all",
        "-Werror", "-Xlint:-incubating", "-cp", cp, "-d", classes.toString(), src.toString());
    assertEquals(0, rc, diag.toString(StandardCharsets.UTF_8));

    Path dump = TinyCorpus.build(tmp.resolve("dump"));
    String runCp = classes + File.pathSeparator + cp;
    Result ok = run(runCp, TinyCorpus.MODEL.toString(), dump.toString(), "sq8", "Who created Python?",
        "When did Neil Armstrong walk on the Moon?");
    assertEquals(0, ok.rc, ok.out + ok.err);
    assertTrue(ok.out.contains("Q: Who created Python?") && ok.out.contains("Guido van Rossum"), ok.out);
    assertTrue(ok.out.contains("Q: When did Neil Armstrong walk on the Moon?") && ok.out.contains("(p-moon)"),
        ok.out);
    Result bad = run(runCp, TinyCorpus.MODEL.toString(), tmp.resolve("nope").toString(), "sq8", "q?");
    assertEquals(2, bad.rc, bad.out + bad.err);
    assertTrue(bad.err.strip().startsWith("embedded-search: ") && bad.err.contains("dump directory not found"),
        bad.err);
  }

  record Result(int rc, String out, String err) {}

  static Result run(String cp, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-cp", cp, "example.EmbeddedSearch"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example finishes");
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("WARNING")
            && !l.contains("org.densephrases.kernels.Backends") && !l.startsWith("INFO:")).reduce("",
                (a, b) -> a + b + "\n"));
  }
}
