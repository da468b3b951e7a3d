package org.densephrases.index.dump;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.densephrases.index.format.ContainerFile;
import org.densephrases.index.format.ContainerWriter;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Segments;
import org.densephrases.index.format.Verify;
import org.densephrases.kernels.VectorType;

/**
 * The dump's MANIFEST: the spec and the list of completed shards, with the payload checksum of each shard file. Only
 * shards listed here exist for a reader; the writer appends a shard after its files are renamed into place, so a
 * shard cut off by a kill is never listed. Stored in the container format (magic {@value #MAGIC}) with one TEXT
 * section of {@code key=value} lines, readable with {@code tail -c +N MANIFEST}.
 */
public final class DumpManifest {
  /** The dump writer's manifest file name (generation 0). */
  public static final String FILE = "MANIFEST";
  /** The manifest's file magic. */
  public static final String MAGIC = "DPMANIFT";
  /** The manifest format version. */
  public static final int VERSION = 1;
  /** Provenance lines ({@link DumpSpec#source()}): {@code source.<key>=<value>}; a manifest may have none. */
  static final String SOURCE_PREFIX = "source.";

  /** Magic of a generation's manifest, {@code MANIFEST-NNNNNN} (see {@link Generations}). */
  public static final String GENERATION_MAGIC = "DPGENMAN";

  /**
   * One completed shard. Checksums are keyed by file suffix: meta, fp16, int8. {@code file} is the number in the
   * shard's file names ({@code shard-<file>.meta}): its position in MANIFEST, any unused number in a generation.
   *
   * @param inputDocs corpus documents consumed by the shard
   * @param docs documents stored
   * @param tokens tokens stored
   * @param tokensBeforeFilter tokens before the filter
   * @param crcs file suffix to payload CRC32C
   * @param file the shard's file number
   */
  public record ShardEntry(int inputDocs, int docs, long tokens, long tokensBeforeFilter, Map<String, Integer> crcs,
      int file) {
    /** Copies the checksum map. */
    public ShardEntry {
      crcs = Map.copyOf(crcs);
    }
  }

  /**
   * An index file of a generation, with its payload checksum and the drift bookkeeping of rows added since the index
   * was trained: {@code baseResidual} = mean squared L2 distance of the rows it was trained on to their centroid
   * (NaN until the first add measures it), {@code addedRows} and {@code addedResidualSum} the same for added rows.
   *
   * @param file the index file name in the dump directory
   * @param crc its payload CRC32C
   * @param baseResidual mean squared distance of the training rows to their centroids (NaN until measured)
   * @param addedRows rows added since training
   * @param addedResidualSum sum of the added rows' squared distances to their centroids
   */
  public record IndexEntry(String file, int crc, double baseResidual, long addedRows, double addedResidualSum) {
    /**
     * Relative increase of the added rows' mean squared distance to their centroid over the trained rows' (0 if none).
     *
     * @return {@code (addedResidualSum / addedRows) / baseResidual - 1}, 0 without added rows or a measured base
     */
    public double drift() {
      if (addedRows == 0 || !(baseResidual > 0)) {
        return 0;
      }
      return addedResidualSum / addedRows / baseResidual - 1;
    }
  }

  final DumpSpec spec;
  final List<ShardEntry> shards;
  final boolean complete;
  final long generation;
  final int[] deleted; // sorted global document numbers
  final Map<String, IndexEntry> indexes; // codec name (sq8, pq) -> file

  DumpManifest(DumpSpec spec, List<ShardEntry> shards, boolean complete) {
    this(spec, shards, complete, 0, new int[0], Map.of());
  }

