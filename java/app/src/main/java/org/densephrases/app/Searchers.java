package org.densephrases.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.Verify;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.search.PhraseSearcher;
import org.densephrases.kernels.KernelBackend;

/**
 * An open dump, optionally an IVF index over it, and the searcher: what search and eval-open share. The dump is opened
 * expecting the question encoder's model id and dimension, and every file's checksum is checked, so a mismatched or
 * corrupted dump or index is refused before any answer is printed.
 */
final class Searchers implements AutoCloseable {
  final Dump dump;
  final IvfIndex index; // null for exact search
  final PhraseSearcher searcher;
  final String kind;

  private Searchers(Dump dump, IvfIndex index, PhraseSearcher searcher, String kind) {
    this.dump = dump;
    this.index = index;
    this.searcher = searcher;
    this.kind = kind;
  }

  /**
   * @param kind exact, sq8 or pq
   * @param modelId the question encoder's model id (null: any)
   * @param dim its dimension (0: any)
   */
  static Searchers open(Path dumpDir, String kind, String modelId, int dim, KernelBackend backend) throws IOException {
    String k = kind.trim().toLowerCase(Locale.ROOT);
    if (!k.equals("exact") && !k.equals("sq8") && !k.equals("pq")) {
      throw new IllegalArgumentException("--index: unknown index '" + kind + "': expected exact, sq8 or pq");
    }
    if (!Files.isDirectory(dumpDir)) {
      throw new NoSuchFileException(dumpDir.toString(), null,
          "dump directory not found (build it with 'densephrases dump')");
    }
    Dump d = Dump.open(dumpDir, new Expect(modelId, dim, null), Verify.ON_OPEN, false);
    IvfIndex idx = null;
    try {
      PhraseSearcher s;
      if (k.equals("exact")) {
        s = PhraseSearcher.exact(d, backend);
      } else {
        Path f = Workspace.indexPath(dumpDir, k);
        if (!Files.exists(f)) {
          throw new NoSuchFileException(f.toString(), null,
              "index not found (build it with 'densephrases index --codec " + k + "', or use --index exact)");
        }
        idx = IvfIndex.open(f, new Expect(modelId, dim, null), Verify.ON_OPEN);
        s = PhraseSearcher.ivf(d, idx, backend); // checks the index was built from this very dump
      }
      return new Searchers(d, idx, s, k);
    } catch (IOException | RuntimeException e) {
      if (idx != null) {
        idx.close();
      }
      d.close();
      throw e;
    }
  }

  /** Bytes per phrase of the first stage: the index file, or the dump's vectors of the scanned type for exact. */
  double bytesPerPhrase() {
    if (index != null) {
      return (double) index.byteSize() / dump.numTokens();
    }
    boolean fp16 = dump.types().contains(org.densephrases.kernels.VectorType.FP16);
    return fp16 ? 2.0 * dump.dim() : dump.dim();
  }

  @Override
  public void close() {
    try {
      searcher.close();
    } finally {
      if (index != null) {
        index.close();
      }
      dump.close();
    }
  }
}
