package org.densephrases.index.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one file of the common container format (see FORMATS.md): a header, then named sections, each aligned to 64
 * bytes. Everything goes to {@code <target>.tmp}; {@link #commit} computes the payload checksum, writes the header,
 * forces the data to disk and atomically renames the file to {@code target}. A writer closed without a commit
 * deletes its temporary file, so a half-written file never carries the final name.
 *
 * <p>Sections are written in the order declared at creation, either sequentially through {@link #begin} or by
 * random access into a mapped region through {@link #reserve} (for codes written list by list). Segments returned by
 * {@code reserve} die with the writer: they are unmapped at commit or close.
 */
public final class ContainerWriter implements AutoCloseable {
  private final Path target;
  private final Path tmp;
  private final FileChannel channel;
  private final Arena arena = Arena.ofShared();
  private final String magic;
  private final int version;
  private final String modelId;
  private final int dim;
  private final DType dtype;
  private final List<String> declared;
  private final List<Section> written = new ArrayList<>();
  private final int headerBytes;
  private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
  private final MemorySegment bufSeg = MemorySegment.ofBuffer(buf); // the whole buffer: taken while position is 0
  private long position;
  private String open; // name of the sequential section being written, or null
  private long openStart;
  private boolean done;

  private ContainerWriter(Path target, String magic, int version, String modelId, int dim, DType dtype,
      List<String> sections) throws IOException {
    HeaderCodec.magicBytes(magic);
    for (String s : sections) {
      if (s.isEmpty() || s.length() > Section.NAME_BYTES || !StandardCharsets.US_ASCII.newEncoder().canEncode(s)) {
        throw new IllegalArgumentException("section name must be 1-8 ASCII characters: '" + s + "'");
      }
    }
    int modelBytes = modelId.getBytes(StandardCharsets.UTF_8).length;
    if (modelBytes > 65535) {
      throw new IllegalArgumentException("model id is longer than 65535 UTF-8 bytes");
    }
    this.target = target;
    this.tmp = target.resolveSibling(target.getFileName() + ".tmp");
    this.magic = magic;
    this.version = version;
    this.modelId = modelId;
    this.dim = dim;
    this.dtype = dtype;
    this.declared = List.copyOf(sections);
    this.headerBytes = Header.headerBytesFor(modelBytes, sections.size());
    Files.deleteIfExists(tmp);
    this.channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    this.position = headerBytes;
  }

  /**
   * Starts {@code <target>.tmp}; a stale one from a killed writer is replaced.
   *
   * @param target the final path (written to {@code <target>.tmp} first)
   * @param magic the 8-character magic of the file kind
   * @param version the format version
   * @param modelId the model the vectors come from
   * @param dim the vector dimension (0 for none)
   * @param dtype the element type
   * @param sections the section names, in the order they will be written
   * @return the writer; {@link #commit} finishes the file, closing without it deletes the temporary file
   * @throws IOException when the temporary file cannot be created
   */
  public static ContainerWriter create(Path target, String magic, int version, String modelId, int dim, DType dtype,
      List<String> sections) throws IOException {
    return new ContainerWriter(target, magic, version, modelId, dim, dtype, sections);
  }

  /** {@return the temporary file being written} */
  public Path tmpPath() {
    return tmp;
  }

  /**
   * Starts the next declared section for sequential writes through the returned sink (valid until the next call).
   *
   * @param name the next declared section
   * @return this writer, to chain puts
   * @throws IOException when the write fails
   * @throws IllegalStateException when {@code name} is not the next declared section or the writer is closed
   */
  public ContainerWriter begin(String name) throws IOException {
    startSection(name);
    open = name;
    openStart = position;
    return this;
  }

  /**
   * Adds the next declared section with a fixed length and returns it mapped for random-access writes (zero
   * filled). The segment is valid until {@link #commit} or {@link #close}.
   *
   * @param name the next declared section
   * @param length its length in bytes
   * @return the mapped section
   * @throws IOException when the file cannot grow
   * @throws IllegalStateException when {@code name} is not the next declared section or the writer is closed
   */
  public MemorySegment reserve(String name, long length) throws IOException {
    startSection(name);
    MemorySegment seg = length == 0 ? MemorySegment.NULL.reinterpret(0)
        : channel.map(FileChannel.MapMode.READ_WRITE, position, length, arena);
    written.add(new Section(name, position, length));
    position += length;
    return seg;
  }

  /**
   * Adds a whole section from a byte array.
   *
   * @param name the next declared section
   * @param bytes its content
   * @throws IOException when the write fails
   * @throws IllegalStateException when {@code name} is not the next declared section or the writer is closed
   */
  public void section(String name, byte[] bytes) throws IOException {
    begin(name).put(bytes);
  }

  /**
   * Appends bytes to the current section.
   *
   * @param b the bytes, appended as they are
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter put(byte[] b) throws IOException {
    return put(b, 0, b.length);
  }

  /**
   * Appends part of an array to the current section.
   *
   * @param b the source array
   * @param off the first byte
   * @param len the number of bytes
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter put(byte[] b, int off, int len) throws IOException {
    requireOpen();
    while (len > 0) {
      int n = Math.min(len, buf.remaining());
      buf.put(b, off, n);
      off += n;
      len -= n;
      if (!buf.hasRemaining()) {
        flushBuffer();
      }
    }
    return this;
  }

  /**
   * Appends floats, little-endian, to the current section.
   *
   * @param a the source array
   * @param off the first value
   * @param len the number of values
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putFloats(float[] a, int off, int len) throws IOException {
    requireOpen();
    for (int i = 0; i < len; i++) {
      room(4);
      buf.putFloat(a[off + i]);
    }
    return this;
  }

  /**
   * Appends floats, little-endian, to the current section.
   *
   * @param a the floats, all appended
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putFloats(float[] a) throws IOException {
    return putFloats(a, 0, a.length);
  }

  /**
   * Appends longs, little-endian, to the current section.
   *
   * @param a the longs, all appended
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putLongs(long[] a) throws IOException {
    requireOpen();
    for (long v : a) {
      room(8);
      buf.putLong(v);
    }
    return this;
  }

  /**
   * Appends ints, little-endian, to the current section.
   *
   * @param a the source array
   * @param off the first value
   * @param len the number of values
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putInts(int[] a, int off, int len) throws IOException {
    requireOpen();
    for (int i = 0; i < len; i++) {
      room(4);
      buf.putInt(a[off + i]);
    }
    return this;
  }

  /**
   * Appends one short, little-endian, to the current section.
   *
   * @param v any short
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putShort(short v) throws IOException {
    requireOpen();
    room(2);
    buf.putShort(v);
    return this;
  }

  /**
   * Appends one byte to the current section.
   *
   * @param v any byte
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putByte(byte v) throws IOException {
    requireOpen();
    room(1);
    buf.put(v);
    return this;
  }

  /**
   * Appends the bytes of a segment (e.g. a staged region of another file).
   *
   * @param seg the bytes to copy
   * @return this writer
   * @throws IOException when the write fails
   */
  public ContainerWriter putSegment(MemorySegment seg) throws IOException {
    requireOpen();
    long n = seg.byteSize();
    long off = 0;
    while (off < n) {
      int len = (int) Math.min(buf.remaining(), n - off);
      MemorySegment.copy(seg, off, bufSeg, buf.position(), len);
      buf.position(buf.position() + len);
      off += len;
      if (!buf.hasRemaining()) {
        flushBuffer();
      }
    }
    return this;
  }

  /**
   * Finishes the file: every declared section must have been written. Computes the payload CRC32C, writes the
   * header with {@code count}, forces to disk and renames {@code <target>.tmp} to {@code target} atomically.
   *
   * @return the header written
   * @param count the header's row count (its meaning depends on the file kind)
   * @throws IOException when a section is missing or the file cannot be written, forced or renamed
   */
  public Header commit(long count) throws IOException {
    closeOpenSection();
    if (written.size() != declared.size()) {
      throw new IllegalStateException(
          "section " + declared.get(written.size()) + " of " + target + " was never written");
    }
    long fileBytes = position;
    channel.force(false);
    int crc;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment payload = fileBytes == headerBytes ? MemorySegment.NULL.reinterpret(0)
          : channel.map(FileChannel.MapMode.READ_ONLY, headerBytes, fileBytes - headerBytes, a);
      crc = Crc.crc32c(payload);
    }
    Header h = new Header(magic, version, headerBytes, fileBytes, dim, dtype, count, crc, modelId, written);
    ByteBuffer hb = ByteBuffer.wrap(HeaderCodec.encode(h));
    long p = 0;
    while (hb.hasRemaining()) {
      p += channel.write(hb, p);
    }
    channel.force(true);
    channel.close();
    arena.close();
    moveAtomically(tmp, target);
    done = true;
    return h;
  }

  /**
   * Renames atomically (replacing the target) and forces the directory entry to disk where the OS allows it.
   *
   * @param from the source path
   * @param to the target path
   * @throws IOException when the rename fails
   */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + to + " cannot rename atomically; a dump needs one that can", e);
    }
    Path dir = to.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not every OS lets a directory be opened and forced; the rename itself is still atomic.
    }
  }

  /** Abandons an uncommitted file: its temporary file is deleted. */
  @Override
  public void close() throws IOException {
    if (done) {
      return;
    }
    done = true;
    try {
      if (channel.isOpen()) {
        channel.close();
      }
      arena.close();
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void startSection(String name) throws IOException {
    if (done) {
      throw new IllegalStateException("writer of " + target + " is closed");
    }
    closeOpenSection();
    int i = written.size();
    if (i >= declared.size() || !declared.get(i).equals(name)) {
      throw new IllegalStateException("section " + name + " of " + target + " out of order: expected "
          + (i < declared.size() ? declared.get(i) : "no more sections"));
    }
    long aligned = Header.align(position);
    if (aligned != position) {
      channel.write(ByteBuffer.allocate((int) (aligned - position)), position);
      position = aligned;
    }
  }

  private void closeOpenSection() throws IOException {
    if (open == null) {
      return;
    }
    flushBuffer();
    written.add(new Section(open, openStart, position - openStart));
    open = null;
  }

  private void requireOpen() {
    if (open == null) {
      throw new IllegalStateException("no section is open for sequential writes in " + target);
    }
  }

  private void room(int n) throws IOException {
    if (buf.remaining() < n) {
      flushBuffer();
    }
  }

  private void flushBuffer() throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      position += channel.write(buf, position);
    }
    buf.clear();
  }
}
