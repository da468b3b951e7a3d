package org.densephrases.index.dump;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.densephrases.index.format.ContainerFile;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Segments;
import org.densephrases.index.format.StringTable;
import org.densephrases.index.format.Verify;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.VectorType;

/**
 * One shard of an open {@link Dump}: a run of documents, their token vectors (FP16 and/or INT8, memory-mapped) and
 * metadata. Token and document numbers here are local to the shard; {@link #tokenBase()} and {@link #docBase()} turn
 * them into the dump's global numbers. Owned by the Dump, which closes it.
 */
public final class DumpShard implements AutoCloseable {
  private final int index;
  private final long tokenBase;
  private final int docBase;
  private final ContainerFile meta;
  private final Map<VectorType, ContainerFile> vectorFiles = new EnumMap<>(VectorType.class);
  private final Map<VectorType, EncodedVectors> vectors = new EnumMap<>(VectorType.class);
  private final int numDocs;
  private final long numTokens;
  private final long[] docTokenStarts; // (doc+1) local token starts
  private final StringTable ids;
  private final StringTable titles;
  private final StringTable texts;
  private final MemorySegment tokChar; // (token)(2) int32 start, end
  private final MemorySegment tokPos; // (token) int32
  private final MemorySegment filter; // (token) float32

  private DumpShard(int index, long tokenBase, int docBase, ContainerFile meta, DumpManifest.ShardEntry entry)
      throws FileFormatException {
    this.index = index;
    this.tokenBase = tokenBase;
    this.docBase = docBase;
    this.meta = meta;
    this.numDocs = Math.toIntExact(meta.header().count());
    this.numTokens = entry.tokens();
    meta.require(numDocs == entry.docs(), "count",
        numDocs + " documents, the manifest says " + entry.docs());
    meta.require(numDocs >= 1, "count", "a shard holds at least one document");
    this.docTokenStarts = Segments.longs(meta.section("DOCTOK", 8L * (numDocs + 1)));
    meta.require(docTokenStarts[0] == 0, "section DOCTOK", "the first document must start at token 0");
    for (int d = 1; d <= numDocs; d++) {
      meta.require(docTokenStarts[d] > docTokenStarts[d - 1], "section DOCTOK",
          "document " + (d - 1) + " is empty or out of order");
    }
    meta.require(docTokenStarts[numDocs] == numTokens, "section DOCTOK",
        "the last document ends at token " + docTokenStarts[numDocs] + ", the manifest says " + numTokens + " tokens");
    this.tokChar = meta.section("TOKCHAR", 8L * numTokens);
    this.tokPos = meta.section("TOKPOS", 4L * numTokens);
    this.filter = meta.section("FILTER", 4L * numTokens);
    this.ids = StringTable.open(meta, "DOCIDS", numDocs);
    this.titles = StringTable.open(meta, "TITLES", numDocs);
    this.texts = StringTable.open(meta, "TEXTS", numDocs);
  }

