package org.densephrases.model.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.densephrases.kernels.Backends;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.AmbiguousPolicy;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.SpanExample;
import org.densephrases.model.text.SquadExamples;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;

/**
 * The training loop: batches of passage windows with all their questions, the {@link PhraseObjective}, AdamW with a
 * linear warm-up and decay, progress lines, atomic checkpoints every N steps or minutes, a loss log and curve.
 *
 * <p>Resume: {@code outDir/checkpoint.bin} holds the step, the parameters and the optimizer's moments; the batch
 * order is a function of (seed, epoch) and dropout is seeded with (seed + step), so a resumed run repeats exactly what
 * the killed one would have done. The pre-batch cache restarts empty (it refills in C steps).
 */
public final class Trainer implements AutoCloseable {
  private final TrainConfig config;
  private final Path outDir;
  private final PrintStream log;
  private final NDManager manager;
  private final ai.djl.Device device;
  private final Tokenizer tokenizer;
  private final PhraseModel model;
  private final TrainingBatches batches;
  private final QuestionEncoder questions;
  private final PhraseObjective objective;
  private final AdamW optimizer;
  private final Map<String, Parameter> allParams = new LinkedHashMap<>();
  private final TeacherLogits teacher;
  private final Deque<float[][]> cache = new ArrayDeque<>();
  private long step;
  private long examplesSeen;
  private double trainSeconds;

  /**
   * A run on the pretrained encoder named by the config; resumes from outDir/checkpoint.bin when it exists.
   *
   * @param config the validated run config
   * @param outDir the run directory: checkpoints, exports, loss log
   * @param log progress lines
   * @return the trainer, resumed when a checkpoint exists
   * @throws IOException when the data, the checkpoint or the directory cannot be read or written
   */
  public static Trainer create(TrainConfig config, Path outDir, PrintStream log) throws IOException {
    PretrainedModels.Pretrained pre = PretrainedModels.byName(config.model);
    Supplier<PhraseModel> factory = () -> {
      var w = pre.loadWeights();
      return switch (config.layout) {
        case "shared" -> PhraseModel.sharedFromPretrained(w, config.dropout);
        case "tied" -> PhraseModel.tiedFromPretrained(w, config.dropout);
        default -> PhraseModel.fromPretrained(w, config.dropout);
      };
    };
    return new Trainer(config, outDir, log, factory, Tokenizer.fromResource(pre.tokenizerResource()));
  }

