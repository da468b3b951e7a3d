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
public final class EvalRcCommand implements Callable<Integer> {
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

  @Option(names = "--data", description = "SQuAD v1.1 JSON (default: ${DEFAULT-VALUE})")
  Path data = Path.of("../shared/data/squad/dev-v1.1-even.json");

  @Option(names = "--paragraphs", description = "first N paragraphs only (0 = all)")
  int paragraphs = 0;

  @Option(names = "--max-answer-length", description = "tokens (default: ${DEFAULT-VALUE})")
  int maxAnswerLength = 30;

  @Option(names = "--results", description = "write EM/F1 and the budget as JSON here")
  Path results;

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  private Integer execute() throws Exception {
    if (source.pretrained != null) {
      org.densephrases.model.bert.PretrainedModels.byName(source.pretrained); // unknown names fail before any work
    }
    SquadDataset d = SquadReader.read(data);
    if (paragraphs > 0 && paragraphs < d.paragraphs().size()) {
      d = new SquadDataset(d.source(), d.version(), d.paragraphs().subList(0, paragraphs));
    }
    try (PhraseModelFile.Loaded m = source.modelDir != null ? PhraseModelFile.load(source.modelDir)
        : source.checkpoint != null ? ModelSources.fromCheckpoint(source.checkpoint)
        : ModelSources.pretrained(source.pretrained, "shared")) {
      ReadingComprehension.Config cfg = new ReadingComprehension.Config(m.meta().windows(),
          m.meta().maxQuestionLength(), maxAnswerLength, 16);
      ReadingComprehension.Report r = new ReadingComprehension(m.model(), m.tokenizer(), cfg)
          .evaluate(d, m.manager());
      String line = String.format(Locale.ROOT, "%s on %s: EM %.2f F1 %.2f (%d questions, %d windows, %.0f s; %s)",
          m.modelId(), data.getFileName(), r.metrics().exactMatch(), r.metrics().f1(), r.metrics().questions(),
          r.windows(), r.seconds(), PeakMemory.line());
      System.out.println(line);
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
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(results, new GsonBuilder().setPrettyPrinting().create().toJson(out) + "\n");
      }
    }
    return 0;
  }
}
