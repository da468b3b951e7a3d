package org.densephrases.index.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Verify;
import org.densephrases.kernels.VectorType;

/**
 * An open dump: the MANIFEST and every listed shard, memory-mapped and checked (see FORMATS.md). Global token ids
 * number the tokens of shard 0, then shard 1, and so on; global document numbers likewise. Owns every mapping:
 * {@link #close()} unmaps them all.
 */
public final class Dump implements AutoCloseable {
  private final Path dir;
  private final DumpManifest manifest;
  private final List<DumpShard> shards;
  private final long[] tokenBases; // (shard+1)
  private final long numTokens;
  private final int numDocs;
  private final java.util.BitSet deleted; // global document numbers
  private final long deletedTokens;

  private Dump(Path dir, DumpManifest manifest, List<DumpShard> shards) {
    this.dir = dir;
    this.manifest = manifest;
    this.shards = List.copyOf(shards);
    this.tokenBases = new long[shards.size() + 1];
    int docs = 0;
    for (int i = 0; i < shards.size(); i++) {
      tokenBases[i + 1] = tokenBases[i] + shards.get(i).numTokens();
      docs += shards.get(i).numDocs();
    }
    this.numTokens = tokenBases[shards.size()];
    this.numDocs = docs;
    this.deleted = new java.util.BitSet(docs);
    long dt = 0;
    for (int d : manifest.deleted) {
      deleted.set(d);
      DumpShard s = shardOfDoc(d);
      long[] starts = s.docTokenStarts();
      int local = d - s.docBase();
      dt += starts[local + 1] - starts[local];
    }
    this.deletedTokens = dt;
  }

  /**
   * Opens the newest generation of a complete dump, checking every file's checksum.
   *
   * @param dir the dump directory
   * @return the open dump; the caller closes it
   * @throws IOException when the dump is missing, incomplete, or a file is corrupt
   */
  public static Dump open(Path dir) throws IOException {
    return open(dir, Expect.ANY, Verify.ON_OPEN, false);
  }

