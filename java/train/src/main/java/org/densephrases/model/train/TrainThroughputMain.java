package org.densephrases.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.Scalars;

/**
 * Training throughput of our DJL BERT encoder (the blocks the Trainer uses), for the comparison with torch eager in
 * benchmarks/gpu/train_throughput.py: random ids (B)(T), a 2-unit span head, start/end cross-entropy, our AdamW.
 * Prints one line per configuration: tokens/s over the timed steps (after warm-up), with the loss read every step
 * (as the Trainer does) and, separately, without per-step reads.
 *
 * <pre>
 *   java ... org.densephrases.model.train.TrainThroughputMain [--device gpu] [--layers 12] [--hidden 384]
 *        [--batch 64] [--seq 256] [--steps 20] [--warmup 5]
 * </pre>
 */
public final class TrainThroughputMain {
  private TrainThroughputMain() {}

  /**
   * Runs the benchmark (options as in the class comment, each followed by its value) and prints one line per
   * configuration.
   *
   * @param args {@code --name value} pairs
   */
  public static void main(String[] args) {
    Map<String, String> o = new LinkedHashMap<>(Map.of("--device", "auto", "--layers", "12", "--hidden", "384",
        "--batch", "64", "--seq", "256", "--steps", "20", "--warmup", "5", "--heads", "12"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!o.containsKey(args[i])) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + o.keySet());
      }
      o.put(args[i], args[i + 1]);
    }
    Device dev = TrainDevice.resolve(o.get("--device"));
    int layers = Integer.parseInt(o.get("--layers"));
    int hidden = Integer.parseInt(o.get("--hidden"));
    int b = Integer.parseInt(o.get("--batch"));
    int t = Integer.parseInt(o.get("--seq"));
    int steps = Integer.parseInt(o.get("--steps"));
    int warm = Integer.parseInt(o.get("--warmup"));
    BertConfig cfg = new BertConfig(30522, hidden, layers, Integer.parseInt(o.get("--heads")), hidden * 4, 512, 2,
        1e-12f);
    for (boolean readLoss : new boolean[] {true, false}) {
      double tps = run(dev, cfg, b, t, steps, warm, readLoss);
      System.out.printf(Locale.ROOT, "djl %s layers=%d hidden=%d batch=%d seq=%d read_loss=%s tf32_env=%s: %.0f "
          + "tokens/s%n", dev, layers, hidden, b, t, readLoss,
          System.getenv().getOrDefault("TORCH_ALLOW_TF32_CUBLAS_OVERRIDE", "0"), tps);
    }
  }

  static double run(Device dev, BertConfig cfg, int b, int t, int steps, int warm, boolean readLoss) {
    try (NDManager m = NDManager.newBaseManager(dev, "PyTorch")) {
      Engine.getInstance().setRandomSeed(1);
      BertEncoderBlock enc = new BertEncoderBlock(cfg, 0.1f);
      enc.initialize(m, DataType.FLOAT32, BertEncoderBlock.inputShapes(1, 8));
      Parameter head = Parameter.builder().setName("head").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(cfg.hiddenSize(), 2))
          .optInitializer(new ai.djl.training.initializer.NormalInitializer(0.02f)).build();
      head.initialize(m, DataType.FLOAT32);
      Map<String, Parameter> params = new LinkedHashMap<>();
      for (Pair<String, Parameter> p : enc.getParameters()) {
        params.put(p.getKey(), p.getValue());
      }
      params.put("head", head);
      AdamW opt = new AdamW(params, m, 0.01f, 1f);
      Random rnd = new Random(7);
      long[] ids = new long[b * t];
      long[] types = new long[b * t];
      long[] mask = new long[b * t];
      float[] gs = new float[b * t];
      float[] ge = new float[b * t];
      double sec = 0;
      for (int s = 0; s < warm + steps; s++) {
        Arrays.fill(gs, 0);
        Arrays.fill(ge, 0);
        for (int i = 0; i < b * t; i++) {
          ids[i] = 1000 + rnd.nextInt(29000);
          mask[i] = 1;
          types[i] = (i % t) < 32 ? 0 : 1;
        }
        for (int r = 0; r < b; r++) {
          gs[r * t + 32 + rnd.nextInt(t - 40)] = 1;
          ge[r * t + 32 + rnd.nextInt(t - 40)] = 1;
        }
        long t0 = System.nanoTime();
        try (NDManager sub = m.newSubManager()) {
          ParameterStore ps = new ParameterStore(sub, false);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray h = enc.forward(ps, new NDList(sub.create(ids, new Shape(b, t)), sub.create(types,
                new Shape(b, t)), sub.create(mask, new Shape(b, t))), true).singletonOrThrow();
            NDArray logits = h.matMul(ps.getValue(head, dev, true)); // (B)(T)(2)
            NDArray ls = logits.get(":, :, 0").logSoftmax(1);
            NDArray le = logits.get(":, :, 1").logSoftmax(1);
            NDArray loss = Scalars.div(ls.mul(sub.create(gs, new Shape(b, t))).sum()
                .add(le.mul(sub.create(ge, new Shape(b, t))).sum()).neg(), 2f * b);
            gc.backward(loss);
            if (readLoss) {
              loss.getFloat();
            }
          }
        }
        opt.step(s + 1, 1e-4f);
        if (!readLoss && s == warm + steps - 1) {
          head.getArray().sum().getFloat(); // wait for the device before the clock stops
        }
        if (s >= warm) {
          sec += (System.nanoTime() - t0) / 1e9;
        }
      }
      return (double) b * t * steps / sec;
    }
  }
}
