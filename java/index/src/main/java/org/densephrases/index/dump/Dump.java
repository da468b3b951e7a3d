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
  }

  /** Opens a complete dump, checking every file's checksum. */
  public static Dump open(Path dir) throws IOException {
    return open(dir, Expect.ANY, Verify.ON_OPEN, false);
  }

  /**
   * Opens a dump.
   *
   * @param expect model id and dimension the caller's question encoder needs (null/0: any)
   * @param verify when to check payload checksums
   * @param allowIncomplete open the completed shards of a dump still being written
   */
  public static Dump open(Path dir, Expect expect, Verify verify, boolean allowIncomplete) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "dump directory not found");
    }
    DumpManifest m = DumpManifest.read(dir, expect.withDtype(null));
    Path mf = dir.resolve(DumpManifest.FILE);
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

  public Path dir() {
    return dir;
  }

  public String modelId() {
    return manifest.spec().modelId();
  }

  public int dim() {
    return manifest.spec().dim();
  }

  public Set<VectorType> types() {
    return manifest.spec().types();
  }

  public DumpManifest manifest() {
    return manifest;
  }

  /** See {@link DumpManifest#fingerprint()}. */
  public String fingerprint() {
    return manifest.fingerprint();
  }

  public List<DumpShard> shards() {
    return shards;
  }

  public long numTokens() {
    return numTokens;
  }

  public int numDocs() {
    return numDocs;
  }

  /** The shard holding global token id t. */
  public DumpShard shardOfToken(long t) {
    if (t < 0 || t >= numTokens) {
      throw new IndexOutOfBoundsException("token " + t + " is outside the dump's [0, " + numTokens + ")");
    }
    int lo = 0;
    int hi = shards.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (tokenBases[mid] <= t) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return shards.get(lo);
  }

  /** Checks every payload checksum (for dumps opened with {@link Verify#LAZY}). */
  public void verify() throws FileFormatException {
    for (DumpShard s : shards) {
      s.verify();
    }
  }

  /** Bytes of all shard files. */
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
