package org.densephrases.index.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped file of the common container format, checked on open: magic, version, header checksum, length,
 * section bounds, then the caller's expectations (model id, dimension, dtype), then (unless {@link Verify#LAZY}) the
 * payload checksum. Owns the mapping: {@link #close()} unmaps it, after which every section segment is invalid (an
 * access throws IllegalStateException rather than reading freed memory).
 */
public final class ContainerFile implements AutoCloseable {
  private final Path path;
  private final Arena arena;
  private final MemorySegment file;
  private final Header header;
  private volatile boolean verified;

  private ContainerFile(Path path, Arena arena, MemorySegment file, Header header) {
    this.path = path;
    this.arena = arena;
    this.file = file;
    this.header = header;
  }

  /**
   * Maps and checks a file.
   *
   * @param magic the 8-character magic of the file kind expected
   * @param version the one format version this reader supports
   */
  public static ContainerFile open(Path path, String magic, int version, Expect expect, Verify verify)
      throws IOException {
    Arena arena = Arena.ofShared();
    boolean ok = false;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < Header.FIXED_BYTES) {
        throw new FileFormatException(path, "header",
            "truncated: the file has " + size + " bytes, a header needs at least " + Header.FIXED_BYTES);
      }
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      ByteBuffer head = seg.asSlice(0, Header.FIXED_BYTES).asByteBuffer();
      Header h = HeaderCodec.decode(path, head, size, magic, version, n -> seg.asSlice(0, n).asByteBuffer());
      checkExpect(path, h, expect);
      ContainerFile f = new ContainerFile(path, arena, seg, h);
      if (verify == Verify.ON_OPEN) {
        f.verify();
      }
      ok = true;
      return f;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "file not found");
    } finally {
      if (!ok) {
        arena.close();
      }
    }
  }

  private static void checkExpect(Path path, Header h, Expect e) throws FileFormatException {
    if (e.modelId() != null && !e.modelId().equals(h.modelId())) {
      throw new FileFormatException(path, "model id",
          "expected '" + e.modelId() + "', found '" + h.modelId() + "': vectors from another model");
    }
    if (e.dim() > 0 && e.dim() != h.dim()) {
      throw new FileFormatException(path, "dim", "expected " + e.dim() + ", found " + h.dim());
    }
    if (e.dtype() != null && e.dtype() != h.dtype()) {
      throw new FileFormatException(path, "dtype", "expected " + e.dtype() + ", found " + h.dtype());
    }
  }

  /** Checks the payload CRC32C (once; later calls return at once). */
  public void verify() throws FileFormatException {
    if (verified) {
      return;
    }
    MemorySegment payload = file.asSlice(header.headerBytes());
    int crc = Crc.crc32c(payload);
    if (crc != header.payloadCrc()) {
      throw new FileFormatException(path, "payload checksum",
          String.format("CRC32C of the payload is %08x, the header says %08x: the file is corrupted", crc,
              header.payloadCrc()));
    }
    verified = true;
  }

  public boolean isVerified() {
    return verified;
  }

  public Path path() {
    return path;
  }

  public Header header() {
    return header;
  }

  public boolean hasSection(String name) {
    return header.section(name) != null;
  }

  /** A read-only view of a section's bytes (valid until close). */
  public MemorySegment section(String name) throws FileFormatException {
    Section s = header.section(name);
    if (s == null) {
      throw new FileFormatException(path, "section " + name, "missing");
    }
    return file.asSlice(s.offset(), s.length());
  }

  /** A section that must be exactly {@code bytes} long. */
  public MemorySegment section(String name, long bytes) throws FileFormatException {
    MemorySegment s = section(name);
    if (s.byteSize() != bytes) {
      throw new FileFormatException(path, "section " + name,
          "holds " + s.byteSize() + " bytes, expected " + bytes);
    }
    return s;
  }

  /** Throws naming the file and field unless {@code ok}. */
  public void require(boolean ok, String field, String problem) throws FileFormatException {
    if (!ok) {
      throw new FileFormatException(path, field, problem);
    }
  }

  public long byteSize() {
    return file.byteSize();
  }

  @Override
  public void close() {
    arena.close();
  }
}
