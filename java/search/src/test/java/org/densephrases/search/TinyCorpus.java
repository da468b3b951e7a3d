package org.densephrases.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.ivf.Codec;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexFiles;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.index.dump.Dump;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.VectorType;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.infer.JavaPhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.Tokenizer;

/**
 * A five-paragraph dump made here with the committed model on the pure-Java engine, and an IVF4-SQ8 index over it:
 * seconds, offline, no DJL. Paragraphs are short enough for one window each, so each token's vector is simply its
 * window's (the dump verb's max-context rule over several windows is tested in java/app).
 */
final class TinyCorpus {
  static final Path MODEL = Path.of("../../models/e5-small-tied");

  record Paragraph(String id, String title, String text) {}

  static final List<Paragraph> PARAGRAPHS = List.of(
      new Paragraph("p-paris", "Paris", "Paris is the capital and most populous city of France. The Eiffel Tower was"
          + " completed in 1889 for the World's Fair."),
      new Paragraph("p-moon", "Moon", "The Moon is Earth's only natural satellite. Neil Armstrong was the first"
          + " person to walk on the Moon, in July 1969."),
      new Paragraph("p-python", "Python (programming language)", "Python is a programming language created by"
          + " Guido van Rossum and first released in 1991."),
      new Paragraph("p-everest", "Mount Everest", "Mount Everest is Earth's highest mountain above sea level."
          + " Tenzing Norgay and Edmund Hillary first reached its summit in 1953."),
      new Paragraph("p-louvre", "Paris", "The Louvre in Paris is the world's most-visited museum. It opened in 1793"
          + " and holds the Mona Lisa."));

  private TinyCorpus() {}

  /** Writes the dump into {@code dir} and its IVF4-SQ8 index; returns dir. */
  static Path build(Path dir) throws IOException {
    RawPhraseModel raw = RawPhraseModel.read(MODEL);
    try (Tokenizer tok = Tokenizer.fromFile(raw.tokenizerFile()); JavaPhraseModel m = JavaPhraseModel.of(raw, 2)) {
      int h = m.hiddenSize();
      PassageEncoder pe = new PassageEncoder(tok, m.meta().windows());
      try (DumpWriter w = DumpWriter.open(dir, DumpSpec.of(m.modelId(), h).withTokensPerShard(64))) {
        for (Paragraph p : PARAGRAPHS) {
          EncodedPassage e = pe.encode(p.title(), p.text());
          PassageWindow win = e.windows().get(0);
          if (e.windows().size() != 1) {
            throw new IllegalStateException(p.id() + " needs " + e.windows().size() + " windows");
          }
          Batch b = Batch.ofWindows(List.of(win), tok.padId());
          JavaPhraseModel.Passages out = m.encodePassages(b.ids(), b.typeIds(), b.mask());
          int n = e.context().size();
          float[] vec = new float[n * h];
          float[] filt = new float[n];
          for (int i = 0; i < n; i++) {
            int pos = win.contextOffset() + i;
            System.arraycopy(out.tokenVectors(), pos * h, vec, i * h, h);
            filt[i] = Math.max(out.filterLogits()[pos * 2], out.filterLogits()[pos * 2 + 1]);
          }
          w.add(new DocumentInput(p.id(), p.title(), p.text(), vec, filt, e.context().charStart(),
              e.context().charEnd()));
        }
        w.finish();
      }
    }
    try (Dump d = Dump.open(dir)) {
      new IndexBuilder(IndexSpec.sq8(4).withTrainSize(200), Backends.best(), (ph, done, total, r, eta, fin) -> { })
          .build(VectorSource.ofDump(d, VectorType.FP16, Float.NEGATIVE_INFINITY),
              IndexFiles.path(dir, Codec.SQ8));
    }
    return dir;
  }
}
