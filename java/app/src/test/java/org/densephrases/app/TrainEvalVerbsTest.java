package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.eval.SquadPredictions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** train / eval-rc / export / teacher: bad input is one clear line and exit code 2, never a stack trace. */
class TrainEvalVerbsTest {
  @TempDir Path tmp;

  private record Result(int rc, String err) {}

  private static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute(args);
    return new Result(rc, err.toString());
  }

  @Test
  void unknownModelNamesAreRejected() {
    Result r = run("train", "--out", tmp.resolve("o").toString(), "--model", "bert-gigantic");
    assertEquals(2, r.rc(), r.err());
    assertTrue(r.err().contains("bert-gigantic") && r.err().contains("all-minilm-l6-v2"), r.err());
    Result e = run("eval-rc", "--pretrained", "nope-model");
    assertEquals(2, e.rc(), e.err());
    assertTrue(e.err().contains("nope-model"), e.err());
  }

  @Test
  void teacherRejectsBadLogitFractionsAndMissingData() {
    for (String f : new String[] {"0", "-0.5", "1.5", "NaN"}) {
      Result r = run("teacher", "--out", tmp.resolve("t").toString(), "--write-logits",
          tmp.resolve("l.bin").toString(), "--logits-fraction", f);
      assertEquals(2, r.rc(), r.err());
      assertTrue(r.err().contains("--logits-fraction") && r.err().contains(f), r.err());
    }
    Result m = run("teacher", "--out", tmp.resolve("t2").toString(), "--steps", "1", "--train-file",
        tmp.resolve("missing.json").toString());
    assertEquals(2, m.rc(), m.err());
    assertTrue(m.err().contains("missing.json"), m.err());
  }

  @Test
  void augmentNeedsATeacherCheckpointAndSaysSo() throws Exception {
    Path corpus = tmp.resolve("c.jsonl");
    java.nio.file.Files.writeString(corpus, "{\"id\": \"p1\", \"title\": \"T\", \"text\": \"In 1848, gold was "
        + "discovered at Sutter's Mill.\"}\n");
    Path out = tmp.resolve("aug.json.gz");
    Result r = run("augment", "--corpus", corpus.toString(), "--teacher", tmp.resolve("no-teacher").toString(),
        "--out", out.toString());
    assertEquals(2, r.rc(), r.err());
    assertTrue(r.err().contains("no teacher checkpoint") && r.err().contains("no-teacher"), r.err());
    assertTrue(!java.nio.file.Files.exists(out));
    Result p = run("augment", "--corpus", corpus.toString(), "--teacher", tmp.toString(), "--out", out.toString(),
        "--per-paragraph", "0");
    assertEquals(2, p.rc(), p.err());
    assertTrue(p.err().contains("--per-paragraph"), p.err());
  }

  @Test
  void missingAndMalformedFilesAreRejected() throws Exception {
    Result r = run("train", "--out", tmp.resolve("o").toString(), "--config", tmp.resolve("none.json").toString());
    assertEquals(2, r.rc(), r.err());
    assertTrue(r.err().contains("none.json"), r.err());
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{ \"batchWindows\": [1, 2 ");
    Result b = run("train", "--out", tmp.resolve("o").toString(), "--config", bad.toString());
    assertEquals(2, b.rc(), b.err());
    assertTrue(b.err().contains("bad.json"), b.err());
    Path dev = tmp.resolve("dev.json");
    Files.writeString(dev, "{\"version\": \"1.1\", \"data\": [{\"title\": \"T\", \"paragraphs\": [{\"context\": "
        + "\"Paris is big.\", \"qas\": [{\"id\": \"q\", \"question\": \"What?\", \"answers\": [{\"text\": "
        + "\"Paris\", \"answer_start\": 0}]}]}]}]}");
    Result m = run("eval-rc", "--model-dir", tmp.resolve("no-model").toString(), "--data", dev.toString());
    assertEquals(2, m.rc(), m.err());
    assertTrue(m.err().contains("no-model"), m.err());
    Result c = run("export", "--checkpoint", tmp.resolve("no.bin").toString(), "--out", tmp.toString());
    assertEquals(2, c.rc(), c.err());
    assertTrue(c.err().contains("no.bin"), c.err());
    Path junk = tmp.resolve("junk.bin");
    Files.writeString(junk, "definitely not a checkpoint");
    Result j = run("eval-rc", "--checkpoint", junk.toString(), "--data", dev.toString());
    Result nd = run("eval-rc", "--checkpoint", junk.toString(), "--data", tmp.resolve("no-dev.json").toString());
    assertEquals(2, nd.rc(), nd.err());
    assertTrue(nd.err().contains("no-dev.json"), nd.err());
    assertEquals(2, j.rc(), j.err());
    assertTrue(j.err().contains("junk.bin"), j.err());
    Result d = run("export", "--checkpoint", junk.toString(), "--out", tmp.toString(), "--dtype", "int4");
    assertEquals(2, d.rc(), d.err());
    assertTrue(d.err().contains("int4"), d.err());
    Result rx = run("export", "--checkpoint", junk.toString(), "--out", tmp.toString(), "--fp16", "(q_start");
    assertEquals(2, rx.rc(), rx.err());
    assertTrue(rx.err().contains("--fp16 is not a valid regular expression"), rx.err());
    Result h = run("export", "--checkpoint", junk.toString(), "--out", tmp.toString(), "--dtype", "fp16", "--fp16",
        "q_.*");
    assertEquals(2, h.rc(), h.err());
    assertTrue(h.err().contains("--fp16 applies to --dtype int8 only"), h.err());
  }

  @Test
  void evalRcWritesOfficialSquadPredictions() throws Exception {
    Path dev = tmp.resolve("dev.json");
    Files.writeString(dev, "{\"version\": \"1.1\", \"data\": [{\"title\": \"Python\", \"paragraphs\": [{\"context\": "
        + "\"Python is a programming language created by Guido van Rossum and first released in 1991.\", \"qas\": ["
        + "{\"id\": \"q-who\", \"question\": \"Who created Python?\", \"answers\": [{\"text\": \"Guido van Rossum\","
        + " \"answer_start\": 44}]}, {\"id\": \"q-when\", \"question\": \"When was Python first released?\","
        + " \"answers\": [{\"text\": \"1991\", \"answer_start\": 83}]}]}]}]}");
    Path preds = tmp.resolve("out/predictions.json");
    Path results = tmp.resolve("out/results.json");
    Result r = run("eval-rc", "--model-dir", "../../models/e5-small-tied", "--data", dev.toString(), "--predictions",
        preds.toString(), "--results", results.toString());
    assertEquals(0, r.rc(), r.err());
    Map<String, String> p = SquadPredictions.read(preds);
    assertEquals(java.util.Set.of("q-who", "q-when"), p.keySet(), "one answer per question id, nothing else");
    String context = "Python is a programming language created by Guido van Rossum and first released in 1991.";
    p.values().forEach(a -> assertTrue(!a.isEmpty() && context.contains(a), a));
    // the file scores to the EM the verb reports (the official script's normalisation is SquadMetrics')
    double em = 100 * (SquadMetrics.maxExactMatch(p.get("q-who"), java.util.List.of("Guido van Rossum"))
        + SquadMetrics.maxExactMatch(p.get("q-when"), java.util.List.of("1991"))) / 2;
    JsonObject res = JsonParser.parseString(Files.readString(results)).getAsJsonObject();
    assertEquals(res.get("exactMatch").getAsDouble(), em, 1e-9);
    assertFalse(Files.exists(tmp.resolve("out/predictions.json.tmp")));
  }
}
