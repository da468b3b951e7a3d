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
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "checkpoint or snapshot (.bin)")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(names = "--dtype", description = "fp32, fp16 or int8 (per-row; default: ${DEFAULT-VALUE})")
  String dtype = "int8";

  @Option(names = "--fp16", paramLabel = "REGEX", description = "with --dtype int8: store the tensors whose export "
      + "name matches this regular expression as fp16 ('' for none; default: the question and filter heads, "
      + PhraseModelFile.DEFAULT_FP16_TENSORS + "; names: java/model NOTES.md)")
  String fp16;

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
    String rule = fp16 != null ? fp16 : PhraseModelFile.DEFAULT_FP16_TENSORS;
    if (fp16 != null && dt != PhraseModelFile.Dtype.INT8) {
      throw new IllegalArgumentException("--fp16 applies to --dtype int8 only");
    }
    java.util.function.Predicate<String> keep = name -> false;
    try {
      if (!rule.isEmpty()) {
        keep = java.util.regex.Pattern.compile(rule).asMatchPredicate();
      }
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException("--fp16 is not a valid regular expression: " + e.getDescription());
    }
    try (PhraseModelFile.Loaded m = ModelSources.fromCheckpoint(checkpoint)) {
      byte[] tok = Tokenizer.resourceBytes(PretrainedModels.byName(m.meta().baseModel()).tokenizerResource());
      Path f = PhraseModelFile.write(m.model(), m.modelId(), m.meta(), dt, keep, tok, out);
      System.out.printf(Locale.ROOT, "%s: %s, %.1f MB (%s)%n", m.modelId(), f, Files.size(f) / 1e6, dt);
    }
    return 0;
  }
}
