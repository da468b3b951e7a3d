package org.densephrases.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.export.ModelSources;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.text.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code densephrases export}: a training checkpoint -> an exported model directory (phrase-model.dpm + tokenizer). */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a training checkpoint as phrase-model.dpm + tokenizer.json (java/model/NOTES.md: format).")
public final class ExportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "checkpoint or snapshot (.bin)")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(names = "--dtype", description = "fp32, fp16 or int8 (per-row; default: ${DEFAULT-VALUE})")
  String dtype = "int8";

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  private Integer execute() throws Exception {
    PhraseModelFile.Dtype dt;
    try {
      dt = PhraseModelFile.Dtype.valueOf(dtype.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--dtype must be fp32, fp16 or int8, got '" + dtype + "'");
    }
    try (PhraseModelFile.Loaded m = ModelSources.fromCheckpoint(checkpoint)) {
      byte[] tok = Tokenizer.resourceBytes(PretrainedModels.byName(m.meta().baseModel()).tokenizerResource());
      Path f = PhraseModelFile.write(m.model(), m.modelId(), m.meta(), dt, tok, out);
      System.out.printf(Locale.ROOT, "%s: %s, %.1f MB (%s)%n", m.modelId(), f, Files.size(f) / 1e6, dt);
    }
    return 0;
  }
}
