package org.densephrases.model.query;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.train.AdamW;
import org.densephrases.model.train.LossCurve;
import org.densephrases.model.train.LossLog;
import org.densephrases.model.train.TrainDevice;

/**
 * Query-side fine-tuning (Lee et al. 2021, section 4.3): the phrase dump and its index stay fixed; only the question
 * encoder and its start/end heads train, against the phrases the real index returns.
 *
 * <p>Per step, a batch of training questions is encoded (training mode), the index returns each question's top k
 * phrases with their stored start/end vectors ({@link PhraseRetriever}), and the loss is the negative log of the
 * marginal likelihood of the retrieved phrases whose normalised text equals a gold answer:
 * {@code -log sum_{i in pos} exp(s_i) + log sum_i exp(s_i)}, {@code s_i = q_start . h_start(i) + q_end . h_end(i)}.
 * A question with no positive in its top k either gets its gold phrase (the dump's vectors of the answer's tokens in
 * its own passage) added as one more candidate ({@link NoPositive#GOLD}) or is left out of the step
 * ({@link NoPositive#SKIP}).
 *
 * <p>The result is a question-side export ({@link PhraseModelFile#writeQuestionSide}): the tuned question encoder and
 * heads, tied to the phrase model's id. The phrase model's files, the dump and the index are only read.
 */
public final class QueryTrainer implements AutoCloseable {
  /** What a question without a positive among its top k phrases contributes. */
  public enum NoPositive {
    /** The question's gold phrase, read from the dump, is added as its positive. */
    GOLD,
    /** The question contributes no loss. */
    SKIP
  }

  /**
   * Settings.
   *
   * @param epochs passes over the questions
   * @param maxSteps stop after this many steps (0 = no limit)
   * @param batch questions per step
   * @param learningRate peak learning rate (linear warm-up, then linear decay to 0)
   * @param warmupFraction share of the steps spent warming up
   * @param topK phrases retrieved per question (the paper: 100)
   * @param noPositive what a question without a positive contributes
   * @param dropout dropout of the question encoder while it trains
   * @param tuneWordEmbeddings train the word embeddings too (off: they stay the phrase model's)
   * @param seed the shuffle's and dropout's seed
   * @param device auto, cpu, gpu or gpu:N
   * @param logEvery a progress line every this many steps
   */
  public record Options(int epochs, long maxSteps, int batch, float learningRate, float warmupFraction, int topK,
      NoPositive noPositive, float dropout, boolean tuneWordEmbeddings, long seed, String device, int logEvery) {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException when a setting is out of range (the message names it and its range)
     */
    public Options {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      }
      if (maxSteps < 0) {
        throw new IllegalArgumentException("max steps must be >= 0, got " + maxSteps);
      }
      if (batch < 1 || batch > 4096) {
        throw new IllegalArgumentException("batch must be in [1, 4096], got " + batch);
      }
      if (!(learningRate > 0) || learningRate > 1) {
        throw new IllegalArgumentException("learning rate must be in (0, 1], got " + learningRate);
      }
      if (!(warmupFraction >= 0) || warmupFraction >= 1) {
        throw new IllegalArgumentException("warm-up fraction must be in [0, 1), got " + warmupFraction);
      }
      if (topK < 1 || topK > 1000) {
        throw new IllegalArgumentException("top-k must be in [1, 1000], got " + topK);
      }
      if (noPositive == null) {
        throw new IllegalArgumentException("no-positive policy is null (gold or skip)");
      }
      if (!(dropout >= 0) || dropout >= 1) {
        throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
      }
      if (logEvery < 1) {
        throw new IllegalArgumentException("log-every must be >= 1, got " + logEvery);
      }
    }

