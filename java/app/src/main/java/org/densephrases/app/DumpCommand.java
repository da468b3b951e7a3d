package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.DumpManifest;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpStats;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.dump.Int8Scheme;
import org.densephrases.kernels.Progress;
import org.densephrases.kernels.VectorType;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.encode.EncodedDocument;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import org.densephrases.app.corpus.TextCorpus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases dump}: encodes a JSONL corpus with the phrase model and writes a phrase dump (java/index
 * DumpWriter: sharded, resumable, checksummed, FP16 and/or INT8). Paragraphs are encoded in groups; a killed dump
 * resumes at the last completed shard. A complete dump is reused as it is.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Encode a corpus {id,title,text} JSONL into a phrase dump (token vectors, filter scores, offsets).")
final class DumpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--corpus", description = "JSONL corpus {id,title,text} (gzip or plain), or a folder of .txt/.md"
      + " files, or one such file (split into passages; see README 'Your own corpus') (default: ${DEFAULT-VALUE})")
  Path corpus = Path.of(Workspace.DEFAULT_CORPUS);

  @Option(names = "--out", description = "dump directory (default: work/dumps/<model>-<corpus>-<checksum>)")
  Path out;

  @Option(names = "--model", description = "phrase model: a pretrained name or a trained model directory "
      + "(default: the committed model, else all-minilm-l6-v2)")
  String model;

  @Mixin EncoderOptions encoder = new EncoderOptions();

  @Option(names = "--limit", description = "encode only the first N paragraphs (0 = all)")
  int limit = 0;

  @Option(names = "--filter-threshold", description = "drop tokens whose filter score (max of the start/end logits)"
      + " is below this (default: the model directory's defaults.json filterThreshold, else -Infinity = keep all; the"
      + " untrained filter of a pretrained model means nothing)")
  Float filterThresholdOption;
  float filterThreshold;

  @Option(names = "--types", split = ",", description = "vector files per shard: fp16, int8 (default: fp16,int8)")
  List<String> types = List.of("fp16", "int8");

  @Option(names = "--batch", description = "windows per forward pass (default: ${DEFAULT-VALUE})")
  int batch = 16;

  @Option(names = "--group", description = "paragraphs encoded per group (default: ${DEFAULT-VALUE})")
  int group = 256;

  @Option(names = "--tokens-per-shard", description = "tokens per shard (default: ${DEFAULT-VALUE})")
  long tokensPerShard = DumpSpec.DEFAULT_TOKENS_PER_SHARD;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::dump);
  }

  private Integer dump() throws Exception {
    PrintWriter outw = spec.commandLine().getOut();
    Options.checkRange("--limit", limit, 0, Integer.MAX_VALUE);
    Options.checkRange("--batch", batch, 1, 4096);
    Options.checkRange("--group", group, 1, 1 << 20);
    String modelSpec = model != null ? model : EncoderModel.defaultModel();
    encoder.check(modelSpec);
    filterThreshold = filterThresholdOption != null ? filterThresholdOption
        : EncoderModel.defaultFilterThreshold(modelSpec);
    String modelId = EncoderModel.idOf(modelSpec);
    String corpusCrc = Workspace.corpusChecksum(corpus);
    Path dir = out != null ? out : Workspace.defaultDump(modelId, corpus, limit);
    Set<VectorType> vt = EnumSet.noneOf(VectorType.class);
    for (String t : types) {
      switch (t.trim().toLowerCase(Locale.ROOT)) {
        case "fp16" -> vt.add(VectorType.FP16);
        case "int8" -> vt.add(VectorType.INT8);
        default -> throw new IllegalArgumentException("--types: unknown vector type '" + t + "' (fp16, int8)");
      }
    }
    // Provenance, kept in the dump's MANIFEST (java/index): a resumed or reused dump must come from the same corpus
    // limit and filter threshold (the model id is checked by the writer). Checked here before the model is loaded.
    Map<String, String> source = new LinkedHashMap<>();
    source.put("corpus", corpus.toAbsolutePath().normalize().getFileName().toString());
    source.put("corpus_crc32c", corpusCrc);
    source.put("limit", Integer.toString(limit));
    if (filterThreshold != Float.NEGATIVE_INFINITY) {
      source.put("filter_threshold", Float.toString(filterThreshold));
    }
    DumpManifest.checkSource(dir, source);

    long t0 = System.nanoTime();
    List<CorpusParagraph> paras = TextCorpus.read(corpus);
    if (limit > 0 && paras.size() > limit) {
      paras = paras.subList(0, limit);
    }
    outw.printf(Locale.ROOT, "dump: %d paragraphs of %s -> %s%n", paras.size(), corpus, dir);
    outw.flush();
    try (PhraseEncoder m = encoder.load(modelSpec)) {
      DumpSpec ds = DumpSpec.of(m.id(), m.dim()).withTypes(vt).withInt8(Int8Scheme.perDim())
          .withFilterThreshold(filterThreshold).withTokensPerShard(tokensPerShard).withSource(source);
      try (DumpWriter w = DumpWriter.open(dir, ds)) {
        if (w.isComplete()) {
          outw.println("dump: already complete, reusing it (delete " + dir + " to rebuild)");
          report(outw, w.stats(), (System.nanoTime() - t0) / 1e9, 0);
          outw.println("dump-dir: " + dir);
          outw.flush();
          return 0;
        }
        int skip = (int) w.inputDocumentsDone();
        if (skip > 0) {
          outw.printf(Locale.ROOT, "dump: resuming after %d paragraphs (%d shards done)%n", skip,
              w.completedShards());
        }
        outw.printf(Locale.ROOT, "dump: model %s (dim %d, %s encoder), windows %d/%d, filter threshold %s, types %s%n",
            m.id(), m.dim(), m.engine(), m.windows().maxLength(), m.windows().stride(), filterThreshold, vt);
        outw.flush();
        Progress.Listener l = (phase, done, total, rate, eta, fin) -> {
          outw.println(Progress.format(phase, done, total, rate, eta, fin));
          outw.flush();
        };
        Progress p = new Progress("dump: paragraphs", paras.size() - skip, l, 10);
        long tokens = 0;
        long te = System.nanoTime();
        for (int from = skip; from < paras.size(); from += group) {
          List<CorpusParagraph> g = paras.subList(from, Math.min(paras.size(), from + group));
          for (EncodedDocument e : m.encodeDocuments(g, batch)) {
            DocumentInput d = new DocumentInput(e.id(), e.title(), e.text(), e.vectors(), e.filterScores(),
                e.charStart(), e.charEnd());
            w.add(d);
            tokens += d.numTokens();
          }
          p.advance(g.size());
        }
        double sec = p.finish();
        DumpStats st = w.finish();
        outw.printf(Locale.ROOT, "dump: encoded %d tokens in %.1fs (%.0f tokens/s)%n", tokens, sec,
            tokens / Math.max(1e-9, (System.nanoTime() - te) / 1e9));
        report(outw, st, (System.nanoTime() - t0) / 1e9, tokens);
        outw.println("dump-dir: " + dir); // the last line: scripts (tools/quickstart.sh) read it
        outw.flush();
      }
    }
    return 0;
  }

  private static void report(PrintWriter out, DumpStats st, double sec, long encoded) {
    out.printf(Locale.ROOT, "dump: %d paragraphs in, %d stored, %d tokens kept of %d (%.1f%% kept by the filter),"
            + " %d shards, %.1f MB, %.1f bytes/token, %.1fs%n", st.inputDocuments(), st.documents(), st.tokens(),
        st.tokensBeforeFilter(), 100 * st.keptFraction(), st.shards(), st.bytes() / 1e6, st.bytesPerToken(), sec);
    out.flush();
  }
}
