package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint + resume: a run stopped after 2 steps (its process state thrown away) and resumed from its checkpoint
 * ends in exactly the state of a run that went straight through, parameters, optimizer moments and loss log alike.
 * The pre-batch cache restarts empty on resume, so it is off here (its warm-up set past the test's steps).
 */
class TrainerResumeTest {
  @TempDir Path tmp;

  private Trainer trainer(TrainConfig c, Path out) throws IOException {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    return new Trainer(c, out, quiet, () -> TinyRuns.tinyModel(c),
        Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource()));
  }

  @Test
  void resumedRunEqualsUninterruptedRun() throws IOException {
    TrainConfig c = TinyRuns.config(TinyRuns.squadFile(tmp));
    c.prebatchWarmup = 100;
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Checkpoint straight;
    try (Trainer t = trainer(c, a)) {
      t.train(4);
      t.checkpoint();
      straight = Checkpoint.read(a.resolve(Checkpoint.FILE));
    }
    try (Trainer t = trainer(c, b)) {
      t.train(2); // writes its checkpoint at the last step of this call
      assertEquals(2, Checkpoint.read(b.resolve(Checkpoint.FILE)).step());
    } // "killed": everything in memory is gone
    Checkpoint resumed;
    try (Trainer t = trainer(c, b)) {
      assertEquals(2, t.step());
      t.train(4);
      t.checkpoint();
      resumed = Checkpoint.read(b.resolve(Checkpoint.FILE));
    }
    assertEquals(4, straight.step());
    assertEquals(straight.step(), resumed.step());
    assertEquals(straight.examplesSeen(), resumed.examplesSeen());
    assertEquals(straight.params().keySet(), resumed.params().keySet());
    for (Map.Entry<String, Checkpoint.Param> e : straight.params().entrySet()) {
      assertArrayEquals(e.getValue().values(), resumed.params().get(e.getKey()).values(), 1e-6f, e.getKey());
    }
    assertEquals(straight.optimizer().keySet(), resumed.optimizer().keySet());
    for (Map.Entry<String, float[][]> e : straight.optimizer().entrySet()) {
      assertArrayEquals(e.getValue()[0], resumed.optimizer().get(e.getKey())[0], 1e-6f, e.getKey());
      assertArrayEquals(e.getValue()[1], resumed.optimizer().get(e.getKey())[1], 1e-6f, e.getKey());
    }
    List<String> la = Files.readAllLines(a.resolve("losses.csv"));
    List<String> lb = Files.readAllLines(b.resolve("losses.csv"));
    assertEquals(5, la.size());
    for (int i = 0; i < la.size(); i++) { // same losses (the seconds column differs)
      String[] x = la.get(i).split(",");
      String[] y = lb.get(i).split(",");
      assertEquals(x[0], y[0]);
      assertEquals(x[2], y[2], "loss at row " + i);
    }
    assertTrue(Files.size(b.resolve("loss-curve.png")) > 1000);
  }

  @Test
  void preBatchNegativesAndAllTermsTrainWithoutError() throws IOException {
    TrainConfig c = TinyRuns.config(TinyRuns.squadFile(tmp));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (Trainer t = new Trainer(c, tmp.resolve("p"), new PrintStream(log), () -> TinyRuns.tinyModel(c),
        Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource()))) {
      t.train(4);
    }
    String out = log.toString();
    assertTrue(java.util.regex.Pattern.compile("cache [1-9]").matcher(out).find(), out); // pre-batch rows in use
    assertTrue(!out.contains("NaN"), out);
  }

  @Test
  void incompatibleCheckpointIsRefusedWithAClearMessage() throws IOException {
    TrainConfig c = TinyRuns.config(TinyRuns.squadFile(tmp));
    Path out = tmp.resolve("c");
    try (Trainer t = trainer(c, out)) {
      t.train(1);
    }
    TrainConfig other = TinyRuns.config(TinyRuns.squadFile(tmp));
    other.batchWindows = 2;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(other, out));
    assertTrue(e.getMessage().contains("incompatible run"), e.getMessage());

    // a checkpoint of another model shape: the parameter is named
    Path ckpt = out.resolve(Checkpoint.FILE);
    Checkpoint k = Checkpoint.read(ckpt);
    var params = new java.util.LinkedHashMap<>(k.params());
    String first = params.keySet().iterator().next();
    params.put(first, new Checkpoint.Param(new long[] {3}, new float[3]));
    new Checkpoint(k.configJson(), k.step(), k.examplesSeen(), k.trainSeconds(), params, Map.of()).write(ckpt);
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> trainer(c, out));
    assertTrue(e2.getMessage().contains(first) && e2.getMessage().contains("shape"), e2.getMessage());

    // a corrupt checkpoint: checksum
    byte[] bytes = Files.readAllBytes(ckpt);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(ckpt, bytes);
    IOException e3 = assertThrows(IOException.class, () -> trainer(c, out));
    assertTrue(e3.getMessage().contains("checksum") || e3.getMessage().contains("corrupt"), e3.getMessage());

    // not a checkpoint at all
    Files.writeString(ckpt, "hello, I am not a checkpoint");
    assertThrows(Exception.class, () -> trainer(c, out));
  }

  @Test
  void badInputGivesClearErrors() throws IOException {
    TrainConfig c = TinyRuns.config(tmp.resolve("missing.json"));
    Exception e = assertThrows(Exception.class, () -> trainer(c, tmp.resolve("m")));
    assertTrue(e.getMessage().contains("missing.json"), e.getMessage());

    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"version\": \"1.1\", \"data\": [ {\"title\": ");
    TrainConfig c2 = TinyRuns.config(bad);
    Exception e2 = assertThrows(Exception.class, () -> trainer(c2, tmp.resolve("m2")));
    assertTrue(e2.getMessage().contains("bad.json"), e2.getMessage());

    TrainConfig c3 = TinyRuns.config(TinyRuns.squadFile(tmp));
    c3.model = "bert-huge-unknown";
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class, c3::validate);
    assertTrue(e3.getMessage().contains("bert-huge-unknown") && e3.getMessage().contains("all-minilm-l6-v2"),
        e3.getMessage());

    Path cfg = tmp.resolve("cfg.json");
    Files.writeString(cfg, "{ \"batchWindows\": \"many\" }");
    IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class, () -> TrainConfig.load(cfg));
    assertTrue(e4.getMessage().contains("cfg.json"), e4.getMessage());
    assertThrows(NoSuchFileException.class, () -> TrainConfig.load(tmp.resolve("nope.json")));
    assertThrows(NoSuchFileException.class, () -> TeacherLogits.read(tmp.resolve("nope.bin")));
  }
}