  /**
   * Opens a dump.
   *
   * @param expect model id and dimension the caller's question encoder needs (null/0: any)
   * @param verify when to check payload checksums
   * @param allowIncomplete open the completed shards of a dump still being written
   * @param dir the dump directory
   * @return the open dump; the caller closes it
   * @throws IOException when the dump is missing, incomplete (unless allowed), from another model, or corrupt
   */
  public static Dump open(Path dir, Expect expect, Verify verify, boolean allowIncomplete) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "dump directory not found");
    }
    // A change committed while we open generation g deletes the files g alone needs: open the newer one then.
    for (int attempt = 0; ; attempt++) {
      long g = Generations.latest(dir);
      try {
        return open(dir, g, expect, verify, allowIncomplete);
      } catch (NoSuchFileException e) {
        if (attempt >= 3 || Generations.latest(dir) == g) {
          throw e;
        }
      }
    }
  }

  /**
   * Opens generation {@code generation} of the dump (0: the dump writer's MANIFEST).
   *
   * @param dir the dump directory
   * @param generation the generation to open
   * @param expect model id and dimension the caller needs (null/0: any)
   * @param verify when to check payload checksums
   * @param allowIncomplete open the completed shards of a dump still being written
   * @return the open dump; the caller closes it
   * @throws IOException when that generation is missing or a file is corrupt or does not match
   */
  public static Dump open(Path dir, long generation, Expect expect, Verify verify, boolean allowIncomplete)
      throws IOException {
    DumpManifest m = Generations.read(dir, generation, expect.withDtype(null));
    Path mf = generation == 0 ? dir.resolve(DumpManifest.FILE) : Generations.file(dir, generation);
    return open(dir, m, mf, verify, allowIncomplete);
  }

  /**
   * Opens the dump a manifest not yet committed describes (a change reads the shards it wrote before committing);
   * payload checksums are not checked (the files were just written and checksummed by this process).
   *
   * @param dir the dump directory
   * @param m the uncommitted manifest
   * @return the open dump; the caller closes it
   * @throws IOException when a shard file cannot be opened
   */
  public static Dump openUncommitted(Path dir, DumpManifest m) throws IOException {
    return open(dir, m, Generations.file(dir, m.generation()), Verify.LAZY, false);
  }

  private static Dump open(Path dir, DumpManifest m, Path mf, Verify verify, boolean allowIncomplete)
      throws IOException {
    if (!m.complete() && !allowIncomplete) {
      throw new FileFormatException(mf, "complete",
          "the dump is incomplete (" + m.shards().size() + " shards done): resume the dump command to finish it");
    }
    if (m.shards().isEmpty()) {
      throw new FileFormatException(mf, "shards", "the dump holds no shards (no document had a kept token)");
    }
    List<DumpShard> shards = new ArrayList<>();
    try {
      long tokenBase = 0;
      int docBase = 0;
      for (int i = 0; i < m.shards().size(); i++) {
        DumpShard s = DumpShard.open(dir, i, tokenBase, docBase, m, verify);
        shards.add(s);
        tokenBase += s.numTokens();
        docBase += s.numDocs();
      }
      return new Dump(dir, m, shards);
    } catch (IOException | RuntimeException e) {
      for (DumpShard s : shards) {
        s.close();
      }
      throw e;
    }
  }

  /** {@return the dump directory} */
  public Path dir() {
    return dir;
  }

  /** {@return the model id of the vectors} */
  public String modelId() {
    return manifest.spec().modelId();
  }

  /** {@return the vector dimension} */
  public int dim() {
    return manifest.spec().dim();
  }

  /** {@return the vector types stored (FP16, INT8 or both)} */
  public Set<VectorType> types() {
    return manifest.spec().types();
  }

  /** {@return the manifest of the opened generation} */
  public DumpManifest manifest() {
    return manifest;
  }

  /**
   * The generation this dump was opened at (0: never changed since the dump command).
   *
   * @return the generation number
   */
  public long generation() {
    return manifest.generation();
  }

  /**
   * Whether global document d was removed (or replaced) by a later generation; search never returns it.
   *
   * @param doc a global document number
   * @return true when it is deleted
   */
  public boolean isDeleted(int doc) {
    return deleted.get(doc);
  }

  /**
   * Whether the document holding global token t is deleted.
   *
   * @param t a global token id
   * @return true when its document is deleted
   */
  public boolean isDeletedToken(long t) {
    if (deleted.isEmpty()) {
      return false;
    }
    DumpShard s = shardOfToken(t);
    return deleted.get(s.docBase() + s.docOfToken(t - s.tokenBase()));
  }

  /** {@return the number of deleted documents} */
  public int numDeletedDocs() {
    return deleted.cardinality();
  }

  /**
   * Tokens of deleted documents (still in the shards until compaction).
   *
   * @return the token count of deleted documents
   */
  public long numDeletedTokens() {
    return deletedTokens;
  }

  /**
   * The shard holding global document d.
   *
   * @param d a global document number
   * @return its shard
   */
  public DumpShard shardOfDoc(int d) {
    if (d < 0 || d >= numDocs) {
      throw new IndexOutOfBoundsException("document " + d + " is outside the dump's [0, " + numDocs + ")");
    }
    return shards.get(lastAtMost(i -> shards.get(i).docBase(), d));
  }

  /** The last shard index i with base(i) &lt;= key (base ascending, base(0) = 0 &lt;= key). */
  private int lastAtMost(java.util.function.IntToLongFunction base, long key) {
    int lo = 0;
    int hi = shards.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (base.applyAsLong(mid) <= key) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * See {@link DumpManifest#fingerprint()}.
   *
   * @return the content fingerprint
   */
  public String fingerprint() {
    return manifest.fingerprint();
  }

  /** {@return the shards, in global order} */
  public List<DumpShard> shards() {
    return shards;
  }

  /** {@return the number of tokens over all shards (deleted documents' included)} */
  public long numTokens() {
    return numTokens;
  }

  /** {@return the number of documents over all shards (deleted ones included)} */
  public int numDocs() {
    return numDocs;
  }

  /**
   * The shard holding global token id t.
   *
   * @param t a global token id
   * @return its shard
   */
  public DumpShard shardOfToken(long t) {
    if (t < 0 || t >= numTokens) {
      throw new IndexOutOfBoundsException("token " + t + " is outside the dump's [0, " + numTokens + ")");
    }
    return shards.get(lastAtMost(i -> tokenBases[i], t));
  }

  /**
   * Checks every payload checksum (for dumps opened with {@link Verify#LAZY}).
   *
   * @throws FileFormatException when a file does not match its checksum
   */
  public void verify() throws FileFormatException {
    for (DumpShard s : shards) {
      s.verify();
    }
  }

  /**
   * Bytes of all shard files.
   *
   * @return the total size in bytes
   */
  public long bytes() {
    long b = 0;
    for (DumpShard s : shards) {
      b += s.bytes();
    }
    return b;
  }

  @Override
  public void close() {
    for (DumpShard s : shards) {
      s.close();
    }
  }
}
