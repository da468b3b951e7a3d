package org.densephrases.index.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.densephrases.index.dump.CrashPoints;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.Backends;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM runs add, remove or compact and halts at each crash point in turn (as a kill would). After each kill:
 * the last committed generation opens with every checksum good and gives its results; the next change recovers (the
 * interrupted change's files are deleted) and, rerun, gives exactly the results of an uninterrupted run.
 */
class KillDuringUpdateTest {
  /** The dump before the change: base() at generation 0, then base()+more() with removals at generation 2. */
  @TempDir static Path tmp;

  static Path gen0;
  static Path gen2;

  @BeforeAll
  static void setUp() throws IOException {
    gen0 = tmp.resolve("gen0");
    UpdateFixture.build(gen0, UpdateFixture.base());
    gen2 = tmp.resolve("gen2");
    UpdateFixture.build(gen2, UpdateFixture.base());
    try (DumpUpdater u = DumpUpdater.open(gen2)) {
      u.add(UpdateFixture.more());
      u.remove(List.of("doc-9", "new-1"));
    }
  }

  static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!p.getFileName().toString().equals("write.lock")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  static Path location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Runs the change in a child JVM that halts at {@code step}; returns its exit status. */
  static int runChild(Path dir, String op, String step) throws Exception {
    String cp = String.join(File.pathSeparator, location(UpdateChild.class).toString(),
        location(DumpUpdater.class).toString(), location(Backends.class).toString());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-D" + CrashPoints.PROPERTY + "=" + step, "-cp", cp, UpdateChild.class.getName(), dir.toString(), op));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
    if (p.exitValue() != CrashPoints.EXIT && p.exitValue() != 0) {
      throw new AssertionError("child failed (" + p.exitValue() + "): " + out);
    }
    return p.exitValue();
  }

  void killAtEveryStep(Path start, String op, List<String> steps) throws Exception {
    // the uninterrupted run, for reference
    Path ref = tmp.resolve(op + "-ref");
    copy(start, ref);
    long before = Generations.latest(ref);
    List<String> beforeResults = UpdateFixture.answers(ref, "sq8", Unit.PHRASE);
    try (DumpUpdater u = DumpUpdater.open(ref)) {
      UpdateChild.run(u, op);
    }
    List<String> want = UpdateFixture.answers(ref, "sq8", Unit.PHRASE);
    List<String> wantExact = UpdateFixture.answers(ref, "exact", Unit.DOCUMENT);
    Set<String> wantFiles = DumpUpdaterTest.files(ref);

    for (String step : steps) {
      Path dir = tmp.resolve(op + "-" + step);
      copy(start, dir);
      assertEquals(CrashPoints.EXIT, runChild(dir, op, step), op + " did not reach " + step);
      long g = Generations.latest(dir);
      boolean committed = step.equals(Generations.STEP_COMMITTED);
      assertEquals(committed ? before + 1 : before, g, op + " killed at " + step);
      // the last committed generation is readable, checksums and all, with its own results
      try (Dump d = Dump.open(dir)) {
        d.verify();
      }
      assertEquals(committed ? want : beforeResults, UpdateFixture.answers(dir, "sq8", Unit.PHRASE),
          op + " killed at " + step);
      // the next run recovers and finishes the change
      try (DumpUpdater u = DumpUpdater.open(dir)) {
        if (!committed) {
          assertTrue(step.equals(Generations.STEP_MANIFEST_WRITTEN) || !u.recovered().isEmpty() || op.equals("remove"),
              op + " killed at " + step + " left nothing to clean up?");
          UpdateChild.run(u, op);
        }
      }
      assertEquals(want, UpdateFixture.answers(dir, "sq8", Unit.PHRASE), op + " rerun after a kill at " + step);
      assertEquals(wantExact, UpdateFixture.answers(dir, "exact", Unit.DOCUMENT), op + " rerun after " + step);
      try (DumpUpdater u = DumpUpdater.open(dir)) {
        // committed: the garbage the killed run did not delete goes now
        assertEquals(wantFiles, DumpUpdaterTest.files(dir), op + " files after a kill at " + step);
      }
    }
  }

  @Test
  void add() throws Exception {
    killAtEveryStep(gen0, "add", List.of(DumpWriter.STEP_SHARD_PARTIAL, DumpUpdater.STEP_SHARDS_WRITTEN,
        DumpUpdater.STEP_INDEXES_WRITTEN, Generations.STEP_MANIFEST_WRITTEN, Generations.STEP_COMMITTED));
  }

  @Test
  void remove() throws Exception {
    killAtEveryStep(gen2, "remove", List.of(Generations.STEP_MANIFEST_WRITTEN, Generations.STEP_COMMITTED));
  }

  @Test
  void compact() throws Exception {
    killAtEveryStep(gen2, "compact", List.of(DumpWriter.STEP_SHARD_PARTIAL, DumpUpdater.STEP_SHARDS_WRITTEN,
        DumpUpdater.STEP_INDEXES_WRITTEN, Generations.STEP_MANIFEST_WRITTEN, Generations.STEP_COMMITTED));
  }
}
