package org.densephrases.index.ivf;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where an IVF index lives: inside the directory of the dump it was built from, one file per codec
 * ({@code ivf-sq8.idx}, {@code ivf-pq.idx}). The dump writer leaves other files of its directory alone, so the index
 * survives a resumed dump; {@link IvfIndex#checkServes} refuses an index built from another dump.
 */
public final class IndexFiles {
  private IndexFiles() {}

  /** The index file of {@code codec} in {@code dumpDir}. */
  public static Path path(Path dumpDir, Codec codec) {
    return dumpDir.resolve("ivf-" + codec.name().toLowerCase(Locale.ROOT) + ".idx");
  }
}