  static DumpShard open(Path dir, int index, long tokenBase, int docBase, DumpManifest m, Verify verify)
      throws IOException {
    DumpManifest.ShardEntry entry = m.shards().get(index);
    Expect expect = new Expect(m.spec().modelId(), m.spec().dim(), null);
    ContainerFile meta = ContainerFile.open(DumpFiles.meta(dir, entry.file()), DumpFiles.META_MAGIC, DumpFiles.VERSION,
        expect.withDtype(DType.NONE), verify);
    DumpShard s = null;
    try {
      checkListed(meta, entry.crcs().get("meta"));
      s = new DumpShard(index, tokenBase, docBase, meta, entry);
      for (VectorType t : m.spec().types()) {
        ContainerFile f = ContainerFile.open(DumpFiles.vectors(dir, entry.file(), t), DumpFiles.VECTORS_MAGIC,
            DumpFiles.VERSION, expect.withDtype(DType.of(t)), verify);
        s.vectorFiles.put(t, f);
        checkListed(f, entry.crcs().get(DumpFiles.suffix(t)));
        f.require(f.header().count() == entry.tokens(), "count",
            f.header().count() + " vectors, the manifest says " + entry.tokens() + " tokens");
        int dim = m.spec().dim();
        MemorySegment data = f.section("DATA", entry.tokens() * dim * (long) t.bytes);
        EncodedVectors ev;
        if (t == VectorType.FP16) {
          ev = EncodedVectors.fp16(data, entry.tokens(), dim);
        } else {
          float[] q = Segments.floats(f.section("QPARAMS", 8L * dim));
          float[] offset = java.util.Arrays.copyOfRange(q, 0, dim);
          float[] scale = java.util.Arrays.copyOfRange(q, dim, 2 * dim);
          for (int d = 0; d < dim; d++) {
            f.require(Float.isFinite(offset[d]) && Float.isFinite(scale[d]) && scale[d] > 0, "section QPARAMS",
                "dimension " + d + " has offset " + offset[d] + " and scale " + scale[d]);
          }
          ev = EncodedVectors.int8(data, entry.tokens(), dim, offset, scale);
        }
        s.vectors.put(t, ev);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      if (s != null) {
        s.close();
      } else {
        meta.close();
      }
      throw e;
    }
  }

  /** The file must be the one the manifest recorded when the shard completed. */
  private static void checkListed(ContainerFile f, Integer crc) throws FileFormatException {
    f.require(crc != null && crc == f.header().payloadCrc(), "payload checksum",
        String.format("the file's header says %08x, the MANIFEST recorded %s: the file was replaced after the shard"
            + " completed", f.header().payloadCrc(), crc == null ? "none" : String.format("%08x", crc)));
  }

  /**
   * Checks the payload checksums of every file of the shard (for dumps opened with {@link Verify#LAZY}).
   *
   * @throws FileFormatException when a file does not match its checksum
   */
  public void verify() throws FileFormatException {
    meta.verify();
    for (ContainerFile f : vectorFiles.values()) {
      f.verify();
    }
  }

  /** {@return the shard's position in the dump} */
  public int index() {
    return index;
  }

  /**
   * Global id of local token 0.
   *
   * @return the global token id
   */
  public long tokenBase() {
    return tokenBase;
  }

  /**
   * Global number of local document 0.
   *
   * @return the global document number
   */
  public int docBase() {
    return docBase;
  }

  /** {@return the documents stored in the shard} */
  public int numDocs() {
    return numDocs;
  }

  /** {@return the tokens stored in the shard} */
  public long numTokens() {
    return numTokens;
  }

  /**
   * {@return true when the shard stores vectors of that type}
   *
   * @param t a vector type
   */
  public boolean has(VectorType t) {
    return vectors.containsKey(t);
  }

  /**
   * The token vectors of type t, (token)(dim), a view of the mapped file.
   *
   * @param t FP16 or INT8 (one the shard stores)
   * @return a view of the shard's mapped vector file (valid while the dump is open)
   */
  public EncodedVectors vectors(VectorType t) {
    EncodedVectors v = vectors.get(t);
    if (v == null) {
      throw new IllegalArgumentException("the dump holds no " + t + " vectors (it has " + vectors.keySet() + ")");
    }
    return v;
  }

  /**
   * (doc+1) local token starts of the shard's documents, as {@code TokenTable} wants them. Do not modify.
   *
   * @return the array of document token starts
   */
  public long[] docTokenStarts() {
    return docTokenStarts;
  }

  /**
   * The local document holding local token t.
   *
   * @param t a local token id
   * @return the local document number
   */
  public int docOfToken(long t) {
    int lo = 0;
    int hi = numDocs - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (docTokenStarts[mid] <= t) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * {@return the first character of a token in its document's text}
   *
   * @param token a local token id
   */
  public int charStart(long token) {
    return tokChar.getAtIndex(Segments.I32, 2 * token);
  }

  /**
   * {@return one past the last character of a token}
   *
   * @param token a local token id
   */
  public int charEnd(long token) {
    return tokChar.getAtIndex(Segments.I32, 2 * token + 1);
  }

  /**
   * The token's position in its document before filtering.
   *
   * @param token a local token id
   * @return its position, counting filtered-out tokens
   */
  public int tokenPosition(long token) {
    return tokPos.getAtIndex(Segments.I32, token);
  }

  /**
   * {@return the filter score of a token ({@code -Infinity} without a filter)}
   *
   * @param token a local token id
   */
  public float filterScore(long token) {
    return filter.getAtIndex(Segments.F32, token);
  }

  /**
   * {@return the corpus id of a document}
   *
   * @param doc a local document number
   */
  public String docId(int doc) {
    return ids.get(doc);
  }

  /**
   * {@return the title of a document}
   *
   * @param doc a local document number
   */
  public String title(int doc) {
    return titles.get(doc);
  }

  /**
   * {@return the text of a document}
   *
   * @param doc a local document number
   */
  public String text(int doc) {
    return texts.get(doc);
  }

  Path metaPath() {
    return meta.path();
  }

  long bytes() {
    long b = meta.byteSize();
    for (ContainerFile f : vectorFiles.values()) {
      b += f.byteSize();
    }
    return b;
  }

  @Override
  public void close() {
    for (ContainerFile f : vectorFiles.values()) {
      f.close();
    }
    meta.close();
  }
}
