package org.densephrases.index.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.densephrases.index.dump.CrashPoints;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpManifest;
import org.densephrases.index.dump.DumpShard;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Verify;
import org.densephrases.index.ivf.IndexUpdater;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.VectorType;

/**
 * Changes to a complete dump and its indexes, each committed as one new generation ({@link Generations}): add
 * documents (new shards; every index rewritten with its own centroids and codec), remove documents (marked deleted),
 * compact (shards with deleted documents rewritten without them, indexes renumbered), or swap in a rebuilt index.
 *
 * <p>Documents are matched by <b>key</b>: the id up to its last {@code '#'} (a file's passages {@code notes/a.md#0},
 * {@code notes/a.md#1} share the key {@code notes/a.md}), or the whole id. Adding a document whose key is live
 * deletes the live documents of that key in the same generation (replace); removing a key deletes them.
 *
 * <p>Opening takes the directory's write lock and deletes what an interrupted change left (files no committed
 * generation names). Each step where a kill leaves a distinct state calls {@link CrashPoints#reached}.
 */
public final class DumpUpdater implements AutoCloseable {
  /** The commit step after the new shards are written. */
  public static final String STEP_SHARDS_WRITTEN = "shards-written";
  /** The commit step after the new index files are written. */
  public static final String STEP_INDEXES_WRITTEN = "indexes-written";
  /** Rows sampled to measure the trained rows' distance to their centroids (drift baseline). */
  static final int RESIDUAL_SAMPLE = 4096;

  /**
   * What a change committed.
   *
   * @param generation the new generation
   * @param added documents added
   * @param deleted documents newly marked deleted (replaced or removed), or dropped by compaction
   * @param tokensAdded tokens added
   * @param indexes per codec: the new file and its drift after the change
   * @param garbage files deleted after the commit
   * @param seconds wall time
   */
  public record Report(long generation, int added, int deleted, long tokensAdded, Map<String, IndexState> indexes,
      Set<String> garbage, double seconds) {}

  /**
   * An index of a committed generation: file name, rows, drift (see {@link DumpManifest.IndexEntry#drift()}).
   *
   * @param file the index file name
   * @param rows its rows
   * @param drift its drift after the change
   */
  public record IndexState(String file, long rows, double drift) {}

  private final Path dir;
  private final AutoCloseable lock;
  private final Set<String> recovered;

  private DumpUpdater(Path dir, AutoCloseable lock, Set<String> recovered) {
    this.dir = dir;
    this.lock = lock;
    this.recovered = recovered;
  }

