package org.densephrases.model.teacher;

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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.bert.Scalars;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.eval.BestSpan;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.text.AmbiguousPolicy;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.SpanExample;
import org.densephrases.model.text.SquadExamples;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;
import org.densephrases.kernels.Progress;
import org.densephrases.model.train.AdamW;
import org.densephrases.model.train.Checkpoint;
import org.densephrases.model.train.Checkpoints;
import org.densephrases.model.train.LossCurve;
import org.densephrases.model.train.LossLog;
import org.densephrases.model.train.TeacherLogits;
import org.densephrases.model.train.TrainConfig;

/**
 * Trains the cross-attention teacher (start/end cross-entropy over context positions, one example = one question in
 * its answer's window), evaluates it on SQuAD (EM/F1, same windows and max-context rule as the phrase model), and
 * writes its logits for every training example once ({@link TeacherLogits}) for the student's distillation term.
 *
 * <p>Uses the student's {@link TrainConfig} for data, windows, seed and optimizer settings; {@code batchWindows} is
 * the number of examples per batch here. Checkpoints (same format as the student's) make it resumable.
 */
public final class TeacherTrainer implements AutoCloseable {
  private final TrainConfig config;
  private final Path outDir;
  private final PrintStream log;
  private final Tokenizer tokenizer;
  private final NDManager manager;
  private final CrossEncoderTeacher model;
  private final Map<String, Parameter> params = new LinkedHashMap<>();
  private final AdamW optimizer;
  private final QuestionEncoder questions;
  private final PassageEncoder passages;
  private long step;

  /**
   * A teacher run on the pretrained encoder named by the config; resumes from {@code outDir/checkpoint.bin} when
   * it exists.
   *
   * @param c the run config
   * @param outDir the run directory
   * @param log progress lines
   * @return the trainer, resumed from the checkpoint when one exists
   * @throws IOException when the checkpoint or directory cannot be read or written
   */
  public static TeacherTrainer create(TrainConfig c, Path outDir, PrintStream log) throws IOException {
    PretrainedModels.Pretrained pre = PretrainedModels.byName(c.model);
    return new TeacherTrainer(c, outDir, log, () -> new CrossEncoderTeacher(
        BertEncoderBlock.pretrained(pre.loadWeights(), c.dropout)), Tokenizer.fromResource(pre.tokenizerResource()));
  }

  /**
   * For tests: any teacher (for example a tiny random BERT) with the given tokenizer.
   *
   * @param c the run config
   * @param outDir the run directory
   * @param log progress lines
   * @param factory builds the (uninitialised) teacher
   * @param tokenizer the tokenizer matching its vocabulary
   * @throws IOException when the checkpoint or directory cannot be read or written
   */
  public TeacherTrainer(TrainConfig c, Path outDir, PrintStream log, Supplier<CrossEncoderTeacher> factory,
      Tokenizer tokenizer) throws IOException {
    this.config = c.validate();
    this.outDir = outDir;
    this.log = log;
    this.tokenizer = tokenizer;
    Files.createDirectories(outDir);
    questions = new QuestionEncoder(tokenizer, c.maxQuestionLength);
    passages = new PassageEncoder(tokenizer, new WindowConfig(c.maxLength, c.stride, c.maxTitleTokens));
    manager = NDManager.newBaseManager(org.densephrases.model.train.TrainDevice.resolveOrDefault(c.device), "PyTorch");
    log.println("teacher device: " + org.densephrases.model.train.TrainDevice.describe(manager.getDevice()));
    Engine.getInstance().setRandomSeed((int) c.seed);
    model = factory.get();
    for (Pair<String, Parameter> p : model.getParameters()) {
      params.put(p.getKey(), p.getValue());
    }
    Path ckptFile = outDir.resolve(Checkpoint.FILE);
    Checkpoint ckpt = Files.exists(ckptFile) ? Checkpoint.read(ckptFile) : null;
    if (ckpt != null) {
      Checkpoints.assign(params, ckpt, ckptFile);
    }
    model.initialize(manager, DataType.FLOAT32, new Shape(1, 8), new Shape(1, 8), new Shape(1, 8));
    Map<String, Parameter> trainable = new LinkedHashMap<>();
    params.forEach((k, v) -> {
      if (v.requiresGradient()) {
        trainable.put(k, v);
      }
    });
    optimizer = new AdamW(trainable, manager, c.weightDecay, c.clipNorm);
    if (ckpt != null) {
      optimizer.restore(ckpt.optimizer());
      step = ckpt.step();
      trainSeconds = ckpt.trainSeconds();
      LossLog.truncate(outDir.resolve(LossLog.FILE), step);
      log.printf(Locale.ROOT, "teacher resumed from %s at step %d%n", ckptFile, step);
    }
  }

