package org.densephrases.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.densephrases.model.train.TrainConfig;
import org.densephrases.model.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code densephrases train}: trains the phrase model (java/model's Trainer). Settings come from an optional JSON
 * config, then these flags; the run resumes by itself from {@code --out/checkpoint.bin} when it exists.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train the phrase model on SQuAD (resumes from OUT/checkpoint.bin when present).")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--config", description = "JSON training config (fields of TrainConfig)")
  Path configFile;

  @Option(names = "--out", required = true, description = "run directory: checkpoint, logs, loss curve")
  Path out;

  @Option(names = "--stop-at", description = "stop after this global step (the schedule still plans the full run)")
  long stopAt = -1;

  @Option(names = "--model", description = "pretrained encoder: all-minilm-l6-v2, e5-small-v2, bge-small-en-v1.5")
  String model;

  @Option(names = "--layout", description = "shared (one question encoder + start/end heads), paper, or tied (shared, question encoder = phrase encoder)")
  String layout;

  @Option(names = "--train-file") String trainFile;
  @Option(names = "--train-paragraphs", description = "first N paragraphs only (0 = all)") Integer trainParagraphs;
  @Option(names = "--batch", description = "passage windows per batch") Integer batch;
  @Option(names = "--lr") Float lr;
  @Option(names = "--epochs") Integer epochs;
  @Option(names = "--max-steps") Integer maxSteps;
  @Option(names = "--seed") Long seed;
  @Option(names = "--max-length") Integer maxLength;
  @Option(names = "--lambda1", description = "single-passage CE weight") Float lambda1;
  @Option(names = "--lambda2", description = "distillation KL weight") Float lambda2;
  @Option(names = "--lambda3", description = "in-batch/pre-batch negatives weight") Float lambda3;
  @Option(names = "--lambda-filter") Float lambdaFilter;
  @Option(names = "--prebatch", description = "pre-batch cache: previous C batches (0 = off)") Integer prebatch;
  @Option(names = "--prebatch-warmup") Integer prebatchWarmup;
  @Option(names = "--teacher-logits") String teacherLogits;
  @Option(names = "--checkpoint-steps") Integer checkpointSteps;
  @Option(names = "--checkpoint-minutes") Integer checkpointMinutes;
  @Option(names = "--device", description = "auto (GPU when the engine sees one), cpu, gpu or gpu:N") String device;
  @Option(names = "--warmup", description = "warm-up fraction of the planned steps") Float warmup;
  @Option(names = "--init-checkpoint", description = "start from this checkpoint's parameters (fresh optimizer and "
      + "step 0), e.g. a run pre-trained on an augmented file; ignored when OUT/checkpoint.bin resumes")
  String initCheckpoint;
  @Option(names = "--plan-only", description = "print the planned number of steps (one line) and exit without "
      + "training; OUT only receives config.json")
  boolean planOnly;

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  private Integer execute() throws Exception {
    TrainConfig c = configFile != null ? TrainConfig.load(configFile) : new TrainConfig();
    if (model != null) c.model = model;
    if (layout != null) c.layout = layout;
    if (trainFile != null) c.trainFile = trainFile;
    if (trainParagraphs != null) c.trainParagraphs = trainParagraphs;
    if (batch != null) c.batchWindows = batch;
    if (lr != null) c.learningRate = lr;
    if (epochs != null) c.epochs = epochs;
    if (maxSteps != null) c.maxSteps = maxSteps;
    if (seed != null) c.seed = seed;
    if (maxLength != null) c.maxLength = maxLength;
    if (lambda1 != null) c.lambda1 = lambda1;
    if (lambda2 != null) c.lambda2 = lambda2;
    if (lambda3 != null) c.lambda3 = lambda3;
    if (lambdaFilter != null) c.lambdaFilter = lambdaFilter;
    if (prebatch != null) c.prebatch = prebatch;
    if (prebatchWarmup != null) c.prebatchWarmup = prebatchWarmup;
    if (teacherLogits != null) c.teacherLogits = teacherLogits;
    if (checkpointSteps != null) c.checkpointSteps = checkpointSteps;
    if (checkpointMinutes != null) c.checkpointMinutes = checkpointMinutes;
    if (device != null) c.device = device;
    if (warmup != null) c.warmupFraction = warmup;
    if (initCheckpoint != null) c.initCheckpoint = initCheckpoint;
    c.validate();
    if (planOnly) {
      c.initCheckpoint = null;
      try (Trainer t = Trainer.create(c, out, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))) {
        System.out.println(t.plannedSteps());
      }
      return 0;
    }
    try (Trainer t = Trainer.create(c, out, System.out)) {
      t.train(stopAt);
      System.out.println("done: step " + t.step() + " of " + t.plannedSteps() + "; " + PeakMemory.line());
    }
    return 0;
  }
}
