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
   * @param path the file to map (read-only)
   * @param expect what the header's model id, dim and dtype must be (null or 0 fields accept anything)
   * @param verify when to check the payload CRC32C
   * @return the open file; the caller closes it
   * @throws IOException when the file cannot be read, or a {@link FileFormatException} naming the field that is wrong
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

  /**
   * Checks the payload CRC32C (once; later calls return at once).
   *
   * @throws FileFormatException when the payload does not match its checksum
   */
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

  /** {@return true once the payload checksum has been checked} */
  public boolean isVerified() {
    return verified;
  }

  /** {@return the file's path} */
  public Path path() {
    return path;
  }

  /** {@return the parsed header} */
  public Header header() {
    return header;
  }

  /**
   * Whether the file has a section.
   *
   * @param name a section name
   * @return true when the section table lists it
   */
  public boolean hasSection(String name) {
    return header.section(name) != null;
  }

  /**
   * A read-only view of a section's bytes (valid until close).
   *
   * @param name a section name
   * @return the section's bytes
   * @throws FileFormatException when the file has no such section
   */
  public MemorySegment section(String name) throws FileFormatException {
    Section s = header.section(name);
    if (s == null) {
      throw new FileFormatException(path, "section " + name, "missing");
    }
    return file.asSlice(s.offset(), s.length());
  }

  /**
   * A section that must be exactly {@code bytes} long.
   *
   * @param name a section name
   * @param bytes the length the section must have
   * @return the section's bytes
   * @throws FileFormatException when the section is missing or has another length
   */
  public MemorySegment section(String name, long bytes) throws FileFormatException {
    MemorySegment s = section(name);
    if (s.byteSize() != bytes) {
      throw new FileFormatException(path, "section " + name,
          "holds " + s.byteSize() + " bytes, expected " + bytes);
    }
    return s;
  }

  /**
   * Throws naming the file and field unless {@code ok}.
   *
   * @param ok the condition
   * @param field the header field, section or key checked
   * @param problem what is wrong when {@code ok} is false
   * @throws FileFormatException when {@code ok} is false
   */
  public void require(boolean ok, String field, String problem) throws FileFormatException {
    if (!ok) {
      throw new FileFormatException(path, field, problem);
    }
  }

  /** {@return the file's length in bytes} */
  public long byteSize() {
    return file.byteSize();
  }

  @Override
  public void close() {
    arena.close();
  }
}
