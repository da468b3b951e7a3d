package org.densephrases.app;

import com.google.gson.GsonBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.eval.ReadingComprehension;
import org.densephrases.model.eval.SquadPredictions;
import org.densephrases.model.export.ModelSources;
import org.densephrases.model.export.PhraseModelFile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code densephrases eval-rc}: SQuAD reading-comprehension EM/F1 of a phrase model (each question reads its own
 * passage; best span by start + end inner product within the max answer length). Prints one line and writes a JSON
 * results file.
 */
@Command(name = "eval-rc", mixinStandardHelpOptions = true,
    description = "SQuAD reading-comprehension EM/F1 of a phrase model (export, checkpoint or untrained).")
final class EvalRcCommand implements Callable<Integer> {
  static final class Source {
    @Option(names = "--model-dir", description = "exported model directory (phrase-model.dpm + tokenizer.json)")
    Path modelDir;
    @Option(names = "--checkpoint", description = "training checkpoint or snapshot (.bin)")
    Path checkpoint;
    @Option(names = "--pretrained", description = "untrained floor: all-minilm-l6-v2, e5-small-v2, ...")
    String pretrained;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--question-model", description = "a question-side export (densephrases train-query) tuned for"
      + " --model-dir: questions are encoded by it, passages by the phrase model")
  Path questionModel;

  @Option(names = "--data", description = "SQuAD v1.1 JSON (default: ${DEFAULT-VALUE})")
  Path data = Path.of("../shared/data/squad/dev-v1.1-even.json");

  @Option(names = "--paragraphs", description = "first N paragraphs only (0 = all)")
  int paragraphs = 0;

  @Option(names = "--max-answer-length", description = "tokens (default: ${DEFAULT-VALUE})")
  int maxAnswerLength = 30;

  @Option(names = "--device", description = "DJL device: auto (GPU when the engine sees one), cpu, gpu or gpu:N")
  String device;

  @Option(names = "--results", description = "write EM/F1 and the budget as JSON here")
  Path results;

  @Option(names = "--predictions", description = "write the predictions in the official SQuAD v1.1 format"
      + " ({question id: answer text}) here, for the official evaluation script")
  Path predictions;

  @Option(names = "--filter-thresholds", split = ",", paramLabel = "T",
      description = "also report, per threshold, the fraction of tokens the dump's filter would keep (filter score "
          + ">= T) and EM/F1 when only kept tokens may start or end an answer; e.g. -2,-1,0,1 (pick dump "
          + "--filter-threshold with it)")
  float[] filterThresholds = new float[0];

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  private Integer execute() throws Exception {
    if (device != null) {
      org.densephrases.model.train.TrainDevice.resolve(device); // a bad or absent device fails before any work
      System.setProperty(org.densephrases.model.train.TrainDevice.PROPERTY, device);
    }
    if (source.pretrained != null) {
      org.densephrases.model.bert.PretrainedModels.byName(source.pretrained); // unknown names fail before any work
    }
    SquadDataset d = SquadReader.read(data);
    if (paragraphs > 0 && paragraphs < d.paragraphs().size()) {
      d = new SquadDataset(d.source(), d.version(), d.paragraphs().subList(0, paragraphs));
    }
    if (questionModel != null && source.modelDir == null) {
      throw new IllegalArgumentException("--question-model needs --model-dir (the phrase model it was tuned for)");
    }
    try (PhraseModelFile.Loaded m = questionModel != null
        ? PhraseModelFile.loadWithQuestionSide(source.modelDir, questionModel)
        : source.modelDir != null ? PhraseModelFile.load(source.modelDir)
        : source.checkpoint != null ? ModelSources.fromCheckpoint(source.checkpoint)
        : ModelSources.pretrained(source.pretrained, "shared")) {
      ReadingComprehension.Config cfg = new ReadingComprehension.Config(m.meta().windows(),
          m.meta().maxQuestionLength(), maxAnswerLength, 16, filterThresholds);
      ReadingComprehension.Report r = new ReadingComprehension(m.model(), m.tokenizer(), cfg)
          .evaluate(d, m.manager());
      String line = String.format(Locale.ROOT, "%s on %s: EM %.2f F1 %.2f (%d questions, %d windows, %.0f s; %s)",
          m.modelId(), data.getFileName(), r.metrics().exactMatch(), r.metrics().f1(), r.metrics().questions(),
          r.windows(), r.seconds(), PeakMemory.line());
      System.out.println(line);
      if (predictions != null) {
        Map<String, String> p = new LinkedHashMap<>();
        r.predictions().forEach((id, x) -> p.put(id, x.text()));
        SquadPredictions.write(predictions, p);
        System.out.println("eval-rc: predictions written to " + predictions);
      }
      java.util.List<Map<String, Object>> filterRows = new java.util.ArrayList<>();
      if (!r.filter().isEmpty()) {
        System.out.println("| filter threshold | tokens kept | EM | F1 |");
        System.out.println("|---|---|---|---|");
        for (ReadingComprehension.FilterPoint fp : r.filter()) {
          System.out.println(String.format(Locale.ROOT, "| %s | %.1f%% | %.2f | %.2f |", fp.threshold(),
              100 * fp.keptFraction(), fp.metrics().exactMatch(), fp.metrics().f1()));
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("threshold", Float.isFinite(fp.threshold()) ? fp.threshold() : String.valueOf(fp.threshold()));
          row.put("keptFraction", fp.keptFraction());
          row.put("exactMatch", fp.metrics().exactMatch());
          row.put("f1", fp.metrics().f1());
          filterRows.add(row);
        }
      }
      if (results != null) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.modelId());
        out.put("trainedSteps", m.meta().trainedSteps());
        out.put("data", data.toString());
        out.put("paragraphs", d.paragraphs().size());
        out.put("questions", r.metrics().questions());
        out.put("exactMatch", r.metrics().exactMatch());
        out.put("f1", r.metrics().f1());
        out.put("windows", r.windows());
        out.put("seconds", r.seconds());
        out.put("peakRss", PeakMemory.line());
        if (!filterRows.isEmpty()) {
          out.put("filter", filterRows);
        }
        TextFiles.writeAtomically(results, new GsonBuilder().setPrettyPrinting().create().toJson(out) + "\n");
      }
    }
    return 0;
  }
}
