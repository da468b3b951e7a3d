package org.densephrases.index.dump;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.index.format.ContainerWriter;
import org.densephrases.index.format.Expect;
import org.densephrases.kernels.VectorType;

/**
 * Generations of a dump directory, as Lucene's {@code segments_N}: every change (add, remove, compact, an index
 * rebuilt) commits {@code MANIFEST-NNNNNN}, naming every file of the generation (shards with their checksums, index
 * files, deleted documents). Generation 0 is the dump writer's {@code MANIFEST} with the indexes named by convention
 * ({@code ivf-<codec>.idx}). The newest committed generation is the dump; files no generation names are garbage.
 *
 * <p>Commit protocol: new shard and index files are written under fresh names (tmp + fsync + rename, never replacing a
 * file a generation names), then the manifest is written to {@code MANIFEST-N.new} through its own tmp + fsync +
 * rename, and the commit is the rename of {@code MANIFEST-N.new} to {@code MANIFEST-N} (then the directory is forced).
 * A kill before that rename leaves generation N-1 the newest; {@link #deleteGarbage} then removes what the
 * interrupted change wrote. Readers map every file of one generation when they open it and keep the mappings until
 * closed: on POSIX a deleted file stays readable through its mapping, so garbage collection after a commit never
 * disturbs a reader still on the old generation.
 */
public final class Generations {
  private static final Pattern GEN = Pattern.compile("MANIFEST-(\\d{6,})");
  static final String LOCK = "write.lock";

  private Generations() {}

  /**
   * The file of generation n (n &gt;= 1).
   *
   * @param dir the dump directory
   * @param n the generation number
   * @return the path of its manifest
   */
  public static Path file(Path dir, long n) {
    return dir.resolve(String.format(Locale.ROOT, "MANIFEST-%06d", n));
  }

  /**
   * The index file a generation's change writes for a codec: {@code ivf-<codec>.g<N>.idx}.
   *
   * @param codec the index codec name (for example {@code sq8})
   * @param generation the generation number
   * @return the file name
   */
  public static String indexFileName(String codec, long generation) {
    return generation == 0 ? conventionalIndexName(codec)
        : String.format(Locale.ROOT, "ivf-%s.g%06d.idx", codec, generation);
  }

  /**
   * Generation 0's index of a codec, as the index command has always named it.
   *
   * @param codec the index codec name
   * @return the file name
   */
  public static String conventionalIndexName(String codec) {
    return "ivf-" + codec + ".idx";
  }

