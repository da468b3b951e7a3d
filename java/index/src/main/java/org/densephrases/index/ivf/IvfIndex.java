package org.densephrases.index.ivf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.format.ContainerFile;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Segments;
import org.densephrases.index.format.Verify;
import org.densephrases.index.quant.ProductQuantizer;
import org.densephrases.index.quant.ScalarQuantizer;
import org.densephrases.kernels.scan.IvfLists;

/**
 * An open IVF index file (magic {@value #MAGIC}, see FORMATS.md): centroids, list offsets, ids and codes
 * memory-mapped; small arrays (centroids, offsets, ids, codebooks) copied to the heap because the kernels' IVF
 * lists take them as arrays. Owns the mapping; {@link #close()} unmaps it.
 */
public final class IvfIndex implements AutoCloseable {
  /** The index file's magic. */
  public static final String MAGIC = "DPIVFIDX";
  /** The index file format version. */
  public static final int VERSION = 1;

  private final ContainerFile file;
  private final Map<String, String> params;
  private final Codec codec;
  private final int nlist;
  private final int dim;
  private final long count;
  private final boolean residual;
  private final float[] centroids; // (nlist)(dim)
  private final long[] listOffsets; // (nlist+1)
  private final float[] rotation; // (dim)(dim) or null
  private final ScalarQuantizer sq;
  private final ProductQuantizer pq;
  private final IvfLists lists;
  private final MemorySegment codes; // (count)(code bytes), rows grouped by list
  private final int codeBytes;

  private IvfIndex(ContainerFile f) throws FileFormatException {
    this.file = f;
    this.params = parse(f);
    this.dim = f.header().dim();
    this.count = f.header().count();
    f.require(count <= Integer.MAX_VALUE, "count", count + " vectors: at most 2^31-1 per index file");
    try {
      this.codec = Codec.parse(param("codec"));
      this.nlist = Integer.parseInt(param("nlist"));
      this.residual = Boolean.parseBoolean(param("residual"));
    } catch (IllegalArgumentException e) {
      throw new FileFormatException(f.path(), "PARAMS", e.getMessage());
    }
    f.require(nlist >= 1 && nlist <= IndexSpec.MAX_NLIST, "nlist", "invalid value " + nlist);
    f.require(f.header().dtype() == (codec == Codec.SQ8 ? DType.INT8 : DType.PQ8), "dtype",
        f.header().dtype() + " does not match codec " + codec);
    this.centroids = Segments.floats(f.section("CENTROID", 4L * nlist * dim));
    this.listOffsets = Segments.longs(f.section("LISTOFF", 8L * (nlist + 1)));
    f.require(listOffsets[0] == 0 && listOffsets[nlist] == count, "section LISTOFF",
        "must run from 0 to the vector count " + count);
    for (int l = 1; l <= nlist; l++) {
      f.require(listOffsets[l] >= listOffsets[l - 1], "section LISTOFF", "list " + (l - 1) + " ends before it starts");
    }
    long[] ids = Segments.longs(f.section("IDS", 8L * count));
    for (long id : ids) {
      f.require(id >= 0, "section IDS", "negative id " + id);
    }
    float[] rot = null;
    if (f.hasSection("OPQ")) {
      rot = Segments.floats(f.section("OPQ", 4L * dim * dim));
    }
    this.rotation = rot;
    try {
      if (codec == Codec.SQ8) {
        float[] q = Segments.floats(f.section("QPARAMS", 8L * dim));
        this.sq = new ScalarQuantizer(java.util.Arrays.copyOfRange(q, 0, dim),
            java.util.Arrays.copyOfRange(q, dim, 2 * dim));
        this.pq = null;
        this.codeBytes = dim;
        this.codes = f.section("CODES", count * dim);
        this.lists = IvfLists.of(sq.view(codes, count), listOffsets, ids);
      } else {
        int m = Integer.parseInt(param("pq_m"));
        f.require(m >= 1 && dim % m == 0, "pq_m", m + " does not divide dim " + dim);
        this.pq = new ProductQuantizer(dim, m,
            Segments.floats(f.section("PQBOOK", 4L * m * ProductQuantizer.KSUB * (dim / m))));
        this.sq = null;
        this.codeBytes = m;
        this.codes = f.section("CODES", count * m);
        this.lists = IvfLists.of(pq.view(codes, count), listOffsets, ids);
      }
    } catch (IllegalArgumentException e) {
      throw new FileFormatException(f.path(), codec == Codec.SQ8 ? "section QPARAMS" : "section PQBOOK",
          e.getMessage());
    }
  }