  /**
   * A manifest of generation {@code generation} (0: the dump writer's MANIFEST, which lists no index).
   *
   * @param spec what the dump holds
   * @param shards the completed shards, in order
   * @param complete true once the dump writer finished
   * @param generation the generation number
   * @param deleted deleted global document numbers, ascending
   * @param indexes index files by codec name
   */
  public DumpManifest(DumpSpec spec, List<ShardEntry> shards, boolean complete, long generation, int[] deleted,
      Map<String, IndexEntry> indexes) {
    this.spec = spec;
    this.shards = List.copyOf(shards);
    this.complete = complete;
    this.generation = generation;
    this.deleted = deleted.clone();
    java.util.Arrays.sort(this.deleted);
    this.indexes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(indexes));
  }

  /**
   * 0 for a dump never changed after the dump command, else the generation number (see {@link Generations}).
   *
   * @return the generation number
   */
  public long generation() {
    return generation;
  }

  /**
   * Deleted global document numbers, ascending.
   *
   * @return a copy of the numbers
   */
  public int[] deleted() {
    return deleted.clone();
  }

  /**
   * The index files of this generation by codec name; empty for generation 0 (its indexes go by convention).
   *
   * @return codec name to index entry
   */
  public Map<String, IndexEntry> indexes() {
    return indexes;
  }

  /**
   * The number the next new shard file may take: one above every shard file listed.
   *
   * @return the next free shard file number
   */
  public int nextShardFile() {
    int n = 0;
    for (ShardEntry s : shards) {
      n = Math.max(n, s.file() + 1);
    }
    return n;
  }

  /** {@return what the dump holds} */
  public DumpSpec spec() {
    return spec;
  }

  /** {@return the completed shards, in order} */
  public List<ShardEntry> shards() {
    return shards;
  }

  /** {@return true once every corpus document is in a shard} */
  public boolean complete() {
    return complete;
  }

  /**
   * Identifies the dump's content (documents, offsets, filter scores and token counts of every shard): an index
   * records it and refuses to serve a dump with another one.
   *
   * @return a hex digest of the content
   */
  public String fingerprint() {
    StringBuilder sb = new StringBuilder(spec.modelId()).append('|').append(spec.dim());
    for (ShardEntry s : shards) {
      sb.append('|').append(s.tokens()).append(':').append(Integer.toHexString(s.crcs().get("meta")));
    }
    CRC32C c = new CRC32C();
    c.update(sb.toString().getBytes(StandardCharsets.UTF_8));
    return String.format("%08x-%d", (int) c.getValue(), shards.stream().mapToLong(ShardEntry::tokens).sum());
  }

  void write(Path dir) throws IOException {
    try (ContainerWriter w = ContainerWriter.create(dir.resolve(FILE), MAGIC, VERSION, spec.modelId(), spec.dim(),
        DType.NONE, List.of("TEXT"))) {
      w.section("TEXT", text().getBytes(StandardCharsets.UTF_8));
      w.commit(shards.size());
    }
  }

  /**
   * Writes this generation's manifest, complete and checksummed, to {@code target} through {@code target.tmp}
   * (tmp + fsync + rename): the caller renames it to its final name to commit.
   */
  void writeGeneration(Path target) throws IOException {
    try (ContainerWriter w = ContainerWriter.create(target, GENERATION_MAGIC, VERSION, spec.modelId(), spec.dim(),
        DType.NONE, List.of("TEXT", "DELETED"))) {
      w.section("TEXT", text().getBytes(StandardCharsets.UTF_8));
      w.begin("DELETED").putInts(deleted, 0, deleted.length);
      w.commit(shards.size());
    }
  }

  private String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("kind=dump\n");
    sb.append("model_id=").append(spec.modelId()).append('\n');
    sb.append("dim=").append(spec.dim()).append('\n');
    sb.append("types=").append(typeNames(spec.types())).append('\n');
    sb.append("int8=").append(spec.int8()).append('\n');
    sb.append("filter_threshold=").append(spec.filterThreshold()).append('\n');
    sb.append("tokens_per_shard=").append(spec.tokensPerShard()).append('\n');
    spec.source().forEach((k, v) -> sb.append(SOURCE_PREFIX).append(k).append('=').append(v).append('\n'));
    sb.append("complete=").append(complete).append('\n');
    sb.append("shards=").append(shards.size()).append('\n');
    for (int i = 0; i < shards.size(); i++) {
      ShardEntry s = shards.get(i);
      String p = "shard." + i + ".";
      sb.append(p).append("input_docs=").append(s.inputDocs()).append('\n');
      sb.append(p).append("docs=").append(s.docs()).append('\n');
      sb.append(p).append("tokens=").append(s.tokens()).append('\n');
      sb.append(p).append("tokens_before_filter=").append(s.tokensBeforeFilter()).append('\n');
      for (String k : new String[] {"meta", "fp16", "int8"}) {
        Integer c = s.crcs().get(k);
        if (c != null) {
          sb.append(p).append("crc.").append(k).append('=').append(String.format("%08x", c)).append('\n');
        }
      }
      if (generation > 0) {
        sb.append(p).append("file=").append(s.file()).append('\n');
      }
    }
    if (generation > 0) {
      sb.append("generation=").append(generation).append('\n');
      sb.append("deleted=").append(deleted.length).append('\n');
      for (Map.Entry<String, IndexEntry> e : indexes.entrySet()) {
        IndexEntry x = e.getValue();
        String p = "index." + e.getKey() + ".";
        sb.append(p).append("file=").append(x.file()).append('\n');
        sb.append(p).append("crc=").append(String.format("%08x", x.crc())).append('\n');
        sb.append(p).append("base_residual=").append(x.baseResidual()).append('\n');
        sb.append(p).append("added_rows=").append(x.addedRows()).append('\n');
        sb.append(p).append("added_residual_sum=").append(x.addedResidualSum()).append('\n');
      }
    }
    return sb.toString();
  }

  static String typeNames(Set<VectorType> types) {
    List<String> n = new ArrayList<>();
    for (VectorType t : EnumSet.copyOf(types)) {
      n.add(t.name().toLowerCase(Locale.ROOT));
    }
    return String.join(",", n);
  }

  /**
   * Reads and checks the manifest of {@code dir}; model id and dim are checked when {@code expect} sets them.
   *
   * @param dir the dump directory
   * @param expect model id and dim required (null/0: any)
   * @return the parsed manifest of generation 0 ({@code MANIFEST})
   * @throws IOException when it is missing, corrupt, or does not match {@code expect}
   */
  public static DumpManifest read(Path dir, Expect expect) throws IOException {
    return read(dir.resolve(FILE), false, expect);
  }

  /** Reads and checks a manifest file: the dump writer's MANIFEST, or a generation's MANIFEST-NNNNNN. */
  static DumpManifest read(Path path, boolean generationFile, Expect expect) throws IOException {
    try (ContainerFile f = ContainerFile.open(path, generationFile ? GENERATION_MAGIC : MAGIC, VERSION,
        expect.withDtype(DType.NONE), Verify.ON_OPEN)) {
      Map<String, String> kv = new LinkedHashMap<>();
      for (String line : Segments.utf8(f.section("TEXT")).split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        int eq = line.indexOf('=');
        f.require(eq > 0, "TEXT", "line without '=': " + line);
        kv.put(line.substring(0, eq), line.substring(eq + 1));
      }
      try {
        f.require("dump".equals(kv.get("kind")), "kind", "expected 'dump', found '" + kv.get("kind") + "'");
        String model = get(f, kv, "model_id");
        f.require(model.equals(f.header().modelId()), "model_id",
            "'" + model + "' differs from the header's '" + f.header().modelId() + "'");
        int dim = Integer.parseInt(get(f, kv, "dim"));
        f.require(dim == f.header().dim(), "dim", dim + " differs from the header's " + f.header().dim());
        Set<VectorType> types = EnumSet.noneOf(VectorType.class);
        for (String t : get(f, kv, "types").split(",")) {
          types.add(VectorType.valueOf(t.toUpperCase(Locale.ROOT)));
        }
        Map<String, String> source = new LinkedHashMap<>();
        kv.forEach((k, v) -> {
          if (k.startsWith(SOURCE_PREFIX)) {
            source.put(k.substring(SOURCE_PREFIX.length()), v);
          }
        });
        DumpSpec spec = new DumpSpec(model, dim, types, Int8Scheme.parse(get(f, kv, "int8")),
            Float.parseFloat(get(f, kv, "filter_threshold")), Long.parseLong(get(f, kv, "tokens_per_shard")), source);
        boolean complete = Boolean.parseBoolean(get(f, kv, "complete"));
        int n = Integer.parseInt(get(f, kv, "shards"));
        f.require(n == f.header().count(), "shards", n + " differs from the header count " + f.header().count());
        List<ShardEntry> shards = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String p = "shard." + i + ".";
          Map<String, Integer> crcs = new LinkedHashMap<>();
          for (String k : new String[] {"meta", "fp16", "int8"}) {
            String c = kv.get(p + "crc." + k);
            if (c != null) {
              crcs.put(k, Integer.parseUnsignedInt(c, 16));
            }
          }
          f.require(crcs.containsKey("meta"), p + "crc.meta", "missing");
          for (VectorType t : types) {
            f.require(crcs.containsKey(t.name().toLowerCase(Locale.ROOT)),
                p + "crc." + t.name().toLowerCase(Locale.ROOT), "missing");
          }
          int file = generationFile ? Integer.parseInt(get(f, kv, p + "file")) : i;
          shards.add(new ShardEntry(Integer.parseInt(get(f, kv, p + "input_docs")),
              Integer.parseInt(get(f, kv, p + "docs")), Long.parseLong(get(f, kv, p + "tokens")),
              Long.parseLong(get(f, kv, p + "tokens_before_filter")), crcs, file));
        }
        if (!generationFile) {
          return new DumpManifest(spec, shards, complete);
        }
        long generation = Long.parseLong(get(f, kv, "generation"));
        f.require(generation >= 1, "generation", "must be >= 1, got " + generation);
        f.require(complete, "complete", "a generation is always complete");
        java.util.Set<Integer> files = new java.util.HashSet<>();
        for (ShardEntry s : shards) {
          f.require(s.file() >= 0 && files.add(s.file()), "shard file", "duplicate or negative shard file " + s.file());
        }
        int nd = Integer.parseInt(get(f, kv, "deleted"));
        int[] deleted = Segments.ints(f.section("DELETED", 4L * nd));
        long docs = shards.stream().mapToLong(ShardEntry::docs).sum();
        for (int i = 0; i < nd; i++) {
          f.require(deleted[i] >= 0 && deleted[i] < docs && (i == 0 || deleted[i] > deleted[i - 1]),
              "section DELETED", "document " + deleted[i] + " out of order or outside [0, " + docs + ")");
        }
        Map<String, IndexEntry> indexes = new LinkedHashMap<>();
        for (String key : kv.keySet()) {
          if (key.startsWith("index.") && key.endsWith(".file")) {
            String codec = key.substring(6, key.length() - 5);
            String p = "index." + codec + ".";
            String name = kv.get(key);
            f.require(!name.contains("/") && !name.contains("\\") && !name.startsWith("."), key,
                "'" + name + "' is not a file name of the dump directory");
            indexes.put(codec, new IndexEntry(name, Integer.parseUnsignedInt(get(f, kv, p + "crc"), 16),
                Double.parseDouble(get(f, kv, p + "base_residual")), Long.parseLong(get(f, kv, p + "added_rows")),
                Double.parseDouble(get(f, kv, p + "added_residual_sum"))));
          }
        }
        return new DumpManifest(spec, shards, true, generation, deleted, indexes);
      } catch (IllegalArgumentException e) { // NumberFormatException and spec checks
        throw new FileFormatException(path, "TEXT", "invalid value: " + e.getMessage());
      }
    }
  }

  /**
   * Checks that the dump in {@code dir}, if any, was made from the same source: every key of {@code source} that its
   * manifest records too must have the same value. Cheap (the manifest only), so a caller can check before loading a
   * model; {@link DumpWriter#open} checks the same.
   *
   * @throws IllegalArgumentException naming every differing key with both values, and the directory
   * @param dir the dump directory (nothing is checked when it holds no dump)
   * @param source the new run's source keys and values
   * @throws IOException when the manifest cannot be read
   */
  public static void checkSource(Path dir, Map<String, String> source) throws IOException {
    if (!java.nio.file.Files.exists(dir.resolve(FILE))) {
      return;
    }
    checkSource(dir, read(dir, Expect.ANY).spec().source(), source);
  }

  static void checkSource(Path dir, Map<String, String> old, Map<String, String> now) {
    List<String> diff = new ArrayList<>();
    for (Map.Entry<String, String> e : now.entrySet()) {
      String was = old.get(e.getKey());
      if (was != null && !was.equals(e.getValue())) {
        diff.add("another " + e.getKey().replace('_', ' ') + " ('" + was + "', this run: '" + e.getValue() + "')");
      }
    }
    if (!diff.isEmpty()) {
      throw new IllegalArgumentException(dir + " holds a dump of " + String.join(" and ", diff)
          + ": write it elsewhere or delete it");
    }
  }

  private static String get(ContainerFile f, Map<String, String> kv, String key) throws FileFormatException {
    String v = kv.get(key);
    f.require(v != null, key, "missing");
    return v;
  }
}
