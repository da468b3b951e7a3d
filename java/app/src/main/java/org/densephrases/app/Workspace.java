package org.densephrases.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the verbs put their files when no path is given: {@code work/dumps/<key>/} (git-ignored), key =
 * model id, corpus checksum and paragraph limit, so a dump is reused only for the same model and corpus. Indexes live
 * inside their dump directory (java/index's IndexFiles names them).
 */
public final class Workspace {
  /** The default corpus, relative to the checkout. */
  public static final String DEFAULT_CORPUS = "../shared/data/corpus/squad-paragraphs.jsonl.gz";
  /** The default evaluation questions (SQuAD dev-even), relative to the checkout. */
  public static final String DEFAULT_DEV = "../shared/data/squad/dev-v1.1-even.json";
  static final Path ROOT = Path.of("work", "dumps");

  private Workspace() {}

  /**
   * CRC32C of the corpus: a file's bytes, or a text folder's file paths and bytes.
   *
   * @param corpus a corpus file or folder
   * @return 8 hex digits
   * @throws IOException when it cannot be read
   */
  public static String corpusChecksum(Path corpus) throws IOException {
    return org.densephrases.app.corpus.TextCorpus.checksum(corpus);
  }

  /** work/dumps/&lt;model&gt;-&lt;corpus name&gt;-&lt;crc&gt;[-first&lt;N&gt;]. */
  static Path defaultDump(String modelId, Path corpus, long limit) throws IOException {
    String name = corpus.toAbsolutePath().normalize().getFileName().toString()
        .replaceAll("\\.(jsonl|json|txt|md)(\\.gz)?$", "");
    String key = safe(modelId) + "-" + safe(name) + "-" + corpusChecksum(corpus) + (limit > 0 ? "-first" + limit : "");
    return ROOT.resolve(key);
  }

  /** The default dump of the model {@code --model} names (null: the committed one), without loading it. */
  static Path defaultDumpOfSpec(String modelSpec) throws IOException {
    String spec = modelSpec != null ? modelSpec : org.densephrases.model.encode.EncoderModel.defaultModel();
    return defaultDump(org.densephrases.model.encode.EncoderModel.idOf(spec));
  }

  /** The default dump of a model: its dump of the whole default corpus. */
  static Path defaultDump(String modelId) {
    try {
      return defaultDump(modelId, Path.of(DEFAULT_CORPUS), 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String safe(String s) {
    return s.replaceAll("[^A-Za-z0-9._+-]", "_");
  }
}
