package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Trainer on CPU and on GPU: a few steps from the same parameters (the CPU run's step-0 checkpoint, so random
 * initialisation on two devices' generators plays no part) with dropout off must log the same losses. Tolerance:
 * 1e-3 relative per term (fp32 on both; reductions and GEMMs sum in another order on the GPU, and TF32 matmuls must
 * stay off for this test: TORCH_ALLOW_TF32_CUBLAS_OVERRIDE unset). Skipped where the engine sees no GPU (CI); runs on
 * the GPU machine (tools/gpu-train.sh runs it before training).
 */
class TrainDeviceParityTest {
  static final double RELATIVE = 1e-3;
  @TempDir Path tmp;

  /** The first pretrained tokenizer on the class path (all three share BERT's uncased vocabulary). */
  static Tokenizer tokenizer() {
    for (PretrainedModels.Pretrained p : PretrainedModels.ALL) {
      if (TrainDeviceParityTest.class.getClassLoader().getResource(p.tokenizerResource()) != null) {
        return Tokenizer.fromResource(p.tokenizerResource());
      }
    }
    throw new IllegalStateException("no pretrained tokenizer on the class path");
  }

  private List<double[]> run(TrainConfig c, Path out, int steps) throws IOException {
    try (Trainer t = new Trainer(c, out, new PrintStream(new ByteArrayOutputStream()), () -> TinyRuns.tinyModel(c),
        tokenizer())) {
      t.train(steps);
    }
    List<double[]> rows = new ArrayList<>();
    List<String> lines = Files.readAllLines(out.resolve(LossLog.FILE));
    String[] head = lines.get(0).split(",");
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",");
      double[] r = new double[5];
      for (int i = 0; i < head.length; i++) {
        switch (head[i]) {
          case "loss" -> r[0] = Double.parseDouble(f[i]);
          case "single" -> r[1] = Double.parseDouble(f[i]);
          case "negative" -> r[2] = Double.parseDouble(f[i]);
          case "filter" -> r[3] = Double.parseDouble(f[i]);
          case "gnorm" -> r[4] = Double.parseDouble(f[i]);
          default -> { }
        }
      }
      rows.add(r);
    }
    return rows;
  }

  @Test
  void cpuAndGpuLogTheSameLosses() throws IOException {
    assumeTrue(Engine.getEngine("PyTorch").getGpuCount() > 0, "no GPU visible to the PyTorch engine");
    assumeTrue(System.getenv("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE") == null, "TF32 matmuls are switched on");
    TrainConfig c = TinyRuns.config(TinyRuns.squadFile(tmp));
    c.dropout = 0f;
    c.device = "cpu";
    Path cpu = tmp.resolve("cpu");
    Path gpu = tmp.resolve("gpu");
    try (Trainer t = new Trainer(c, cpu, new PrintStream(new ByteArrayOutputStream()), () -> TinyRuns.tinyModel(c),
        tokenizer())) {
      t.checkpoint(); // step 0: the parameters both runs start from
    }
    Files.createDirectories(gpu);
    Files.copy(cpu.resolve(Checkpoint.FILE), gpu.resolve(Checkpoint.FILE));
    List<double[]> a = run(c, cpu, 4);
    TrainConfig g = TrainConfig.fromJson(c.toJson());
    g.device = "gpu";
    List<double[]> b = run(g, gpu, 4);
    assertEquals(4, a.size());
    assertEquals(a.size(), b.size());
    String[] names = {"loss", "single", "negative", "filter", "gnorm"};
    for (int s = 0; s < a.size(); s++) {
      for (int k = 0; k < names.length; k++) {
        double x = a.get(s)[k];
        double y = b.get(s)[k];
        double rel = Math.abs(x - y) / Math.max(1e-6, Math.abs(x));
        System.out.printf("step %d %s cpu %.6f gpu %.6f rel %.2e%n", s + 1, names[k], x, y, rel);
        assertTrue(rel <= RELATIVE, "step " + (s + 1) + " " + names[k] + ": cpu " + x + " gpu " + y);
      }
    }
  }

  @Test
  void badDeviceIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainDevice.resolve("tpu"));
    assertTrue(e.getMessage().contains("tpu"), e.getMessage());
    int gpus = Engine.getEngine("PyTorch").getGpuCount();
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
        () -> TrainDevice.resolve("gpu:" + gpus));
    assertTrue(e2.getMessage().contains("sees " + gpus + " GPU"), e2.getMessage());
    assertEquals(gpus > 0 ? "gpu(0)" : "cpu()", TrainDevice.resolve("auto").toString());
  }
}
