package org.densephrases.index.ivf;

import java.nio.file.Path;
import java.util.Locale;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpManifest;
import org.densephrases.index.dump.Generations;

/**
 * Where an IVF index lives: inside the directory of the dump it was built from. A dump as the dump command wrote it
 * (generation 0) has one file per codec by convention ({@code ivf-sq8.idx}, {@code ivf-pq.idx}); a dump changed by
 * add, remove or compact names its index files in the generation's manifest ({@code ivf-<codec>.g<N>.idx}, see
 * {@link Generations}). The dump writer leaves other files of its directory alone, so the index survives a resumed
 * dump; {@link IvfIndex#checkServes} refuses an index built from another dump.
 */
public final class IndexFiles {
  private IndexFiles() {}

  /**
   * Generation 0's index file of {@code codec} in {@code dumpDir}.
   *
   * @param dumpDir the dump directory
   * @param codec SQ8 or PQ
   * @return the index path
   */
  public static Path path(Path dumpDir, Codec codec) {
    return dumpDir.resolve(Generations.conventionalIndexName(name(codec)));
  }

  /**
   * The index file of {@code codec} for the generation {@code dump} was opened at: the file its manifest lists, or for
   * generation 0 {@link #path}; null when the generation lists none.
   *
   * @param dump the open dump
   * @param codec SQ8 or PQ
   * @return the index path, or null
   */
  public static Path of(Dump dump, Codec codec) {
    if (dump.generation() == 0) {
      return path(dump.dir(), codec);
    }
    DumpManifest.IndexEntry e = dump.manifest().indexes().get(name(codec));
    return e == null ? null : dump.dir().resolve(e.file());
  }

  /**
   * The fresh file a change committing generation {@code generation} writes for {@code codec}.
   *
   * @param dumpDir the dump directory
   * @param codec SQ8 or PQ
   * @param generation the generation being committed
   * @return the index path
   */
  public static Path forGeneration(Path dumpDir, Codec codec, long generation) {
    return dumpDir.resolve(Generations.indexFileName(name(codec), generation));
  }

  /**
   * The codec's name in file names and manifests: sq8, pq.
   *
   * @param codec SQ8 or PQ
   * @return its lower-case name
   */
  public static String name(Codec codec) {
    return codec.name().toLowerCase(Locale.ROOT);
  }
}
