package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.app.VerbsEndToEndTest.Run;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.serve.ReloadingAnswerer;
import org.densephrases.app.serve.SearchServer;
import org.densephrases.app.serve.ServeConfig;
import org.densephrases.app.serve.SessionAnswerer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Your own corpus" path on the committed example corpus (examples/my-corpus, 4 files, 6 passages) with
 * the committed model and the Java encoder: dump of a folder, index, search; a service started on it; add (a new
 * file and a new version of an old one), remove, compact, index --retrain; the service serving each new generation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YourCorpusEndToEndTest {
  static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  static final String MODEL = ROOT.resolve("models/e5-small-tied").toString();
  @TempDir static Path tmp;

  static Run run(String... args) {
    return VerbsEndToEndTest.run(args);
  }

  Path dump() {
    return tmp.resolve("mine");
  }

  /** The top answer's doc id and text for a question (sq8 index, unit phrase). */
  String top(String question) {
    Run r = run("search", "--dump", dump().toString(), "--model", MODEL, "--encoder", "java", "--index", "sq8",
        "-k", "3", question);
    assertEquals(0, r.rc(), r.out() + r.err());
    return r.out();
  }

  static JsonObject get(URI base, String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  static String ask(URI base, String q) throws Exception {
    return get(base, "api/search?k=3&unit=document&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8)).toString();
  }

  @Test
  @Order(1)
  void dumpIndexSearchAddRemoveCompactWhileServing() throws Exception {
    Run d = run("dump", "--corpus", ROOT.resolve("examples/my-corpus").toString(), "--out", dump().toString(),
        "--model", MODEL, "--encoder", "java");
    assertEquals(0, d.rc(), d.out() + d.err());
    assertTrue(d.out().contains("6 paragraphs in, 6 stored"), d.out());
    Run i = run("index", "--dump", dump().toString(), "--codec", "sq8", "--nlist", "8", "--recall-queries", "0");
    assertEquals(0, i.rc(), i.out() + i.err());
    assertTrue(top("Who designed a lens made of rings of glass prisms?").contains("Fresnel"));

    ServeConfig cfg = ServeConfig.standard().withPort(0).withDefaults(ServeConfig.standard().defaults().withNprobe(8));
    ReloadingAnswerer answerer = ServeCommand.reloading(new SessionAnswerer(Sessions.open(dump(), MODEL, javaEncoder(),
        "sq8", "auto", cfg.defaults(), 8)), cfg.defaults(), 100);
    try (SearchServer server = SearchServer.start(cfg, answerer)) {
      URI base = server.uri();
      assertEquals(0, get(base, "health").get("generation").getAsLong());
      assertFalse(ask(base, "What is the largest glacier in the world?").contains("glaciers.md"));

      Run a = run("add", "--dump", dump().toString(), "--corpus", ROOT.resolve("examples/my-corpus-update").toString(),
          "--model", MODEL, "--encoder", "java");
      assertEquals(0, a.rc(), a.out() + a.err());
      assertTrue(a.out().contains("generation 1 committed: 3 documents added, 2 deleted"), a.out());
      waitForGeneration(base, 1);
      assertEquals(7, get(base, "health").get("documents").getAsLong(), "6 - 2 replaced + 3 added");
      assertTrue(ask(base, "What is the largest glacier in the world?").contains("glaciers.md#0"));
      String bees = ask(base, "Since when have beekeepers reported colony collapse disorder?");
      assertTrue(bees.contains("2006"), bees);

      Run rm = run("remove", "--dump", dump().toString(), "--ids", "science/volcanoes.txt");
      assertEquals(0, rm.rc(), rm.out() + rm.err());
      waitForGeneration(base, 2);
      for (String q : List.of("Which eruption caused the year without a summer?", "What is Mauna Loa?")) {
        assertFalse(ask(base, q).contains("volcanoes.txt"), q);
      }
      Run c = run("compact", "--dump", dump().toString());
      assertEquals(0, c.rc(), c.out() + c.err());
      assertTrue(c.out().contains("generation 3 committed: 0 documents added, 3 deleted"), c.out());
      waitForGeneration(base, 3);
      assertTrue(ask(base, "What is the largest glacier in the world?").contains("glaciers.md#0"));

      Run keep = run("index", "--dump", dump().toString(), "--codec", "sq8", "--retrain", "--max-drift", "1000");
      assertEquals(0, keep.rc(), keep.out() + keep.err());
      assertTrue(keep.out().contains("kept"), keep.out());
      Run re = run("index", "--dump", dump().toString(), "--codec", "sq8", "--nlist", "8", "--retrain",
          "--recall-queries", "0");
      assertEquals(0, re.rc(), re.out() + re.err());
      assertTrue(re.out().contains("generation 4 committed with ivf-sq8.g000004.idx"), re.out());
      waitForGeneration(base, 4);
      assertTrue(ask(base, "Who designed a lens made of rings of glass prisms?").contains("Fresnel"));
    } finally {
      answerer.close();
    }
    assertTrue(top("What is the largest glacier in the world?").contains("Lambert"));
    try (var files = Files.list(dump())) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.contains("MANIFEST-000004") && !names.contains("MANIFEST-000003"), names.toString());
      assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp") || n.equals("ivf-sq8.idx")), names.toString());
    }
  }

  @Test
  @Order(2)
  void badInputGetsOneLineAndExitCode2() {
    Run r = run("remove", "--dump", dump().toString(), "--ids", "no/such/file.txt");
    assertEquals(2, r.rc());
    assertTrue(r.err().contains("no live document with id no/such/file.txt"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    r = run("add", "--dump", tmp.resolve("nope").toString(), "--corpus", ROOT.resolve("examples/my-corpus").toString());
    assertEquals(2, r.rc());
    assertTrue(r.err().contains("dump directory not found"), r.err());
    r = run("add", "--dump", dump().toString(), "--corpus", tmp.resolve("nothing-here").toString(), "--model", MODEL,
        "--encoder", "java");
    assertEquals(2, r.rc());
    assertTrue(r.err().contains("corpus file not found"), r.err());
    r = run("index", "--dump", dump().toString(), "--max-drift", "0.1");
    assertEquals(2, r.rc());
    assertTrue(r.err().contains("--max-drift needs --retrain"), r.err());
    r = run("compact", "--dump", tmp.resolve("nope").toString());
    assertEquals(2, r.rc());
  }

  static EncoderOptions javaEncoder() {
    EncoderOptions e = new EncoderOptions();
    e.engine = "java";
    return e;
  }

  static void waitForGeneration(URI base, long g) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (get(base, "health").get("generation").getAsLong() != g) {
      assertTrue(System.nanoTime() < deadline, "generation " + g + " not served within 120 s");
      Thread.sleep(50);
    }
  }
}