  /**
   * For tests: any model (e.g. a tiny random BERT) with the given tokenizer.
   *
   * @param config the validated run config
   * @param outDir the run directory
   * @param log progress lines
   * @param modelFactory builds the (uninitialised) model
   * @param tokenizer the tokenizer matching the model's vocabulary
   * @throws IOException when the data, the checkpoint or the directory cannot be read or written
   */
  public Trainer(TrainConfig config, Path outDir, PrintStream log, Supplier<PhraseModel> modelFactory,
      Tokenizer tokenizer) throws IOException {
    this.config = config.validate();
    this.outDir = outDir;
    this.log = log;
    this.tokenizer = tokenizer;
    Files.createDirectories(outDir);
    Path ckptFile = outDir.resolve(Checkpoint.FILE);
    Checkpoint ckpt = Files.exists(ckptFile) ? Checkpoint.read(ckptFile) : null;
    if (ckpt != null) {
      TrainConfig saved = TrainConfig.fromJson(ckpt.configJson());
      if (!saved.identity().equals(config.identity())) {
        throw new IllegalArgumentException(ckptFile + " was written by an incompatible run: it trained "
            + saved.identity() + ", this config asks for " + config.identity()
            + " (use another --out directory or the same settings)");
      }
    }

    SquadDataset data = SquadReader.read(Path.of(config.trainFile));
    if (config.trainParagraphs > 0 && config.trainParagraphs < data.paragraphs().size()) {
      data = new SquadDataset(data.source(), data.version(), data.paragraphs().subList(0, config.trainParagraphs));
    }
    long t0 = System.nanoTime();
    PassageEncoder pe = new PassageEncoder(tokenizer, new WindowConfig(config.maxLength, config.stride,
        config.maxTitleTokens));
    SquadExamples.Result ex = SquadExamples.build(data, pe,
        config.ambiguous.equals("drop") ? AmbiguousPolicy.DROP : AmbiguousPolicy.FIRST_OCCURRENCE);
    batches = new TrainingBatches(ex, config.batchWindows, config.seed);
    questions = new QuestionEncoder(tokenizer, config.maxQuestionLength);
    log.printf(Locale.ROOT, "data: %s; %d windows with questions, %d steps/epoch (tokenized in %.1f s)%n",
        ex.stats(), batches.units().size(), batches.stepsPerEpoch(), (System.nanoTime() - t0) / 1e9);
    teacher = config.teacherLogits == null ? null : TeacherLogits.read(Path.of(config.teacherLogits));
    if (teacher != null) {
      log.printf(Locale.ROOT, "teacher logits: %d questions from %s%n", teacher.size(), config.teacherLogits);
    }

    device = TrainDevice.resolveOrDefault(config.device);
    manager = NDManager.newBaseManager(device, "PyTorch");
    Engine.getInstance().setRandomSeed((int) config.seed);
    model = modelFactory.get();
    for (Pair<String, Parameter> p : model.getParameters()) {
      allParams.put(p.getKey(), p.getValue());
    }
    if (ckpt != null) {
      Checkpoints.assign(allParams, ckpt, ckptFile);
    } else if (config.initCheckpoint != null) { // parameters only: this run's optimizer and schedule start fresh
      Path init = Path.of(config.initCheckpoint);
      Checkpoints.assign(allParams, Checkpoint.read(init), init);
      log.printf(Locale.ROOT, "parameters from %s%n", init);
    }
    model.initialize(manager, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
    if (config.freezeWordEmbeddings) {
      freezeWordEmbeddings(model);
    }
    Map<String, Parameter> trainable = new LinkedHashMap<>();
    java.util.Set<Parameter> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    allParams.forEach((k, v) -> {
      if (v.requiresGradient() && seen.add(v)) { // a tied encoder lists its parameters twice: update them once
        trainable.put(k, v);
      }
    });
    optimizer = new AdamW(trainable, manager, config.weightDecay, config.clipNorm);
    objective = new PhraseObjective(Backends.best().negativeLoss(), new PhraseObjective.Weights(config.lambda1,
        config.lambda2, config.lambda3, config.lambdaFilter));
    if (ckpt != null) {
      optimizer.restore(ckpt.optimizer());
      step = ckpt.step();
      examplesSeen = ckpt.examplesSeen();
      trainSeconds = ckpt.trainSeconds();
      LossLog.truncate(outDir.resolve(LossLog.FILE), step);
      log.printf(Locale.ROOT, "resumed from %s at step %d (%d examples, %.0f s trained); pre-batch cache restarts "
          + "empty%n", ckptFile, step, examplesSeen, trainSeconds);
    }
    long nTrain = trainable.values().stream().mapToLong(p -> p.getShape().size()).sum();
    long nAll = allParams.values().stream().distinct().mapToLong(p -> p.getShape().size()).sum();
    log.printf(Locale.ROOT, "model %s (%s layout): %.1fM parameters, %.1fM trained; device %s; negatives on %s%n",
        config.model, config.layout, nAll / 1e6, nTrain / 1e6, TrainDevice.describe(device), Backends.best().name());
    Files.writeString(outDir.resolve("config.json"), config.toJson());
  }

  static void freezeWordEmbeddings(PhraseModel m) {
    List<BertEncoderBlock> encs = new ArrayList<>(List.of(m.phraseEncoder(), m.questionStartEncoder()));
    if (m.questionEndEncoder() != null) {
      encs.add(m.questionEndEncoder());
    }
    for (BertEncoderBlock e : encs) {
      e.namedParameters().get("embeddings.word_embeddings.weight").freeze(true);
    }
  }

  /** {@return the model being trained} */
  public PhraseModel model() {
    return model;
  }

  /** {@return optimizer steps done (including those of a resumed checkpoint)} */
  public long step() {
    return step;
  }

  /** {@return every parameter of the model by name, frozen ones included} */
  public Map<String, Parameter> parameters() {
    return allParams;
  }

  /** {@return the steps this run plans: epochs times steps per epoch, capped at {@code maxSteps} when set} */
  public long plannedSteps() {
    long full = (long) config.epochs * batches.stepsPerEpoch();
    return config.maxSteps > 0 ? Math.min(full, config.maxSteps) : full;
  }

  /** Linear warm-up then linear decay to 0 at the planned last step (maxSteps when set). */
  float learningRate(long s) {
    long total = plannedSteps();
    long warm = Math.max(1, (long) (config.warmupFraction * total));
    if (s < warm) {
      return config.learningRate * (s + 1) / warm;
    }
    return config.learningRate * Math.max(0f, (float) (total - s) / Math.max(1, total - warm));
  }

  /**
   * Trains until the planned last step or {@code stopAt} (exclusive; -1 = no limit), checkpointing on the way.
   *
   * @param stopAt a step to stop before, or -1
   * @throws IOException when a checkpoint or log cannot be written
   */
  public void train(long stopAt) throws IOException {
    long last = stopAt < 0 ? plannedSteps() : Math.min(plannedSteps(), stopAt);
    long lastCkpt = System.nanoTime();
    long sinceCkpt = 0;
    List<List<TrainingBatches.Unit>> epochBatches = null;
    int epochLoaded = -1;
    Path lossFile = outDir.resolve(LossLog.FILE);
    double windowSeconds = 0;
    long windowSteps = 0;
    while (step < last) {
      int epoch = (int) (step / batches.stepsPerEpoch());
      if (epoch != epochLoaded) {
        epochBatches = batches.epoch(epoch);
        epochLoaded = epoch;
      }
      List<TrainingBatches.Unit> batch = epochBatches.get((int) (step % batches.stepsPerEpoch()));
      long t0 = System.nanoTime();
      StepResult r = trainStep(batch);
      double sec = (System.nanoTime() - t0) / 1e9;
      step++;
      sinceCkpt++;
      examplesSeen += r.questions;
      trainSeconds += sec;
      windowSeconds += sec;
      windowSteps++;
      double avg = windowSeconds / windowSteps;
      long eta = (long) (avg * (last - step));
      String line = String.format(Locale.ROOT,
          "step %d/%d ep %d | loss %.4f single %.4f neg %.4f filter %.4f kl %s | lr %.2e gnorm %.2f | q %d cache %d "
              + "| %.0f tok/s %.2f s/step | ETA %dh%02dm",
          step, last, epoch, r.total, r.single, r.negative, r.filter, r.distilled > 0
              ? String.format(Locale.ROOT, "%.4f", r.distill) : "-", r.lr, r.gnorm, r.questions, r.cacheRows,
          r.tokens / sec, sec, eta / 3600, (eta % 3600) / 60);
      log.println(line);
      LossLog.append(lossFile, LossLog.STUDENT_HEADER, step, trainSeconds, r.total, r.single, r.distill, r.negative,
          r.filter, r.lr, r.gnorm, (float) (r.tokens / sec), r.questions, r.cacheRows);
      boolean due = sinceCkpt >= config.checkpointSteps
          || (System.nanoTime() - lastCkpt) / 60e9 >= config.checkpointMinutes;
      if (due || step == last) {
        checkpoint();
        lastCkpt = System.nanoTime();
        sinceCkpt = 0;
        if (windowSteps > 20) {
          windowSeconds = avg * 10; // keep the ETA responsive to a machine that got busier or quieter
          windowSteps = 10;
        }
      }
    }
  }

  private record StepResult(float total, float single, float distill, float negative, float filter, float lr,
      float gnorm, int questions, int cacheRows, long tokens, int distilled) {}

  private StepResult trainStep(List<TrainingBatches.Unit> units) {
    Engine.getInstance().setRandomSeed((int) (config.seed + step)); // dropout masks are a function of the step
    List<PassageWindow> windows = new ArrayList<>(units.size());
    List<long[]> qIds = new ArrayList<>();
    List<Integer> unitOf = new ArrayList<>();
    List<int[]> gold = new ArrayList<>();
    List<SpanExample> exs = new ArrayList<>();
    long tokens = 0;
    for (int u = 0; u < units.size(); u++) {
      TrainingBatches.Unit unit = units.get(u);
      windows.add(unit.windowData());
      tokens += unit.length();
      for (SpanExample e : unit.examples()) {
        long[] q = questions.encode(e.question());
        tokens += q.length;
        qIds.add(q);
        unitOf.add(u);
        gold.add(new int[] {e.start(), e.end()});
        exs.add(e);
      }
    }
    Batch pb = Batch.ofWindows(windows, tokenizer.padId());
    Batch qb = Batch.pad(qIds, null, tokenizer.padId());
    int n = qIds.size();
    int t = pb.length();
    float[][] ctx = new float[units.size()][t];
    for (int u = 0; u < units.size(); u++) {
      PassageWindow w = windows.get(u);
      for (int i = 0; i < w.count(); i++) {
        ctx[u][w.contextOffset() + i] = 1;
      }
    }
    int[] uo = new int[n];
    int[] st = new int[n];
    int[] en = new int[n];
    float[][] ts = null;
    float[][] te = null;
    if (teacher != null) {
      ts = new float[n][];
      te = new float[n][];
    }
    for (int k = 0; k < n; k++) {
      uo[k] = unitOf.get(k);
      st[k] = gold.get(k)[0];
      en[k] = gold.get(k)[1];
      if (teacher != null) {
        float[][] tl = teacher.get(exs.get(k).questionId());
        if (tl != null && tl[0].length == windows.get(uo[k]).length()) {
          ts[k] = tl[0];
          te[k] = tl[1];
        }
      }
    }
    PhraseObjective.Labels labels = new PhraseObjective.Labels(uo, st, en, ctx, ts, te);
    boolean prebatchOn = config.prebatch > 0 && step >= config.prebatchWarmup;
    float[][] cached = null;
    int cacheRows = 0;
    if (prebatchOn && !cache.isEmpty()) {
      cached = concatCache();
      cacheRows = cached[0].length / model.hiddenSize();
    }
    float lr = learningRate(step);
    float[][] goldOut = new float[2][];
    PhraseObjective.Terms terms;
    try (NDManager sub = manager.newSubManager()) {
      ParameterStore ps = new ParameterStore(sub, false);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDList p = model.encodePassages(ps, sub.create(pb.ids()), sub.create(pb.typeIds()), sub.create(pb.mask()),
            true);
        NDList q = model.encodeQuestions(ps, sub.create(qb.ids()), sub.create(qb.typeIds()), sub.create(qb.mask()),
            true);
        terms = objective.compute(sub, p.get(0), p.get(1), q.get(0), q.get(1), labels, cached, cacheRows, goldOut);
        gc.backward(terms.total());
      }
    }
    float gnorm = optimizer.step((int) step + 1, lr);
    if (optimizer.lastSkipReason() != null) {
      log.println("warning: update skipped: " + optimizer.lastSkipReason());
    }
    if (config.prebatch > 0 && step + 1 >= config.prebatchWarmup) {
      cache.addLast(goldOut);
      while (cache.size() > config.prebatch) {
        cache.removeFirst();
      }
    }
    PhraseObjective.Weights w = objective.weights();
    float total = w.lambda1() * terms.single() + w.lambda2() * terms.distill() + w.lambda3() * terms.negative()
        + w.filter() * terms.filter();
    return new StepResult(total, terms.single(), terms.distill(), terms.negative(), terms.filter(), lr, gnorm, n,
        cacheRows, tokens, terms.distilled());
  }