  /**
   * The newest committed generation number (0 when only MANIFEST exists).
   *
   * @param dir the dump directory
   * @return the generation number
   * @throws IOException when the directory cannot be listed
   */
  public static long latest(Path dir) throws IOException {
    long best = 0;
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "dump directory not found");
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Matcher m = GEN.matcher(p.getFileName().toString());
        if (m.matches()) {
          best = Math.max(best, Long.parseLong(m.group(1)));
        }
      }
    }
    return best;
  }

  /**
   * The manifest of the newest committed generation.
   *
   * @param dir the dump directory
   * @param expect model id and dim required (null/0: any)
   * @return the parsed manifest of the newest generation
   * @throws IOException when it is missing or corrupt
   */
  public static DumpManifest read(Path dir, Expect expect) throws IOException {
    return read(dir, latest(dir), expect);
  }

  /**
   * The manifest of generation n (0: MANIFEST).
   *
   * @param dir the dump directory
   * @param n the generation number
   * @param expect model id and dim required (null/0: any)
   * @return the parsed manifest of generation {@code n}
   * @throws IOException when it is missing or corrupt
   */
  public static DumpManifest read(Path dir, long n, Expect expect) throws IOException {
    return n == 0 ? DumpManifest.read(dir, expect) : DumpManifest.read(file(dir, n), true, expect);
  }

  /** Steps of a commit where a kill test may stop the process (see {@link CrashPoints}). */
  public static final String STEP_MANIFEST_WRITTEN = "manifest-written";
  /** The commit step after the generation's manifest is renamed into place. */
  public static final String STEP_COMMITTED = "committed";

  /**
   * Commits {@code m} as generation {@code m.generation()}, which must be one above the newest. Returns the path of
   * the committed manifest.
   *
   * @param dir the dump directory
   * @param m the new generation's manifest
   * @return the committed manifest's path
   * @throws IOException when it cannot be written
   * @throws IllegalStateException when its generation is not one above the newest
   */
  public static Path commit(Path dir, DumpManifest m) throws IOException {
    long n = m.generation();
    long latest = latest(dir);
    if (n != latest + 1) {
      throw new IllegalStateException("generation " + n + " cannot follow generation " + latest + " in " + dir);
    }
    Path target = file(dir, n);
    Path staged = dir.resolve(target.getFileName() + ".new");
    m.writeGeneration(staged);
    CrashPoints.reached(STEP_MANIFEST_WRITTEN);
    ContainerWriter.moveAtomically(staged, target);
    CrashPoints.reached(STEP_COMMITTED);
    return target;
  }

  /**
   * Every file name generation {@code m} needs in {@code dir} (its manifest, shards, indexes).
   *
   * @param dir the dump directory
   * @param m a generation's manifest
   * @return the file names
   */
  public static Set<String> filesOf(Path dir, DumpManifest m) {
    Set<String> keep = new HashSet<>();
    keep.add(m.generation() == 0 ? DumpManifest.FILE : file(dir, m.generation()).getFileName().toString());
    for (DumpManifest.ShardEntry s : m.shards()) {
      keep.add(DumpFiles.meta(dir, s.file()).getFileName().toString());
      for (VectorType t : m.spec().types()) {
        keep.add(DumpFiles.vectors(dir, s.file(), t).getFileName().toString());
      }
    }
    if (m.generation() == 0) {
      keep.add(conventionalIndexName("sq8"));
      keep.add(conventionalIndexName("pq"));
    }
    for (DumpManifest.IndexEntry e : m.indexes().values()) {
      keep.add(e.file());
    }
    return keep;
  }

  /**
   * Deletes what the newest generation does not name among the files generations own: shard files, index files,
   * older generation manifests, temporary and staged files. MANIFEST (the dump writer's) and files of other tools
   * are left alone. Call with the write lock held.
   *
   * @return the names deleted
   * @param dir the dump directory
   * @throws IOException when a file cannot be deleted or the directory listed
   */
  public static Set<String> deleteGarbage(Path dir) throws IOException {
    DumpManifest m = read(dir, Expect.ANY);
    Set<String> keep = filesOf(dir, m);
    keep.add(DumpManifest.FILE);
    Set<String> deleted = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        boolean owned = DumpFiles.shardOf(name) >= 0 || GEN.matcher(name).matches()
            || name.startsWith("MANIFEST-") && (name.endsWith(".new") || name.endsWith(".tmp"))
            || name.startsWith("ivf-") && (name.endsWith(".idx") || name.endsWith(".idx.tmp"));
        if (owned && !keep.contains(name)) {
          Files.deleteIfExists(p);
          deleted.add(name);
        }
      }
    }
    return deleted;
  }

  /**
   * The one-writer lock of a dump directory ({@code write.lock}, an OS file lock: a killed writer releases it).
   * Throws IllegalStateException when another process or thread holds it.
   *
   * @param dir the dump directory
   * @return the lock; closing it releases the lock
   * @throws IOException when the lock file cannot be opened
   * @throws IllegalStateException when another process or thread holds the lock
   */
  public static AutoCloseable lock(Path dir) throws IOException {
    FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IllegalStateException("another change (add, remove, compact, index) is under way in " + dir
          + " (" + LOCK + " is locked)");
    }
    FileLock lock = l;
    return () -> {
      lock.release();
      ch.close();
    };
  }
}
