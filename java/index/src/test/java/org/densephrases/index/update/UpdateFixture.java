package org.densephrases.index.update;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.densephrases.index.Synthetic;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.PhraseSearcher;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.VectorType;

/** A tiny synthetic dump with SQ8 and PQ indexes, the documents a change adds, and search results as strings. */
final class UpdateFixture {
  static final int DIM = 16;
  static final int NLIST = 8;
  static final org.densephrases.kernels.KernelBackend BACKEND = org.densephrases.kernels.Backends.best();

  private UpdateFixture() {}

  static DumpSpec spec() {
    return DumpSpec.of("test-model", DIM).withTypes(Set.of(VectorType.FP16, VectorType.INT8))
        .withTokensPerShard(200);
  }

  /** 40 documents doc-0..doc-39. */
  static List<DocumentInput> base() {
    return Synthetic.documents(new Random(1), 40, 30, DIM);
  }

  /** 12 new documents new-0..new-11, then a new version of doc-3. */
  static List<DocumentInput> more() {
    List<DocumentInput> out = new ArrayList<>();
    List<DocumentInput> g = Synthetic.documents(new Random(2), 13, 30, DIM);
    for (int i = 0; i < 12; i++) {
      out.add(rename(g.get(i), "new-" + i));
    }
    out.add(rename(g.get(12), "doc-3"));
    return out;
  }

  static DocumentInput rename(DocumentInput d, String id) {
    return new DocumentInput(id, d.title(), d.text(), d.vectors(), d.filterScores(), d.charStart(), d.charEnd());
  }

  /** Writes a dump of {@code docs} with IVF-SQ8 and IVF-PQ indexes under their conventional names. */
  static void build(Path dir, List<DocumentInput> docs) throws IOException {
    try (DumpWriter w = DumpWriter.open(dir, spec())) {
      for (DocumentInput d : docs) {
        w.add(d);
      }
      w.finish();
    }
    try (Dump dump = Dump.open(dir)) {
      VectorSource src = VectorSource.ofDump(dump, VectorType.FP16, Float.NEGATIVE_INFINITY);
      new IndexBuilder(IndexSpec.sq8(NLIST), BACKEND, org.densephrases.kernels.Progress.SILENT, 1)
          .build(src, dir.resolve(Generations.conventionalIndexName("sq8")));
      new IndexBuilder(IndexSpec.pq(NLIST, 4), BACKEND, org.densephrases.kernels.Progress.SILENT, 1)
          .build(src, dir.resolve(Generations.conventionalIndexName("pq")));
    }
  }

  /** The index file of a codec in the newest generation. */
  static Path indexFile(Path dir, String codec) throws IOException {
    try (Dump d = Dump.open(dir)) {
      var e = d.manifest().indexes().get(codec);
      return dir.resolve(e != null ? e.file() : Generations.conventionalIndexName(codec));
    }
  }

  /**
   * Answers to 12 random questions as "docId|text|score" lines: every token a first-stage candidate (and every list
   * probed for an index), so an index changes nothing and results compare across dumps holding the same documents.
   */
  static List<String> answers(Path dir, String kind, Unit unit) throws IOException {
    try (Dump dump = Dump.open(dir)) {
      return answers(dump, kind, unit);
    }
  }

  static List<String> answers(Dump dump, String kind, Unit unit) throws IOException {
    Random r = new Random(99);
    List<String> out = new ArrayList<>();
    IvfIndex idx = kind.equals("exact") ? null : IvfIndex.open(indexFile(dump.dir(), kind));
    try (PhraseSearcher s = idx == null ? PhraseSearcher.exact(dump, BACKEND)
        : PhraseSearcher.ivf(dump, idx, BACKEND)) {
      SearchOptions o = SearchOptions.defaults().withUnit(unit).withK(20).withCandidates(2048).withNprobe(NLIST);
      for (int q = 0; q < 12; q++) {
        float[] qs = Synthetic.gaussian(r, DIM, 1f);
        float[] qe = Synthetic.gaussian(r, DIM, 1f);
        for (Answer a : s.search(qs, qe, o)) {
          out.add(String.format(Locale.ROOT, "q%d %s|%s|%.3f", q, a.docId(), a.text(), a.score()));
        }
      }
    } finally {
      if (idx != null) {
        idx.close();
      }
    }
    return out;
  }

  /** base() with doc-3 replaced and the new documents appended: what a rebuild after add(more()) holds. */
  static List<DocumentInput> baseAndMore() {
    List<DocumentInput> all = new ArrayList<>(base());
    all.removeIf(d -> d.id().equals("doc-3"));
    all.addAll(more());
    return all;
  }
}
