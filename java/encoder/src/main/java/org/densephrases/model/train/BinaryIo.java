package org.densephrases.model.train;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Little-endian primitives over streams, with a running CRC32C: shared by checkpoints and teacher-logit caches. */
public final class BinaryIo {
  private BinaryIo() {}

  /** A little-endian writer: every value also goes into a CRC32C that {@link #finish()} appends. */
  public static final class Out implements AutoCloseable {
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * A writer over a stream.
     *
     * @param out the stream to write to; closed by {@link #close()}
     */
    public Out(OutputStream out) {
      this.out = out;
    }

    private void room(int n) throws IOException {
      if (buf.remaining() < n) {
        flushBuf();
      }
    }

    private void flushBuf() throws IOException {
      crc.update(buf.array(), 0, buf.position());
      out.write(buf.array(), 0, buf.position());
      buf.clear();
    }

    /**
     * Writes raw bytes, with no length prefix.
     *
     * @param b the bytes, written as they are
     * @throws IOException when the stream fails
     */
    public void bytes(byte[] b) throws IOException {
      flushBuf();
      crc.update(b);
      out.write(b);
    }

    /**
     * Writes a 32-bit little-endian int.
     *
     * @param v any int
     * @throws IOException when the stream fails
     */
    public void i32(int v) throws IOException {
      room(4);
      buf.putInt(v);
    }

    /**
     * Writes a 64-bit little-endian long.
     *
     * @param v any long
     * @throws IOException when the stream fails
     */
    public void i64(long v) throws IOException {
      room(8);
      buf.putLong(v);
    }

    /**
     * Writes a little-endian IEEE float32.
     *
     * @param v any float, NaN and infinities included
     * @throws IOException when the stream fails
     */
    public void f32(float v) throws IOException {
      room(4);
      buf.putFloat(v);
    }

    /**
     * Writes a string as its UTF-8 byte length (int32) then the bytes.
     *
     * @param s the string
     * @throws IOException when the stream fails
     */
    public void str(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      i32(b.length);
      bytes(b);
    }

    /**
     * Writes a float array as its length (int32) then the values.
     *
     * @param a the floats (at most 2^28 of them, so that the reader accepts the length)
     * @throws IOException when the stream fails
     */
    public void floats(float[] a) throws IOException {
      i32(a.length);
      for (float v : a) {
        room(4);
        buf.putFloat(v);
      }
    }

    /**
     * Writes a short array (for example fp16 bits) as its length (int32) then the values.
     *
     * @param a the shorts (at most 2^29 of them, so that the reader accepts the length)
     * @throws IOException when the stream fails
     */
    public void shorts(short[] a) throws IOException {
      i32(a.length);
      for (short v : a) {
        room(2);
        buf.putShort(v);
      }
    }

    /**
     * Writes the CRC32C of everything so far, then flushes.
     *
     * @throws IOException when the stream fails
     */
    public void finish() throws IOException {
      flushBuf();
      long c = crc.getValue();
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(c);
      out.write(b.array());
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * A little-endian reader matching {@link Out}: it tracks the byte offset and a CRC32C that {@link #verify()} checks.
   * Lengths over 1 GiB are treated as corruption.
   */
  public static final class In implements AutoCloseable {
    private final InputStream in;
    private final String name;
    private final CRC32C crc = new CRC32C();
    private final byte[] small = new byte[8];
    private long offset;

    /**
     * A reader over a stream.
     *
     * @param in the stream to read; closed by {@link #close()}
     * @param name the file name used in error messages
     */
    public In(InputStream in, String name) {
      this.in = in;
      this.name = name;
    }

    /** {@return the number of bytes read so far} */
    public long offset() {
      return offset;
    }

    /**
     * Reads exactly {@code n} raw bytes.
     *
     * @param n the byte count, 0 to 2^30
     * @return a new array of exactly {@code n} bytes
     * @throws IOException when {@code n} is out of range (corrupt length) or the stream ends early
     */
    public byte[] bytes(int n) throws IOException {
      if (n < 0 || n > (1 << 30)) {
        throw new IOException(name + ": corrupt length " + n + " at byte " + offset);
      }
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new EOFException(name + ": truncated at byte " + (offset + b.length) + " (wanted " + n + " more bytes)");
      }
      crc.update(b);
      offset += n;
      return b;
    }

    private ByteBuffer le(int n) throws IOException {
      int r = in.readNBytes(small, 0, n);
      if (r != n) {
        throw new EOFException(name + ": truncated at byte " + (offset + r));
      }
      crc.update(small, 0, n);
      offset += n;
      return ByteBuffer.wrap(small, 0, n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@return the next 32-bit little-endian int}
     * @throws IOException when the stream ends early
     */
    public int i32() throws IOException {
      return le(4).getInt();
    }

    /**
     * {@return the next 64-bit little-endian long}
     * @throws IOException when the stream ends early
     */
    public long i64() throws IOException {
      return le(8).getLong();
    }

    /**
     * {@return the next little-endian float32}
     * @throws IOException when the stream ends early
     */
    public float f32() throws IOException {
      return le(4).getFloat();
    }

    /**
     * {@return the next string, read as its UTF-8 byte length then the bytes}
     * @throws IOException when the length is corrupt or the stream ends early
     */
    public String str() throws IOException {
      return new String(bytes(i32()), StandardCharsets.UTF_8);
    }

    /**
     * {@return the next float array, read as its length then the values}
     * @throws IOException when the length is corrupt or the stream ends early
     */
    public float[] floats() throws IOException {
      int n = i32();
      ByteBuffer b = ByteBuffer.wrap(bytes(checkCount(n, 4))).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[n];
      b.asFloatBuffer().get(out);
      return out;
    }

    /**
     * {@return the next short array, read as its length then the values}
     * @throws IOException when the length is corrupt or the stream ends early
     */
    public short[] shorts() throws IOException {
      int n = i32();
      ByteBuffer b = ByteBuffer.wrap(bytes(checkCount(n, 2))).order(ByteOrder.LITTLE_ENDIAN);
      short[] out = new short[n];
      b.asShortBuffer().get(out);
      return out;
    }

    private int checkCount(int n, int width) throws IOException {
      if (n < 0 || (long) n * width > (1L << 30)) {
        throw new IOException(name + ": corrupt array length " + n + " at byte " + offset);
      }
      return n * width;
    }

    /**
     * Reads the trailing CRC32C and checks it against everything read.
     *
     * @throws IOException when the checksum differs (a corrupt file) or the stream ends early
     */
    public void verify() throws IOException {
      long want = crc.getValue();
      byte[] b = in.readNBytes(8);
      if (b.length != 8) {
        throw new EOFException(name + ": truncated: the trailing checksum is missing");
      }
      long got = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (got != want) {
        throw new IOException(name + ": checksum mismatch (file corrupt): stored " + Long.toHexString(got)
            + ", computed " + Long.toHexString(want));
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