  /**
   * The device the teacher runs on.
   *
   * @return the DJL device of the teacher's parameters
   */
  public ai.djl.Device device() {
    return manager.getDevice();
  }

  /** {@return the teacher model} */
  public CrossEncoderTeacher model() {
    return model;
  }

  /** {@return optimizer steps done} */
  public long step() {
    return step;
  }

  /**
   * Trains up to {@code steps} (global) on {@code data}'s examples, checkpointing every checkpointSteps.
   *
   * @param data the training examples and passages
   * @param steps the global step to stop at
   * @throws IOException when a checkpoint cannot be written
   */
  public void train(SquadExamples.Result data, long steps) throws IOException {
    List<SpanExample> order = new ArrayList<>(data.examples());
    int b = config.batchWindows;
    long perEpoch = (order.size() + b - 1) / b;
    int epochLoaded = -1;
    while (step < steps) {
      int epoch = (int) (step / perEpoch);
      if (epoch != epochLoaded) {
        order = bucketed(data, epoch);
        epochLoaded = epoch;
      }
      int from = (int) ((step % perEpoch) * b);
      List<SpanExample> batch = order.subList(from, Math.min(order.size(), from + b));
      long t0 = System.nanoTime();
      Engine.getInstance().setRandomSeed((int) (config.seed + step));
      float lr = config.learningRate * Math.min(1f, (step + 1) / Math.max(1f, config.warmupFraction * steps))
          * Math.max(0f, 1f - (float) step / steps);
      float loss;
      long tokens;
      try (NDManager sub = manager.newSubManager()) {
        Inputs in = inputs(batch, data.passages());
        tokens = realTokens(in.batch);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDList out = model.forward(new ParameterStore(sub, false), new NDList(sub.create(in.batch.ids()),
              sub.create(in.batch.typeIds()), sub.create(in.batch.mask())), true);
          NDArray l = spanLoss(sub, out.get(0), out.get(1), in);
          loss = l.getFloat();
          gc.backward(l);
        }
      }
      optimizer.step((int) step + 1, lr);
      step++;
      double sec = (System.nanoTime() - t0) / 1e9;
      secondsEma = secondsEma == 0 ? sec : 0.9 * secondsEma + 0.1 * sec;
      long etaS = Math.round(secondsEma * (steps - step));
      trainSeconds += sec;
      LossLog.append(outDir.resolve(LossLog.FILE), LossLog.TEACHER_HEADER, step, trainSeconds, loss, lr,
          (float) (tokens / sec));
      log.printf(Locale.ROOT, "teacher step %d/%d | loss %.4f | lr %.2e | %.2f s/step %.0f tok/s | ETA %dh%02dm%n",
          step, steps, loss, lr, sec, tokens / sec, etaS / 3600, (etaS / 60) % 60);
      if (step % config.checkpointSteps == 0 || step == steps) {
        new Checkpoint(config.toJson(), step, step * b, trainSeconds, Checkpoints.snapshot(params), optimizer.state())
            .write(outDir.resolve(Checkpoint.FILE));
        try {
          LossCurve.plot(outDir.resolve(LossLog.FILE), outDir.resolve("loss-curve.png"));
        } catch (RuntimeException | LinkageError e) { // e.g. a runtime without java.desktop or fonts
          log.println("warning: loss curve not drawn: " + e);
        }
      }
    }
  }

  private double secondsEma;
  /** (question, window) rows per forward pass in {@link #evaluate}. */
  private static final int EVAL_ROWS = 32;
  private double trainSeconds;

  /**
   * One epoch's example order: shuffled (seed, epoch), then cut into chunks of 64 batches whose examples are sorted by
   * window length (less padding, since every example is question + window), and the batches shuffled again.
   */
  private List<SpanExample> bucketed(SquadExamples.Result data, int epoch) {
    return bucketedOrder(data, config.batchWindows, config.seed * 31 + epoch);
  }

  /**
   * The order {@link #train} uses for one epoch: batches of {@code b} examples of similar window length.
   *
   * @param data the examples
   * @param b the batch size
   * @param seed the shuffle seed
   * @return the examples in training order
   */
  public static List<SpanExample> bucketedOrder(SquadExamples.Result data, int b, long seed) {
    Random rnd = new Random(seed);
    List<SpanExample> all = new ArrayList<>(data.examples());
    Collections.shuffle(all, rnd);
    int chunk = b * 64;
    List<List<SpanExample>> batches = new ArrayList<>();
    for (int from = 0; from < all.size(); from += chunk) {
      List<SpanExample> c = new ArrayList<>(all.subList(from, Math.min(all.size(), from + chunk)));
      c.sort(java.util.Comparator.comparingInt(
          e -> data.passages().get(e.paragraph()).windows().get(e.window()).length() * 128 + e.question().length()));
      for (int i = 0; i < c.size(); i += b) {
        batches.add(c.subList(i, Math.min(c.size(), i + b)));
      }
    }
    Collections.shuffle(batches, rnd);
    // the one short batch (if any) goes last, so that train()'s step * b offsets stay aligned with batches
    batches.sort(java.util.Comparator.comparingInt(x -> x.size() < b ? 1 : 0));
    List<SpanExample> out = new ArrayList<>(all.size());
    batches.forEach(out::addAll);
    return out;
  }

  private static long realTokens(Batch b) {
    long n = 0;
    for (long[] row : b.mask()) {
      for (long m : row) {
        n += m;
      }
    }
    return n;
  }

  private record Inputs(Batch batch, int[] start, int[] end, float[][] contextMask, int[] offset) {}

  private Inputs inputs(List<SpanExample> batch, List<EncodedPassage> passagesOf) {
    List<long[]> ids = new ArrayList<>();
    List<long[]> types = new ArrayList<>();
    int n = batch.size();
    int[] st = new int[n];
    int[] en = new int[n];
    int[] off = new int[n];
    List<PassageWindow> wins = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      SpanExample e = batch.get(k);
      PassageWindow w = passagesOf.get(e.paragraph()).windows().get(e.window());
      long[] q = questions.encode(e.question());
      long[][] io = CrossEncoderTeacher.inputs(q, w);
      ids.add(io[0]);
      types.add(io[1]);
      off[k] = CrossEncoderTeacher.offset(q);
      st[k] = e.start() + off[k];
      en[k] = e.end() + off[k];
      wins.add(w);
    }
    Batch b = Batch.pad(ids, types, tokenizer.padId());
    float[][] ctx = new float[n][b.length()];
    for (int k = 0; k < n; k++) {
      PassageWindow w = wins.get(k);
      for (int i = 0; i < w.count(); i++) {
        ctx[k][off[k] + w.contextOffset() + i] = 1;
      }
    }
    return new Inputs(b, st, en, ctx, off);
  }

  /** Start/end cross-entropy over context positions, mean over examples, (start + end) / 2. */
  private static NDArray spanLoss(NDManager nd, NDArray start, NDArray end, Inputs in) {
    int n = in.start.length;
    int t = in.batch.length();
    float[] bias = new float[n * t];
    float[] gs = new float[n * t];
    float[] ge = new float[n * t];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < t; i++) {
        bias[k * t + i] = in.contextMask[k][i] > 0 ? 0 : -1e9f;
      }
      gs[k * t + in.start[k]] = 1;
      ge[k * t + in.end[k]] = 1;
    }
    NDArray b = nd.create(bias, new Shape(n, t));
    NDArray ls = start.add(b).logSoftmax(1).mul(nd.create(gs, new Shape(n, t))).sum();
    NDArray le = end.add(b).logSoftmax(1).mul(nd.create(ge, new Shape(n, t))).sum();
    return Scalars.div(ls.add(le).neg(), 2f * n);
  }

  /**
   * Start/end logits at the student's window positions for each example (non-context positions hold 0).
   *
   * @param data the examples and passages
   * @param teacherId the id recorded in the result
   * @return the logits per question
   */
  public TeacherLogits logits(SquadExamples.Result data, String teacherId) {
    Map<String, float[][]> out = new LinkedHashMap<>();
    List<SpanExample> all = data.examples();
    Progress progress = new Progress("teacher logits (examples)", all.size(), progressLog(), 30);
    for (int from = 0; from < all.size(); from += 32) {
      List<SpanExample> batch = all.subList(from, Math.min(all.size(), from + 32));
      try (NDManager sub = manager.newSubManager()) {
        Inputs in = inputs(batch, data.passages());
        NDList o = model.forward(new ParameterStore(sub, false), new NDList(sub.create(in.batch.ids()),
            sub.create(in.batch.typeIds()), sub.create(in.batch.mask())), false);
        float[] s = o.get(0).toFloatArray();
        float[] e = o.get(1).toFloatArray();
        int t = in.batch.length();
        for (int k = 0; k < batch.size(); k++) {
          SpanExample ex = batch.get(k);
          PassageWindow w = data.passages().get(ex.paragraph()).windows().get(ex.window());
          float[] ls = new float[w.length()];
          float[] le = new float[w.length()];
          for (int i = 0; i < w.count(); i++) {
            int pos = w.contextOffset() + i;
            ls[pos] = s[k * t + pos + in.offset[k]];
            le[pos] = e[k * t + pos + in.offset[k]];
          }
          out.put(ex.questionId(), new float[][] {ls, le});
        }
      }
      progress.advance(batch.size());
    }
    progress.finish();
    return new TeacherLogits(teacherId, out);
  }

  /**
   * SQuAD EM/F1 of the teacher: every window of each question's paragraph, best span within maxAnswerLength.
   *
   * @param data the dataset
   * @param maxAnswerLength the most tokens in an answer
   * @return EM and F1 in percent
   */
  public SquadMetrics.Result evaluate(SquadDataset data, int maxAnswerLength) {
    return SquadMetrics.evaluate(data, predictions(data, maxAnswerLength, EVAL_ROWS));
  }

  /**
   * The teacher's answer text per question id: every (question, window) row of a paragraph, {@code rowsPerForward}
   * rows per forward pass (padded to the longest; the result does not depend on it), best span within
   * maxAnswerLength over the windows, each position scored only in the window where it has the most context.
   *
   * @param data the dataset
   * @param maxAnswerLength the most tokens in an answer
   * @param rowsPerForward rows per forward pass (at least 1)
   * @return question id to answer text
   */
  public Map<String, String> predictions(SquadDataset data, int maxAnswerLength, int rowsPerForward) {
    if (rowsPerForward < 1) {
      throw new IllegalArgumentException("rowsPerForward must be >= 1, got " + rowsPerForward);
    }
    Map<String, String> preds = new LinkedHashMap<>();
    Progress progress = new Progress("teacher eval (questions)",
        data.paragraphs().stream().mapToLong(p -> p.questions().size()).sum(), progressLog(), 30);
    for (SquadParagraph p : data.paragraphs()) {
      progress.advance(p.questions().size());
      EncodedPassage enc = passages.encode(p.title(), p.context());
      List<PassageWindow> wins = enc.windows();
      if (wins.isEmpty()) {
        p.questions().forEach(q -> preds.put(q.id(), ""));
        continue;
      }
      // every (question, window) row of the paragraph, forwarded EVAL_ROWS at a time
      int nq = p.questions().size();
      int rows = nq * wins.size();
      long[][] qIds = new long[nq][];
      for (int qi = 0; qi < nq; qi++) {
        qIds[qi] = questions.encode(p.questions().get(qi).question());
      }
      BestSpan.Span[] best = new BestSpan.Span[nq];
      int[] bestW = new int[nq];
      for (int from = 0; from < rows; from += rowsPerForward) {
        int to = Math.min(rows, from + rowsPerForward);
        List<long[]> ids = new ArrayList<>();
        List<long[]> types = new ArrayList<>();
        for (int r = from; r < to; r++) {
          long[][] io = CrossEncoderTeacher.inputs(qIds[r / wins.size()], wins.get(r % wins.size()));
          ids.add(io[0]);
          types.add(io[1]);
        }
        Batch b = Batch.pad(ids, types, tokenizer.padId());
        try (NDManager sub = manager.newSubManager()) {
          NDList o = model.forward(new ParameterStore(sub, false), new NDList(sub.create(b.ids()),
              sub.create(b.typeIds()), sub.create(b.mask())), false);
          float[] s = o.get(0).toFloatArray();
          float[] e = o.get(1).toFloatArray();
          int t = b.length();
          for (int r = from; r < to; r++) {
            int qi = r / wins.size();
            int wi = r % wins.size();
            PassageWindow w = wins.get(wi);
            int at = (r - from) * t + CrossEncoderTeacher.offset(qIds[qi]) + w.contextOffset();
            float[] ss = java.util.Arrays.copyOfRange(s, at, at + w.count());
            float[] ee = java.util.Arrays.copyOfRange(e, at, at + w.count());
            BestSpan.Span sp = BestSpan.find(ss, ee, 0, w.count(), maxAnswerLength, w.maxContext());
            if (sp != null && (best[qi] == null || sp.score() > best[qi].score())) {
              best[qi] = sp;
              bestW[qi] = wi;
            }
          }
        }
      }
      for (int qi = 0; qi < nq; qi++) {
        String text = "";
        if (best[qi] != null) {
          int first = wins.get(bestW[qi]).firstContextToken();
          text = enc.spanText(first + best[qi].start(), first + best[qi].end());
        }
        preds.put(p.questions().get(qi).id(), text);
      }
    }
    progress.finish();
    return preds;
  }

  /** Progress lines (count, rate, ETA) on this trainer's log. */
  private Progress.Listener progressLog() {
    return (phase, done, total, rate, eta, finished) -> log.println(Progress.format(phase, done, total, rate, eta,
        finished));
  }

  /**
   * The examples whose question id hashes (CRC32 of its UTF-8 bytes) into the first {@code fraction} of 10,000
   * buckets: a fixed, order-independent subset spread over every article.
   *
   * @param data the examples
   * @param fraction the share to keep, in (0, 1]
   * @return the subset, with the same passages
   */
  public static SquadExamples.Result sample(SquadExamples.Result data, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
    }
    long keep = Math.round(fraction * 10_000);
    List<SpanExample> out = new ArrayList<>();
    for (SpanExample e : data.examples()) {
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(e.questionId().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (crc.getValue() % 10_000 < keep) {
        out.add(e);
      }
    }
    return new SquadExamples.Result(out, data.passages(), data.stats());
  }

  /**
   * Builds training examples of a dataset with this trainer's windows.
   *
   * @param data the dataset
   * @return its examples and encoded passages
   */
  public SquadExamples.Result examples(SquadDataset data) {
    return SquadExamples.build(data, passages, config.ambiguous.equals("drop") ? AmbiguousPolicy.DROP
        : AmbiguousPolicy.FIRST_OCCURRENCE);
  }

  @Override
  public void close() {
    manager.close();
    tokenizer.close();
  }
}
