package org.densephrases.index.dump;

import java.nio.file.Path;
import java.util.Locale;
import org.densephrases.kernels.VectorType;

/** File names and magics of a dump directory (see FORMATS.md). */
final class DumpFiles {
  static final String META_MAGIC = "DPDOCMTA";
  static final String VECTORS_MAGIC = "DPVECTRS";
  static final int VERSION = 1;

  private DumpFiles() {}

  static Path meta(Path dir, int shard) {
    return dir.resolve(String.format("shard-%05d.meta", shard));
  }

  static Path vectors(Path dir, int shard, VectorType t) {
    return dir.resolve(String.format("shard-%05d.%s", shard, suffix(t)));
  }

  /** FP16 vectors of a shard being written when the dump keeps INT8 only: deleted once the INT8 file exists. */
  static Path stage(Path dir, int shard) {
    return dir.resolve(String.format("shard-%05d.stage", shard));
  }

  static String suffix(VectorType t) {
    return t.name().toLowerCase(Locale.ROOT);
  }

  /** The shard number of a shard file name, or -1. */
  static int shardOf(String fileName) {
    if (!fileName.startsWith("shard-") || fileName.length() < 11) {
      return -1;
    }
    try {
      return Integer.parseInt(fileName.substring(6, 11));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
