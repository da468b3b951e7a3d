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
  public static final String FILE = "MANIFEST";
  public static final String MAGIC = "DPMANIFT";
  public static final int VERSION = 1;
  /** Provenance lines ({@link DumpSpec#source()}): {@code source.<key>=<value>}; a manifest may have none. */
  static final String SOURCE_PREFIX = "source.";

  /** One completed shard. Checksums are keyed by file suffix: meta, fp16, int8. */
  public record ShardEntry(int inputDocs, int docs, long tokens, long tokensBeforeFilter, Map<String, Integer> crcs) {
    public ShardEntry {
      crcs = Map.copyOf(crcs);
    }
  }

  final DumpSpec spec;
  final List<ShardEntry> shards;
  final boolean complete;

  DumpManifest(DumpSpec spec, List<ShardEntry> shards, boolean complete) {
    this.spec = spec;
    this.shards = List.copyOf(shards);
    this.complete = complete;
  }

  public DumpSpec spec() {
    return spec;
  }

  public List<ShardEntry> shards() {
    return shards;
  }

  public boolean complete() {
    return complete;
  }

  /**
   * Identifies the dump's content (documents, offsets, filter scores and token counts of every shard): an index
   * records it and refuses to serve a dump with another one.
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
    }
    try (ContainerWriter w = ContainerWriter.create(dir.resolve(FILE), MAGIC, VERSION, spec.modelId(), spec.dim(),
        DType.NONE, List.of("TEXT"))) {
      w.section("TEXT", sb.toString().getBytes(StandardCharsets.UTF_8));
      w.commit(shards.size());
    }
  }

  static String typeNames(Set<VectorType> types) {
    List<String> n = new ArrayList<>();
    for (VectorType t : EnumSet.copyOf(types)) {
      n.add(t.name().toLowerCase(Locale.ROOT));
    }
    return String.join(",", n);
  }

  /** Reads and checks the manifest of {@code dir}; model id and dim are checked when {@code expect} sets them. */
  public static DumpManifest read(Path dir, Expect expect) throws IOException {
    Path path = dir.resolve(FILE);
    try (ContainerFile f = ContainerFile.open(path, MAGIC, VERSION, expect.withDtype(DType.NONE), Verify.ON_OPEN)) {
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
          shards.add(new ShardEntry(Integer.parseInt(get(f, kv, p + "input_docs")),
              Integer.parseInt(get(f, kv, p + "docs")), Long.parseLong(get(f, kv, p + "tokens")),
              Long.parseLong(get(f, kv, p + "tokens_before_filter")), crcs));
        }
        return new DumpManifest(spec, shards, complete);
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