  /**
   * Locks {@code dir} for writing and deletes what an interrupted change left behind.
   *
   * @param dir the dump directory
   * @return the updater; closing it releases the lock
   * @throws IOException when the directory is missing, the dump is incomplete, or a file cannot be read
   * @throws IllegalStateException when another process or thread holds the dump's write lock
   */
  public static DumpUpdater open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new java.nio.file.NoSuchFileException(dir.toString(), null, "dump directory not found");
    }
    AutoCloseable lock = Generations.lock(dir);
    try {
      DumpManifest m = Generations.read(dir, Expect.ANY);
      if (!m.complete()) {
        throw new FileFormatException(dir.resolve(DumpManifest.FILE), "complete",
            "the dump is incomplete: finish it with the dump command before changing it");
      }
      return new DumpUpdater(dir, lock, Generations.deleteGarbage(dir));
    } catch (IOException | RuntimeException e) {
      closeQuietly(lock);
      throw e;
    }
  }

  /**
   * Files an interrupted change had left, deleted when this updater opened.
   *
   * @return the deleted file names
   */
  public Set<String> recovered() {
    return recovered;
  }

  /**
   * The key documents are matched by: the id up to its last '#', or the whole id.
   *
   * @param id a document id
   * @return its key
   */
  public static String keyOf(String id) {
    int h = id.lastIndexOf('#');
    return h > 0 ? id.substring(0, h) : id;
  }

  /**
   * Adds documents: encodes nothing itself, writes the given (encoded) documents as new shards, deletes the live
   * documents they replace, appends the new rows to every index of the dump and commits.
   *
   * @param docs the encoded documents
   * @return what was committed
   * @throws IOException when a file cannot be written
   */
  public Report add(Iterable<DocumentInput> docs) throws IOException {
    long t0 = System.nanoTime();
    try (Dump dump = Dump.open(dir, Generations.latest(dir), Expect.ANY, Verify.ON_OPEN, false)) {
      DumpManifest m = dump.manifest();
      DumpWriter w = DumpWriter.appending(dir, m.spec(), m.nextShardFile());
      Set<String> keys = new LinkedHashSet<>();
      int added = 0;
      try (w) {
        for (DocumentInput d : docs) {
          w.add(d);
          keys.add(keyOf(d.id()));
          added++;
        }
        w.endShard();
      }
      List<DumpManifest.ShardEntry> fresh = w.newShards();
      CrashPoints.reached(STEP_SHARDS_WRITTEN);
      TreeSet<Integer> deleted = deletedSet(m);
      int replaced = 0;
      for (int d : docsWithKeys(dump, keys, deleted)) {
        deleted.add(d);
        replaced++;
      }
      List<DumpManifest.ShardEntry> shards = new ArrayList<>(m.shards());
      shards.addAll(fresh);
      long gen = m.generation() + 1;
      DumpManifest next = new DumpManifest(m.spec(), shards, true, gen, toArray(deleted), Map.of());
      long tokensAdded = fresh.stream().mapToLong(DumpManifest.ShardEntry::tokens).sum();
      Map<String, DumpManifest.IndexEntry> indexes = rewriteIndexes(dump, next, dump.numTokens(), dump.numTokens() + tokensAdded, null);
      CrashPoints.reached(STEP_INDEXES_WRITTEN);
      next = new DumpManifest(m.spec(), shards, true, gen, toArray(deleted), indexes);
      Generations.commit(dir, next);
      return report(next, added, replaced, tokensAdded, t0);
    }
  }

  /**
   * Marks the live documents of the given keys (or exact ids) deleted. Unknown keys are an error, nothing changes.
   *
   * @param keysOrIds document keys or exact ids
   * @return what was committed
   * @throws IOException when the manifest cannot be written
   */
  public Report remove(Collection<String> keysOrIds) throws IOException {
    long t0 = System.nanoTime();
    if (keysOrIds.isEmpty()) {
      throw new IllegalArgumentException("no document id given");
    }
    try (Dump dump = Dump.open(dir, Generations.latest(dir), Expect.ANY, Verify.ON_OPEN, false)) {
      DumpManifest m = dump.manifest();
      TreeSet<Integer> deleted = deletedSet(m);
      Set<String> wanted = new LinkedHashSet<>(keysOrIds);
      Set<String> found = new java.util.HashSet<>();
      int n = 0;
      for (int d = 0; d < dump.numDocs(); d++) {
        if (deleted.contains(d)) {
          continue;
        }
        DumpShard s = dump.shardOfDoc(d);
        String id = s.docId(d - s.docBase());
        String key = keyOf(id);
        if (wanted.contains(id) || wanted.contains(key)) {
          found.add(wanted.contains(id) ? id : key);
          deleted.add(d);
          n++;
        }
      }
      wanted.removeAll(found);
      if (!wanted.isEmpty()) {
        throw new IllegalArgumentException("no live document with id " + String.join(", ", wanted) + " in " + dir);
      }
      Map<String, DumpManifest.IndexEntry> indexes = currentIndexes(dump);
      DumpManifest next = new DumpManifest(m.spec(), m.shards(), true, m.generation() + 1, toArray(deleted),
          indexes);
      Generations.commit(dir, next);
      return report(next, 0, n, 0, t0);
    }
  }

  /**
   * Rewrites the shards holding deleted documents without them (other shards keep their files), renumbers every
   * index's rows and commits a generation without deletions.
   *
   * @return what was committed
   * @throws IOException when a file cannot be written
   */
  public Report compact() throws IOException {
    long t0 = System.nanoTime();
    try (Dump dump = Dump.open(dir, Generations.latest(dir), Expect.ANY, Verify.ON_OPEN, false)) {
      DumpManifest m = dump.manifest();
      int numDeleted = dump.numDeletedDocs();
      int nextFile = m.nextShardFile();
      List<DumpManifest.ShardEntry> shards = new ArrayList<>();
      long[][] tokenMap = new long[dump.shards().size()][]; // (shard)(local token) -> new global id or -1; null: same
      long base = 0;
      for (int i = 0; i < dump.shards().size(); i++) {
        DumpShard s = dump.shards().get(i);
        DumpManifest.ShardEntry e = m.shards().get(i);
        boolean touched = false;
        for (int d = 0; d < s.numDocs() && !touched; d++) {
          touched = dump.isDeleted(s.docBase() + d);
        }
        long[] map = new long[Math.toIntExact(s.numTokens())];
        if (!touched) {
          for (int t = 0; t < map.length; t++) {
            map[t] = base + t;
          }
          shards.add(e);
          base += s.numTokens();
          tokenMap[i] = map;
          continue;
        }
        java.util.Arrays.fill(map, -1);
        DumpWriter w = DumpWriter.appending(dir, m.spec(), nextFile);
        long kept = 0;
        try (w) {
          for (int d = 0; d < s.numDocs(); d++) {
            if (dump.isDeleted(s.docBase() + d)) {
              continue;
            }
            long from = s.docTokenStarts()[d];
            long to = s.docTokenStarts()[d + 1];
            for (long t = from; t < to; t++) {
              map[(int) t] = base + kept + (t - from);
            }
            kept += to - from;
            w.copyDocument(s, d);
          }
          w.endShard();
        }
        List<DumpManifest.ShardEntry> written = w.newShards();
        shards.addAll(written);
        nextFile += Math.max(1, written.size());
        base += kept;
        tokenMap[i] = map;
      }
      CrashPoints.reached(STEP_SHARDS_WRITTEN);
      long gen = m.generation() + 1;
      DumpManifest next = new DumpManifest(m.spec(), shards, true, gen, new int[0], Map.of());
      if (shards.isEmpty()) {
        throw new IllegalArgumentException("every document of " + dir + " is deleted: nothing would be left to search");
      }
      Map<String, DumpManifest.IndexEntry> indexes = rewriteIndexes(dump, next, 0, 0, old -> {
        DumpShard s = dump.shardOfToken(old);
        return tokenMap[s.index()][(int) (old - s.tokenBase())];
      });
      CrashPoints.reached(STEP_INDEXES_WRITTEN);
      next = new DumpManifest(m.spec(), shards, true, gen, new int[0], indexes);
      Generations.commit(dir, next);
      return report(next, 0, numDeleted, 0, t0);
    }
  }

  /**
   * Commits a generation whose index of {@code codec} is {@code file} (a file in the dump directory built from the
   * newest generation's dump, e.g. by a retrain), drift reset.
   *
   * @param codec the codec name (sq8 or pq)
   * @param file the index file name in the dump directory
   * @return what was committed
   * @throws IOException when the file does not serve the dump or the manifest cannot be written
   */
  public Report replaceIndex(String codec, String file) throws IOException {
    long t0 = System.nanoTime();
    try (Dump dump = Dump.open(dir, Generations.latest(dir), Expect.ANY, Verify.ON_OPEN, false);
        IvfIndex idx = IvfIndex.open(dir.resolve(file))) {
      idx.checkServes(dump);
      DumpManifest m = dump.manifest();
      Map<String, DumpManifest.IndexEntry> indexes = new LinkedHashMap<>(currentIndexes(dump));
      indexes.put(codec, new DumpManifest.IndexEntry(file, idx.payloadCrc(), Double.NaN, 0, 0));
      DumpManifest next = new DumpManifest(m.spec(), m.shards(), true, m.generation() + 1, m.deleted(), indexes);
      Generations.commit(dir, next);
      return report(next, 0, 0, 0, t0);
    }
  }

  /**
   * The indexes of the open generation: those its manifest lists, or for generation 0 the conventional files that
   * serve the dump (a stale one, built from another dump, is left out).
   */
  static Map<String, DumpManifest.IndexEntry> currentIndexes(Dump dump) throws IOException {
    Map<String, DumpManifest.IndexEntry> out = new LinkedHashMap<>();
    if (dump.generation() > 0) {
      out.putAll(dump.manifest().indexes());
      return out;
    }
    for (String codec : List.of("sq8", "pq")) {
      String name = Generations.conventionalIndexName(codec);
      Path f = dump.dir().resolve(name);
      if (!Files.exists(f)) {
        continue;
      }
      try (IvfIndex idx = IvfIndex.open(f)) {
        idx.checkServes(dump);
        out.put(codec, new DumpManifest.IndexEntry(name, idx.payloadCrc(), Double.NaN, 0, 0));
      } catch (FileFormatException e) {
        // stale or damaged: not part of the dump; the index command rebuilds it
      }
    }
    return out;
  }

  /**
   * Rewrites every index of {@code dump} for generation {@code next}: rows of tokens [addFrom, addTo) of the new
   * generation appended (their vectors are read from the new generation's shards), old ids mapped by {@code idMap}.
   */
  private Map<String, DumpManifest.IndexEntry> rewriteIndexes(Dump dump, DumpManifest next, long addFrom, long addTo,
      java.util.function.LongUnaryOperator idMap) throws IOException {
    Map<String, DumpManifest.IndexEntry> current = currentIndexes(dump);
    Map<String, DumpManifest.IndexEntry> out = new LinkedHashMap<>();
    if (current.isEmpty()) {
      return out;
    }
    // the new generation's dump, not yet committed: its shard files are in place, its manifest is not
    try (Dump nd = Dump.openUncommitted(dir, next)) {
      VectorType vt = nd.types().contains(VectorType.FP16) ? VectorType.FP16 : VectorType.INT8;
      VectorSource add = addTo > addFrom ? VectorSource.ofDumpRange(nd, vt, addFrom, addTo) : null;
      for (Map.Entry<String, DumpManifest.IndexEntry> e : current.entrySet()) {
        DumpManifest.IndexEntry x = e.getValue();
        String name = Generations.indexFileName(e.getKey(), next.generation());
        try (IvfIndex old = IvfIndex.open(dir.resolve(x.file()))) {
          double base = x.baseResidual();
          if (add != null && !(base > 0)) {
            // first change since the index was trained: its rows are the trained ones
            VectorType ot = dump.types().contains(VectorType.FP16) ? VectorType.FP16 : VectorType.INT8;
            base = IndexUpdater.meanResidual(old, VectorSource.ofDump(dump, ot, Float.NEGATIVE_INFINITY),
                RESIDUAL_SAMPLE, 17);
          }
          IndexUpdater.Result r = IndexUpdater.rewrite(old, dir.resolve(name), nd.fingerprint(), idMap, add,
              Parallel.threads());
          out.put(e.getKey(), new DumpManifest.IndexEntry(name, r.header().payloadCrc(), base,
              x.addedRows() + r.addedRows(), x.addedResidualSum() + r.addedResidualSum()));
        }
      }
    }
    return out;
  }

  private static TreeSet<Integer> deletedSet(DumpManifest m) {
    TreeSet<Integer> s = new TreeSet<>();
    for (int d : m.deleted()) {
      s.add(d);
    }
    return s;
  }

  /** Live documents (not in {@code deleted}) whose key is one of {@code keys}. */
  private static List<Integer> docsWithKeys(Dump dump, Set<String> keys, Set<Integer> deleted) {
    List<Integer> out = new ArrayList<>();
    if (keys.isEmpty()) {
      return out;
    }
    for (int d = 0; d < dump.numDocs(); d++) {
      if (deleted.contains(d)) {
        continue;
      }
      DumpShard s = dump.shardOfDoc(d);
      if (keys.contains(keyOf(s.docId(d - s.docBase())))) {
        out.add(d);
      }
    }
    return out;
  }

  private static int[] toArray(Collection<Integer> c) {
    int[] a = new int[c.size()];
    int i = 0;
    for (int x : c) {
      a[i++] = x;
    }
    return a;
  }

  private Report report(DumpManifest next, int added, int deleted, long tokens, long t0) throws IOException {
    Set<String> garbage = Generations.deleteGarbage(dir);
    Map<String, IndexState> idx = new LinkedHashMap<>();
    for (Map.Entry<String, DumpManifest.IndexEntry> e : next.indexes().entrySet()) {
      long rows = Files.exists(dir.resolve(e.getValue().file()))
          ? IvfRows.of(dir.resolve(e.getValue().file())) : 0;
      idx.put(e.getKey(), new IndexState(e.getValue().file(), rows, e.getValue().drift()));
    }
    return new Report(next.generation(), added, deleted, tokens, idx, garbage, (System.nanoTime() - t0) / 1e9);
  }

  @Override
  public void close() {
    closeQuietly(lock);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // releasing an OS lock of a channel we own: nothing useful to do about a failure
    }
  }

  /** Row count of an index file from its header (no checksum pass). */
  private static final class IvfRows {
    static long of(Path f) throws IOException {
      try (IvfIndex i = IvfIndex.open(f, Expect.ANY, Verify.LAZY)) {
        return i.count();
      }
    }
  }
}
