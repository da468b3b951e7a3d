package org.densephrases.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.teacher.TeacherTrainer;
import org.densephrases.model.text.SquadExamples;
import org.densephrases.model.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code densephrases teacher}: trains the cross-attention teacher (resumable from OUT/checkpoint.bin), evaluates it
 * on SQuAD, and optionally caches its logits for every training example (the student's --teacher-logits).
 */
@Command(name = "teacher", mixinStandardHelpOptions = true,
    description = "Train/evaluate the cross-attention teacher; cache its logits for distillation.")
final class TeacherCommand implements Callable<Integer> {
  @Option(names = "--config", description = "JSON config (TrainConfig fields; batchWindows = examples per batch)")
  Path configFile;
  @Option(names = "--out", required = true) Path out;
  @Option(names = "--steps", description = "train to this global step (0 = only evaluate / write logits)")
  long steps = 0;
  @Option(names = "--batch") Integer batch;
  @Option(names = "--epochs", description = "train this many epochs (instead of --steps)") Integer epochs;
  @Option(names = "--device", description = "auto (GPU when the engine sees one), cpu, gpu or gpu:N") String device;
  @Option(names = "--warmup", description = "warm-up fraction of the steps") Float warmup;
  @Option(names = "--results", description = "with --eval-data: write EM/F1, steps and seconds as JSON here")
  Path results;
  @Option(names = "--model") String model;
  @Option(names = "--lr") Float lr;
  @Option(names = "--train-paragraphs") Integer trainParagraphs;
  @Option(names = "--train-file", description = "SQuAD training file (default: the config's trainFile)")
  Path trainFile;
  @Option(names = "--eval-data", description = "SQuAD file to evaluate on (e.g. the dev file)") Path evalData;
  @Option(names = "--eval-paragraphs", description = "first N paragraphs of --eval-data (0 = all)")
  int evalParagraphs = 0;
  @Option(names = "--write-logits", description = "cache the teacher's logits of every training example here")
  Path writeLogits;
  @Option(names = "--logits-fraction", description = "with --write-logits: only this fraction of the training "
      + "questions, chosen by a hash of the question id (spread over all articles; the student distils those and "
      + "trains the rest without the KL term); default 1")
  double logitsFraction = 1.0;

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  private Integer execute() throws Exception {
    TrainConfig c = configFile != null ? TrainConfig.load(configFile) : new TrainConfig();
    if (batch != null) c.batchWindows = batch;
    if (model != null) c.model = model;
    if (lr != null) c.learningRate = lr;
    if (trainParagraphs != null) c.trainParagraphs = trainParagraphs;
    if (trainFile != null) c.trainFile = trainFile.toString();
    if (device != null) c.device = device;
    if (warmup != null) c.warmupFraction = warmup;
    if (epochs != null) c.epochs = epochs;
    c.validate();
    if (epochs != null && steps > 0) {
      throw new IllegalArgumentException("give --steps or --epochs, not both");
    }
    if (!(logitsFraction > 0 && logitsFraction <= 1)) {
      throw new IllegalArgumentException("--logits-fraction must be in (0, 1], got " + logitsFraction);
    }
    // data files are read before the model is loaded, so that a bad path fails at once
    SquadDataset train = null;
    if (steps > 0 || epochs != null || writeLogits != null) {
      train = SquadReader.read(Path.of(c.trainFile));
      if (c.trainParagraphs > 0 && c.trainParagraphs < train.paragraphs().size()) {
        train = new SquadDataset(train.source(), train.version(), train.paragraphs().subList(0, c.trainParagraphs));
      }
    }
    SquadDataset dev = evalData == null ? null : SquadReader.read(evalData);
    try (TeacherTrainer t = TeacherTrainer.create(c, out, System.out)) {
      SquadExamples.Result ex = null;
      if (steps > t.step() || epochs != null || writeLogits != null) {
        ex = t.examples(train);
        System.out.println("teacher data: " + ex.stats());
      }
      if (epochs != null) {
        steps = (long) epochs * ((ex.examples().size() + c.batchWindows - 1) / c.batchWindows);
      }
      if (steps > t.step()) {
        t.train(ex, steps);
      }
      if (evalData != null) {
        SquadDataset d = dev;
        if (evalParagraphs > 0 && evalParagraphs < d.paragraphs().size()) {
          d = new SquadDataset(d.source(), d.version(), d.paragraphs().subList(0, evalParagraphs));
        }
        long t0 = System.nanoTime();
        SquadMetrics.Result r = t.evaluate(d, 30);
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "teacher (%s, step %d) on %s: %s (%.0f s; %s)%n", c.model, t.step(),
            evalData.getFileName(), r, sec, PeakMemory.line());
        if (results != null) {
          var o = new java.util.LinkedHashMap<String, Object>();
          o.put("model", "teacher-" + c.model);
          o.put("step", t.step());
          o.put("data", evalData.getFileName().toString());
          o.put("questions", r.questions());
          o.put("exact_match", r.exactMatch());
          o.put("f1", r.f1());
          o.put("eval_seconds", sec);
          o.put("device", String.valueOf(t.device()));
          TextFiles.writeAtomically(results,
              new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
        }
      }
      if (writeLogits != null) {
        SquadExamples.Result sel = TeacherTrainer.sample(ex, logitsFraction);
        t.logits(sel, "teacher-" + c.model + "-step" + t.step()).write(writeLogits);
        System.out.println("teacher logits of " + sel.examples().size() + " of " + ex.examples().size()
            + " examples written to " + writeLogits);
      }
    }
    return 0;
  }
}