    /**
     * The paper's settings where it gives them (k = 100), ours elsewhere.
     *
     * @return the default options
     */
    public static Options defaults() {
      return new Options(1, 0, 64, 3e-5f, 0.1f, 100, NoPositive.GOLD, 0.1f, false, 42, "auto", 50);
    }
  }

  /**
   * A training question: its text, gold answers, and where the first answer sits in its passage.
   *
   * @param question the question text
   * @param answers its gold answer texts
   * @param title its passage title
   * @param context its passage text
   * @param charStart the first answer's first character in {@code context}
   * @param charEnd one past its last character
   */
  public record Example(String question, List<String> answers, String title, String context, int charStart,
      int charEnd) {}

  /**
   * What a run did.
   *
   * @param steps optimizer steps taken
   * @param questions questions seen (all epochs)
   * @param withPositive questions with a gold-matching phrase in their top k
   * @param goldAdded questions without one whose gold phrase was added
   * @param skipped questions without one left out of their step
   * @param firstLoss mean loss of the first logged window
   * @param lastLoss mean loss of the last logged window
   * @param firstHitRate share of questions with a positive in the first logged window
   * @param lastHitRate the same in the last logged window
   * @param seconds wall time of the steps
   */
  public record Stats(long steps, long questions, long withPositive, long goldAdded, long skipped, float firstLoss,
      float lastLoss, float firstHitRate, float lastHitRate, double seconds) {}

  private final Path phraseModelDir;
  private final Options options;
  private final PrintStream log;
  private final PhraseModelFile.Loaded loaded;
  private final PhraseModel model;
  private final QuestionEncoder questions;
  private final Device device;
  private final AdamW optimizer;
  private final String phraseModelId;

  /**
   * Loads the phrase model's export for training its question side on {@code options.device()}.
   *
   * @param phraseModelDir the exported phrase model the dump was made with
   * @param options the settings
   * @param log progress lines
   * @throws IOException when the export cannot be read
   */
  public QueryTrainer(Path phraseModelDir, Options options, PrintStream log) throws IOException {
    this.phraseModelDir = phraseModelDir;
    this.options = options;
    this.log = log;
    this.device = TrainDevice.resolveOrDefault(options.device());
    Engine.getInstance().setRandomSeed((int) options.seed());
    this.loaded = PhraseModelFile.loadForTraining(phraseModelDir, options.dropout(), device);
    this.model = loaded.model();
    if (!model.isShared()) {
      loaded.close();
      throw new IllegalArgumentException(phraseModelDir + ": query-side fine-tuning takes a shared- or tied-layout"
          + " phrase model (one question encoder with start/end heads), not the '" + loaded.meta().layout()
          + "' layout");
    }
    this.phraseModelId = loaded.modelId();
    this.questions = new QuestionEncoder(loaded.tokenizer(), loaded.meta().maxQuestionLength());
    // Only the question side trains: the phrase encoder and the filter head are frozen (and never run).
    model.phraseEncoder().namedParameters().values().forEach(p -> p.freeze(true));
    for (Parameter p : model.filterHead()) {
      p.freeze(true);
    }
    Map<String, Parameter> trainable = new LinkedHashMap<>();
    model.questionStartEncoder().namedParameters().forEach((k, p) -> {
      if (!options.tuneWordEmbeddings() && k.equals("embeddings.word_embeddings.weight")) {
        p.freeze(true);
      } else {
        trainable.put("question." + k, p);
      }
    });
    Parameter[] heads = model.questionHeads();
    trainable.put("q_start.weight", heads[0]);
    trainable.put("q_start.bias", heads[1]);
    trainable.put("q_end.weight", heads[2]);
    trainable.put("q_end.bias", heads[3]);
    this.optimizer = new AdamW(trainable, loaded.manager(), 0.01f, 1.0f);
    long n = trainable.values().stream().mapToLong(p -> p.getArray().size()).sum();
    log.printf(Locale.ROOT, "train-query: phrase model %s (%s layout), %.1fM question-side parameters trained on %s%n",
        phraseModelId, loaded.meta().layout(), n / 1e6, TrainDevice.describe(device));
  }

  /**
   * The phrase model's id (the dump's).
   *
   * @return the model id of the phrase model being tuned for
   */
  public String phraseModelId() {
    return phraseModelId;
  }

  /**
   * Steps a run over {@code examples} questions plans.
   *
   * @param examples the number of training questions
   * @return epochs times steps per epoch, capped at {@code maxSteps} when set
   */
  public long plannedSteps(int examples) {
    long perEpoch = (examples + options.batch() - 1) / options.batch();
    long total = perEpoch * options.epochs();
    return options.maxSteps() > 0 ? Math.min(total, options.maxSteps()) : total;
  }

  float learningRate(long s, long total) {
    long warm = Math.max(1, (long) (options.warmupFraction() * total));
    if (s < warm) {
      return options.learningRate() * (s + 1) / warm;
    }
    return options.learningRate() * Math.max(0f, (float) (total - s) / Math.max(1, total - warm));
  }

  /**
   * Trains on {@code examples} against {@code retriever}, then writes the question-side export, its config, the loss
   * log and curve into {@code outDir}.
   *
   * @param examples the training questions
   * @param retriever searches the phrase dump
   * @param outDir where the export and logs go
   * @return the run's statistics
   * @throws IOException when a file cannot be written
   */
  public Stats train(List<Example> examples, PhraseRetriever retriever, Path outDir) throws IOException {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no training questions");
    }
    if (retriever.dim() != model.hiddenSize()) {
      throw new IllegalArgumentException("the index holds " + retriever.dim() + "-dim vectors, the phrase model "
          + model.hiddenSize() + "-dim ones");
    }
    Files.createDirectories(outDir);
    Path lossFile = outDir.resolve(LossLog.FILE);
    Files.deleteIfExists(lossFile);
    long total = plannedSteps(examples.size());
    Random rnd = new Random(options.seed());
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      order.add(i);
    }
    long step = 0;
    long seen = 0;
    long withPos = 0;
    long gold = 0;
    long skipped = 0;
    double seconds = 0;
    double winLoss = 0;
    long winSteps = 0;
    long winQ = 0;
    long winPos = 0;
    float firstLoss = Float.NaN;
    float lastLoss = Float.NaN;
    float firstHit = Float.NaN;
    float lastHit = Float.NaN;
    long t0 = System.nanoTime();
    outer:
    for (int epoch = 0; epoch < options.epochs(); epoch++) {
      Collections.shuffle(order, rnd);
      for (int b = 0; b < order.size(); b += options.batch()) {
        if (step >= total) {
          break outer;
        }
        List<Example> batch = new ArrayList<>();
        for (int i = b; i < Math.min(order.size(), b + options.batch()); i++) {
          batch.add(examples.get(order.get(i)));
        }
        float lr = learningRate(step, total);
        StepResult r = step(batch, retriever, lr);
        step++;
        seen += batch.size();
        withPos += r.withPositive;
        gold += r.goldAdded;
        skipped += r.skipped;
        winLoss += Float.isNaN(r.loss) ? 0 : r.loss;
        winSteps += Float.isNaN(r.loss) ? 0 : 1;
        winQ += batch.size();
        winPos += r.withPositive;
        seconds = (System.nanoTime() - t0) / 1e9;
        LossLog.append(lossFile, "step,seconds,loss,hit_rate,lr,gnorm", step, seconds, r.loss,
            (float) r.withPositive / batch.size(), lr, r.gnorm);
        if (step % options.logEvery() == 0 || step == total) {
          float l = winSteps == 0 ? Float.NaN : (float) (winLoss / winSteps);
          float hit = (float) winPos / winQ;
          if (Float.isNaN(firstLoss)) {
            firstLoss = l;
            firstHit = hit;
          }
          lastLoss = l;
          lastHit = hit;
          double rate = seen / Math.max(1e-9, seconds);
          double eta = (total - step) * (seconds / step);
          log.printf(Locale.ROOT, "train-query: step %d/%d (epoch %d) loss %.4f, positive in top %d: %.1f%%, lr %.2e,"
              + " %.1f questions/s (%.0f%% of the time in the index), ETA %.0f s%n", step, total, epoch + 1, l,
              options.topK(), 100 * hit, lr, rate, 100 * retrieveNanos / 1e9 / Math.max(1e-9, seconds), eta);
          winLoss = 0;
          winSteps = 0;
          winQ = 0;
          winPos = 0;
        }
      }
    }
    Stats stats = new Stats(step, seen, withPos, gold, skipped, firstLoss, lastLoss, firstHit, lastHit, seconds);
    export(outDir, stats, examples.size());
    try {
      LossCurve.plot(lossFile, outDir.resolve("loss-curve.png"));
    } catch (RuntimeException e) {
      log.println("train-query: no loss curve (" + e.getMessage() + ")");
    }
    return stats;
  }

  private record StepResult(float loss, float gnorm, int withPositive, int goldAdded, int skipped) {}

  private StepResult step(List<Example> batch, PhraseRetriever retriever, float lr) {
    int n = batch.size();
    int h = model.hiddenSize();
    List<long[]> ids = new ArrayList<>(n);
    for (Example e : batch) {
      ids.add(questions.encode(e.question()));
    }
    Batch qb = Batch.pad(ids, null, loaded.tokenizer().padId());
    NDManager manager = loaded.manager();
    int withPos = 0;
    int goldAdded = 0;
    int skipped = 0;
    float lossValue = Float.NaN;
    boolean stepped = false;
    try (NDManager sub = manager.newSubManager()) {
      ParameterStore ps = new ParameterStore(sub, false);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDList q = model.encodeQuestions(ps, sub.create(qb.ids()), sub.create(qb.typeIds()), sub.create(qb.mask()),
            true);
        float[] qs = q.get(0).toFloatArray();
        float[] qe = q.get(1).toFloatArray();
        long r0 = System.nanoTime();
        List<List<PhraseRetriever.Phrase>> found = retriever.retrieve(qs, qe, n, options.topK());
        retrieveNanos += System.nanoTime() - r0;
        int cols = options.topK() + 1;
        List<Integer> keep = new ArrayList<>();
        List<List<PhraseRetriever.Phrase>> rows = new ArrayList<>();
        List<boolean[]> pos = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Example e = batch.get(i);
          Set<String> answers = new HashSet<>();
          for (String a : e.answers()) {
            answers.add(SquadMetrics.normalize(a));
          }
          List<PhraseRetriever.Phrase> ph = new ArrayList<>(found.get(i).subList(0,
              Math.min(options.topK(), found.get(i).size())));
          boolean[] p = new boolean[cols];
          boolean any = false;
          for (int j = 0; j < ph.size(); j++) {
            p[j] = answers.contains(SquadMetrics.normalize(ph.get(j).text()));
            any |= p[j];
          }
          if (any) {
            withPos++;
          } else if (options.noPositive() == NoPositive.GOLD) {
            PhraseRetriever.Phrase g = e.context() == null ? null
                : retriever.gold(e.title(), e.context(), e.charStart(), e.charEnd());
            if (g == null) {
              skipped++;
              continue;
            }
            p[ph.size()] = true;
            ph.add(g);
            goldAdded++;
          } else {
            skipped++;
            continue;
          }
          keep.add(i);
          rows.add(ph);
          pos.add(p);
        }
        if (!keep.isEmpty()) {
          int r = keep.size();
          float[] hs = new float[r * cols * h];
          float[] he = new float[r * cols * h];
          float[] valid = new float[r * cols];
          float[] positive = new float[r * cols];
          java.util.Arrays.fill(valid, -1e4f);
          java.util.Arrays.fill(positive, -1e4f);
          long[] idx = new long[r];
          for (int a = 0; a < r; a++) {
            idx[a] = keep.get(a);
            List<PhraseRetriever.Phrase> ph = rows.get(a);
            for (int j = 0; j < ph.size(); j++) {
              System.arraycopy(ph.get(j).start(), 0, hs, (a * cols + j) * h, h);
              System.arraycopy(ph.get(j).end(), 0, he, (a * cols + j) * h, h);
              valid[a * cols + j] = 0;
              if (pos.get(a)[j]) {
                positive[a * cols + j] = 0;
              }
            }
          }
          NDArray rowIdx = sub.create(idx);
          NDArray qS = q.get(0).get(new NDIndex("{}", rowIdx)).expandDims(2); // (R)(H)(1)
          NDArray qE = q.get(1).get(new NDIndex("{}", rowIdx)).expandDims(2);
          NDArray hS = sub.create(hs, new Shape(r, cols, h));
          NDArray hE = sub.create(he, new Shape(r, cols, h));
          NDArray scores = hS.batchMatMul(qS).add(hE.batchMatMul(qE)).squeeze(2)
              .add(sub.create(valid, new Shape(r, cols)));
          NDArray all = logSumExp(scores);
          NDArray good = logSumExp(scores.add(sub.create(positive, new Shape(r, cols))));
          NDArray loss = all.sub(good).mean();
          gc.backward(loss);
          lossValue = loss.getFloat();
          stepped = true;
        }
      }
    }
    float gnorm = Float.NaN;
    if (stepped) {
      gnorm = optimizer.step(++optimizerSteps, lr);
      if (optimizer.lastSkipReason() != null) {
        log.println("train-query: warning: update skipped: " + optimizer.lastSkipReason());
      }
    }
    return new StepResult(lossValue, gnorm, withPos, goldAdded, skipped);
  }

  private int optimizerSteps;
  private long retrieveNanos; // time in the index (search + reading the phrase vectors), for the progress lines

  /** log sum exp over axis 1, stable. */
  private static NDArray logSumExp(NDArray x) {
    NDArray m = x.max(new int[] {1}, true).stopGradient();
    return x.sub(m).exp().sum(new int[] {1}).log().add(m.squeeze(1));
  }

  /** The id of the tuned question side: the phrase model's id, "+qft-", a checksum of the tuned heads. */
  private String tunedId() {
    CRC32C crc = new CRC32C();
    for (Parameter p : model.questionHeads()) {
      float[] v = p.getArray().toFloatArray();
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(v.length * 4);
      bb.asFloatBuffer().put(v);
      crc.update(bb.array());
    }
    return phraseModelId + "+qft-" + String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  private void export(Path outDir, Stats stats, int examples) throws IOException {
    String id = tunedId();
    String recipe = String.format(Locale.ROOT, "query-side fine-tuning of %s: %d steps x %d questions, top-%d, lr %s,"
        + " no-positive %s", phraseModelId, stats.steps(), options.batch(), options.topK(), options.learningRate(),
        options.noPositive().name().toLowerCase(Locale.ROOT));
    byte[] tok = Files.readAllBytes(RawPhraseModel.modelFile(phraseModelDir)
        .resolveSibling(RawPhraseModel.TOKENIZER_FILE)); // the phrase model's tokenizer, beside its model file
    Path f = PhraseModelFile.writeQuestionSide(model, id, loaded.meta().asQuestionSide(phraseModelId, recipe),
        PhraseModelFile.Dtype.INT8, tok, outDir);
    JsonObject o = new JsonObject();
    o.addProperty("model", id);
    o.addProperty("phraseModel", phraseModelId);
    o.addProperty("phraseModelDir", phraseModelDir.toString());
    com.google.gson.Gson g = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    o.add("options", g.toJsonTree(options));
    o.addProperty("trainQuestions", examples);
    o.add("stats", g.toJsonTree(stats));
    Path cfg = outDir.resolve("config.json");
    Path tmp = outDir.resolve("config.json.tmp");
    Files.writeString(tmp, g.toJson(o) + "\n");
    Files.move(tmp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    log.printf(Locale.ROOT, "train-query: wrote %s (%s, %.1f MB) for phrase model %s%n", f, id, Files.size(f) / 1e6,
        phraseModelId);
  }

  @Override
  public void close() {
    loaded.close();
  }
}
