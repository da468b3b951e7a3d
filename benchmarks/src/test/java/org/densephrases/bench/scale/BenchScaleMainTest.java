package org.densephrases.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench-scale on tiny synthetic sizes: one index per (size, codec), measured with every backend asked for. */
class BenchScaleMainTest {
  @TempDir Path tmp;

  record Run(int rc, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = BenchScaleMain.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int rc = cl.execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  @Test
  void measuresEachBackendOnTheSameIndex() throws Exception {
    Path md = tmp.resolve("scale.md");
    Path tsv = tmp.resolve("scale-run.tsv");
    Run r = run("--sizes", "3000,6000", "--dim", "16",
        "--codec", "sq8,pq", "--m", "4", "--nlist", "16", "--clusters", "32", "--queries", "8", "--nprobe", "4",
        "--k", "20", "--recall-max", "6000", "--backend", "simd,scalar", "--work", tmp.resolve("w").toString(),
        "--out", md.toString(), "--tsv", tsv.toString(), "--png", tmp.resolve("scale.png").toString());
    assertEquals(0, r.rc(), r.err() + r.out());
    String table = Files.readString(md);
    for (String backend : List.of("simd", "scalar")) {
      for (String codec : List.of("SQ8", "PQ4")) {
        for (String n : List.of("3,000", "6,000")) {
          assertTrue(table.contains("| " + n + " | " + codec + " | " + backend + " |"),
              n + " " + codec + " " + backend + " missing:\n" + table);
        }
      }
    }
    // one TSV per backend, 4 rows each, every recall measured (sizes <= --recall-max) and the same index for both
    Path other = tmp.resolve("scale-run-scalar.tsv");
    List<String> a = Files.readAllLines(tsv).stream().filter(x -> !x.startsWith("#")).toList();
    List<String> b = Files.readAllLines(other).stream().filter(x -> !x.startsWith("#")).toList();
    assertEquals(4, a.size());
    assertEquals(4, b.size());
    for (int i = 0; i < 4; i++) {
      String[] fa = a.get(i).split("\t");
      String[] fb = b.get(i).split("\t");
      assertEquals("simd", fa[13]);
      assertEquals("scalar", fb[13]);
      assertEquals(fa[3], fb[3], "same index file size"); // built once
      double ra = Double.parseDouble(fa[12]);
      double rb = Double.parseDouble(fb[12]);
      assertTrue(ra > 0.3 && ra <= 1, "recall " + ra);
      assertEquals(ra, rb, 0.05, "backends find the same candidates up to ties");
    }
    assertTrue(Files.size(tmp.resolve("scale.png")) > 1000);
    // --plot reads both files back, old 13-column files included
    Path old = tmp.resolve("scale-old.tsv");
    Files.writeString(old, "# old\n" + String.join("\t", List.of(a.get(0).split("\t")).subList(0, 13)) + "\n");
    Run p = run("--plot", tsv + "," + other + "," + old, "--png",
        tmp.resolve("both.png").toString());
    assertEquals(0, p.rc(), p.err());
    assertTrue(Files.size(tmp.resolve("both.png")) > 1000);
  }

  @Test
  void unknownBackendIsAClearError() {
    Run r = run("--sizes", "3000", "--dim", "16", "--nlist", "16",
        "--backend", "simd,tpu", "--work", tmp.resolve("w").toString(), "--out", tmp.resolve("x.md").toString());
    assertTrue(r.rc() != 0);
    assertTrue(r.err().contains("tpu"), r.err());
  }
}