  private float[][] concatCache() {
    int len = 0;
    for (float[][] c : cache) {
      len += c[0].length;
    }
    float[] s = new float[len];
    float[] e = new float[len];
    int o = 0;
    for (float[][] c : cache) {
      System.arraycopy(c[0], 0, s, o, c[0].length);
      System.arraycopy(c[1], 0, e, o, c[1].length);
      o += c[0].length;
    }
    return new float[][] {s, e};
  }

  /**
   * Writes checkpoint.bin atomically, a parameters-only snapshot, the loss curve.
   *
   * @throws IOException when a file cannot be written
   */
  public void checkpoint() throws IOException {
    long t0 = System.nanoTime();
    Map<String, Checkpoint.Param> params = Checkpoints.snapshot(allParams);
    new Checkpoint(config.toJson(), step, examplesSeen, trainSeconds, params, optimizer.state())
        .write(outDir.resolve(Checkpoint.FILE));
    if (config.exportEveryCheckpoint) {
      Path snaps = Files.createDirectories(outDir.resolve("snapshots"));
      new Checkpoint(config.toJson(), step, examplesSeen, trainSeconds, params, Map.of())
          .write(snaps.resolve(String.format(Locale.ROOT, "step-%06d.bin", step)));
    }
    try {
      LossCurve.plot(outDir.resolve(LossLog.FILE), outDir.resolve("loss-curve.png"));
    } catch (RuntimeException | LinkageError e) { // e.g. a runtime without java.desktop or fonts
      log.println("warning: loss curve not drawn: " + e);
    }
    log.printf(Locale.ROOT, "checkpoint: step %d written to %s in %.1f s; peak RSS %s%n", step,
        outDir.resolve(Checkpoint.FILE), (System.nanoTime() - t0) / 1e9, peakRss());
  }

  /**
   * VmHWM of this process (Java heap + libtorch native memory), e.g. "2599128 kB".
   *
   * @return the peak resident set size as {@code /proc/self/status} reports it, or {@code "unknown"}
   */
  public static String peakRss() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return l.substring(6).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
    return "unknown";
  }

  @Override
  public void close() {
    manager.close();
    tokenizer.close();
  }
}
