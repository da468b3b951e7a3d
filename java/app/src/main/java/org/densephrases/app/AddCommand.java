package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import org.densephrases.app.corpus.TextCorpus;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.DumpManifest;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.format.Expect;
import org.densephrases.index.update.DumpUpdater;
import org.densephrases.kernels.Progress;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases add}: encodes only the given documents and commits them into an existing dump as a new
 * generation (new shards; every index updated with its own centroids and codec; a document whose key is already in
 * the dump replaces it). See java/index's DumpUpdater.
 */
@Command(name = "add", mixinStandardHelpOptions = true,
    description = "Add (or replace) documents in an existing dump and its indexes, as a new generation.")
final class AddCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dump", required = true, description = "the dump directory to change")
  Path dump;

  @Option(names = "--corpus", required = true,
      description = "the new documents: JSONL {id,title,text}, a folder of .txt/.md files, or one such file")
  Path corpus;

  @Option(names = "--model", description = "phrase model: must be the dump's (default: the committed model)")
  String model;

  @Mixin EncoderOptions encoder = new EncoderOptions();

  @Option(names = "--batch", description = "windows per forward pass (default: ${DEFAULT-VALUE})")
  int batch = 16;

  @Option(names = "--group", description = "paragraphs encoded per group (default: ${DEFAULT-VALUE})")
  int group = 256;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::add);
  }

  private Integer add() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Options.checkRange("--batch", batch, 1, 4096);
    Options.checkRange("--group", group, 1, 1 << 20);
    String modelSpec = model != null ? model : EncoderModel.defaultModel();
    encoder.check(modelSpec);
    long t0 = System.nanoTime();
    try (DumpUpdater u = Changes.open(dump)) {
      DumpManifest m = Generations.read(dump, Expect.ANY);
      String modelId = EncoderModel.idOf(modelSpec);
      if (!modelId.equals(m.spec().modelId())) {
        throw new IllegalArgumentException("model id: the dump " + dump + " holds vectors of '" + m.spec().modelId()
            + "', --model gives '" + modelId + "'");
      }
      List<CorpusParagraph> paras = TextCorpus.read(corpus);
      out.printf(Locale.ROOT, "add: %d paragraphs of %s -> %s (generation %d)%n", paras.size(), corpus, dump,
          m.generation());
      out.flush();
      Changes.reportRecovered(out, u);
      try (PhraseEncoder enc = encoder.load(modelSpec)) {
        Progress.Listener l = (phase, done, total, rate, eta, fin) -> {
          out.println(Progress.format(phase, done, total, rate, eta, fin));
          out.flush();
        };
        Progress p = new Progress("add: paragraphs", paras.size(), l, 10);
        long te = System.nanoTime();
        DumpUpdater.Report r = u.add(() -> new Encoded(enc, paras, group, batch, p));
        double encodeAndWrite = p.finish();
        out.printf(Locale.ROOT, "add: encoded and committed in %.1fs (encoding and shards %.1fs)%n",
            (System.nanoTime() - te) / 1e9, encodeAndWrite);
        Changes.print(out, "add", r, (System.nanoTime() - t0) / 1e9);
      }
    }
    return 0;
  }

  /** The paragraphs encoded a group at a time as the updater asks for them. */
  private static final class Encoded implements Iterator<DocumentInput> {
    private final PhraseEncoder enc;
    private final List<CorpusParagraph> paras;
    private final int group;
    private final int batch;
    private final Progress progress;
    private int next;
    private Iterator<DocumentInput> cur = List.<DocumentInput>of().iterator();

    Encoded(PhraseEncoder enc, List<CorpusParagraph> paras, int group, int batch, Progress progress) {
      this.enc = enc;
      this.paras = paras;
      this.group = group;
      this.batch = batch;
      this.progress = progress;
    }

    @Override
    public boolean hasNext() {
      while (!cur.hasNext() && next < paras.size()) {
        List<CorpusParagraph> g = paras.subList(next, Math.min(paras.size(), next + group));
        cur = enc.encodeDocuments(g, batch).stream().map(e -> new DocumentInput(e.id(), e.title(), e.text(),
            e.vectors(), e.filterScores(), e.charStart(), e.charEnd())).iterator();
        next += g.size();
        progress.advance(g.size());
      }
      return cur.hasNext();
    }

    @Override
    public DocumentInput next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return cur.next();
    }
  }

  static String drift(Map<String, DumpUpdater.IndexState> idx) {
    StringBuilder sb = new StringBuilder();
    idx.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
        "%s %s (%,d rows, drift %+.3f)", k, v.file(), v.rows(), v.drift())));
    return sb.isEmpty() ? "none" : sb.toString();
  }
}