  /**
   * Opens and checks an index, requiring nothing of its header and verifying its checksum on open.
   *
   * @param path the index file
   * @return the open index; the caller closes it
   * @throws IOException when the file is missing or corrupt
   */
  public static IvfIndex open(Path path) throws IOException {
    return open(path, Expect.ANY, Verify.ON_OPEN);
  }

  /**
   * Opens and checks an index; {@code expect} may require a model id and dimension (dtype is implied by codec).
   *
   * @param path the index file
   * @param expect model id and dimension required (null/0: any)
   * @param verify when to check the payload checksum
   * @return the open index; the caller closes it
   * @throws IOException when the file is missing, corrupt or does not match {@code expect}
   */
  public static IvfIndex open(Path path, Expect expect, Verify verify) throws IOException {
    ContainerFile f = ContainerFile.open(path, MAGIC, VERSION, expect.withDtype(null), verify);
    try {
      return new IvfIndex(f);
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
  }

  /**
   * Opens the index of {@code codec} of the dump's generation ({@link IndexFiles#of}), checking that it is the very file the
   * generation recorded (payload checksum) and that it serves the dump.
   *
   * @param dump the open dump
   * @param codec SQ8 or PQ
   * @param expect model id and dimension required (null/0: any)
   * @param verify when to check the payload checksum
   * @return the open index; the caller closes it
   * @throws IOException when the generation lists no index for the codec, or the file is not the recorded one
   */
  public static IvfIndex openFor(Dump dump, Codec codec, Expect expect, Verify verify) throws IOException {
    Path f = IndexFiles.of(dump, codec);
    if (f == null || !java.nio.file.Files.exists(f)) {
      String where = f == null ? dump.dir() + " (generation " + dump.generation() + " lists no " + IndexFiles.name(codec)
          + " index)"
          : f.toString();
      throw new java.nio.file.NoSuchFileException(where, null, "index not found (build it with 'densephrases index"
          + " --codec " + IndexFiles.name(codec) + "', or use the exact index)");
    }
    IvfIndex idx = open(f, expect, verify);
    try {
      if (dump.generation() > 0) {
        int want = dump.manifest().indexes().get(IndexFiles.name(codec)).crc();
        idx.file.require(idx.payloadCrc() == want, "payload checksum", String.format(
            "the file's header says %08x, generation %d recorded %08x: the file was replaced after the commit",
            idx.payloadCrc(), dump.generation(), want));
      }
      idx.checkServes(dump);
      return idx;
    } catch (IOException | RuntimeException e) {
      idx.close();
      throw e;
    }
  }

  private static Map<String, String> parse(ContainerFile f) throws FileFormatException {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String line : Segments.utf8(f.section("PARAMS")).split("\n")) {
      if (!line.isEmpty()) {
        int eq = line.indexOf('=');
        f.require(eq > 0, "PARAMS", "line without '=': " + line);
        kv.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    f.require("ivf".equals(kv.get("kind")), "kind", "expected 'ivf', found '" + kv.get("kind") + "'");
    return kv;
  }

  private String param(String key) throws FileFormatException {
    String v = params.get(key);
    file.require(v != null, key, "missing from PARAMS");
    return v;
  }

  /**
   * Checks that this index was built from {@code dump}: same model id and dimension, same dump fingerprint, every
   * id a token of the dump. Serving an index with another dump would return other tokens' text: a wrong answer.
   *
   * @param dump the dump to serve
   * @throws FileFormatException when the index does not serve the dump
   */
  public void checkServes(Dump dump) throws FileFormatException {
    file.require(modelId().equals(dump.modelId()), "model id",
        "the index is for model '" + modelId() + "', the dump " + dump.dir() + " for '" + dump.modelId() + "'");
    file.require(dim == dump.dim(), "dim", "the index has dim " + dim + ", the dump " + dump.dim());
    file.require(dump.fingerprint().equals(sourceFingerprint()), "source",
        "the index was built from dump " + sourceFingerprint() + ", " + dump.dir() + " is dump " + dump.fingerprint()
            + ": rebuild the index");
    long max = -1;
    for (long id : lists.ids()) {
      max = Math.max(max, id);
    }
    file.require(max < dump.numTokens(), "section IDS",
        "id " + max + " is beyond the dump's " + dump.numTokens() + " tokens");
  }

  /**
   * Checks the payload checksum (for an index opened with {@link Verify#LAZY}).
   *
   * @throws FileFormatException when the payload does not match its checksum
   */
  public void verify() throws FileFormatException {
    file.verify();
  }

  /** {@return the index file} */
  public Path path() {
    return file.path();
  }

  /** {@return the model id of the indexed vectors} */
  public String modelId() {
    return file.header().modelId();
  }

  /** {@return the fingerprint of the dump the index was built from ({@code ""} when unknown)} */
  public String sourceFingerprint() {
    return params.getOrDefault("source", "");
  }

  /**
   * All PARAMS entries (codec, nlist, pq_m, opq, residual, seed, ...).
   *
   * @return the parameter map
   */
  public Map<String, String> params() {
    return java.util.Collections.unmodifiableMap(params);
  }

  /** {@return SQ8 or PQ} */
  public Codec codec() {
    return codec;
  }

  /** {@return the number of lists} */
  public int nlist() {
    return nlist;
  }

  /** {@return the vector dimension} */
  public int dim() {
    return dim;
  }

  /** {@return the number of indexed vectors} */
  public long count() {
    return count;
  }

  /** {@return true when codes encode {@code x - centroid}} */
  public boolean residual() {
    return residual;
  }

  /**
   * (nlist)(dim). Do not modify.
   *
   * @return the coarse centroids, (nlist)(dim) row-major
   */
  public float[] centroids() {
    return centroids;
  }

  /**
   * (nlist+1). Do not modify.
   *
   * @return the list boundaries: list i holds rows [off[i], off[i+1])
   */
  public long[] listOffsets() {
    return listOffsets;
  }

  /**
   * The OPQ rotation (dim)(dim) row-major, y = R x, or null. Do not modify.
   *
   * @return the rotation or null
   */
  public float[] rotation() {
    return rotation;
  }

  /** {@return the SQ8 quantizer, or null for PQ} */
  public ScalarQuantizer sq() {
    return sq;
  }

  /** {@return the product quantizer, or null for SQ8} */
  public ProductQuantizer pq() {
    return pq;
  }

  /**
   * The lists as the kernels scan them (ids are global token ids for an index built from a dump).
   *
   * @return the mapped lists
   */
  public IvfLists lists() {
    return lists;
  }

  /** The CODES section, (count)(codeBytes()), rows grouped by list like the ids. A view of the mapping. */
  MemorySegment codes() {
    return codes;
  }

  /**
   * Bytes per row's code: dim for SQ8, m for PQ.
   *
   * @return the code size in bytes
   */
  public int codeBytes() {
    return codeBytes;
  }

  /**
   * The payload checksum from the file header (a generation's manifest records it).
   *
   * @return the payload CRC32C from the header
   */
  public int payloadCrc() {
    return file.header().payloadCrc();
  }

  /** {@return the file size in bytes} */
  public long byteSize() {
    return file.byteSize();
  }

  @Override
  public void close() {
    file.close();
  }
}
