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

  public static final class Out implements AutoCloseable {
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

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

    public void bytes(byte[] b) throws IOException {
      flushBuf();
      crc.update(b);
      out.write(b);
    }

    public void i32(int v) throws IOException {
      room(4);
      buf.putInt(v);
    }

    public void i64(long v) throws IOException {
      room(8);
      buf.putLong(v);
    }

    public void f32(float v) throws IOException {
      room(4);
      buf.putFloat(v);
    }

    public void str(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      i32(b.length);
      bytes(b);
    }

    public void floats(float[] a) throws IOException {
      i32(a.length);
      for (float v : a) {
        room(4);
        buf.putFloat(v);
      }
    }

    public void shorts(short[] a) throws IOException {
      i32(a.length);
      for (short v : a) {
        room(2);
        buf.putShort(v);
      }
    }

    /** Writes the CRC32C of everything so far, then flushes. */
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

  public static final class In implements AutoCloseable {
    private final InputStream in;
    private final String name;
    private final CRC32C crc = new CRC32C();
    private final byte[] small = new byte[8];
    private long offset;

    public In(InputStream in, String name) {
      this.in = in;
      this.name = name;
    }

    public long offset() {
      return offset;
    }

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

    public int i32() throws IOException {
      return le(4).getInt();
    }

    public long i64() throws IOException {
      return le(8).getLong();
    }

    public float f32() throws IOException {
      return le(4).getFloat();
    }

    public String str() throws IOException {
      return new String(bytes(i32()), StandardCharsets.UTF_8);
    }

    public float[] floats() throws IOException {
      int n = i32();
      ByteBuffer b = ByteBuffer.wrap(bytes(checkCount(n, 4))).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[n];
      b.asFloatBuffer().get(out);
      return out;
    }

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

    /** Reads the trailing CRC32C and checks it against everything read. */
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
