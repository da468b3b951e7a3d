package org.densephrases.index.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Little-endian layouts and helpers to copy sections to and from Java arrays. */
public final class Segments {
  /** Little-endian float32, any alignment. */
  public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  /** Little-endian int64, any alignment. */
  public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  /** Little-endian int32, any alignment. */
  public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  /** Little-endian int16, any alignment. */
  public static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private Segments() {}

  /**
   * Copies float32 values out of a segment.
   *
   * @param s a segment of little-endian float32 values
   * @return them, copied to the heap
   */
  public static float[] floats(MemorySegment s) {
    float[] a = new float[Math.toIntExact(s.byteSize() / 4)];
    MemorySegment.copy(s, F32, 0, a, 0, a.length);
    return a;
  }

  /**
   * Copies int64 values out of a segment.
   *
   * @param s a segment of little-endian int64 values
   * @return them, copied to the heap
   */
  public static long[] longs(MemorySegment s) {
    long[] a = new long[Math.toIntExact(s.byteSize() / 8)];
    MemorySegment.copy(s, I64, 0, a, 0, a.length);
    return a;
  }

  /**
   * Copies int32 values out of a segment.
   *
   * @param s a segment of little-endian int32 values
   * @return them, copied to the heap
   */
  public static int[] ints(MemorySegment s) {
    int[] a = new int[Math.toIntExact(s.byteSize() / 4)];
    MemorySegment.copy(s, I32, 0, a, 0, a.length);
    return a;
  }

  /**
   * Decodes UTF-8 bytes.
   *
   * @param s a segment of UTF-8 bytes
   * @return the decoded string
   */
  public static String utf8(MemorySegment s) {
    byte[] b = new byte[Math.toIntExact(s.byteSize())];
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, b, 0, b.length);
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * A string table: (n+1) u64 byte offsets, first 0, then the UTF-8 bytes of all strings back to back. String i is
   * bytes [off[i], off[i+1]).
   *
   * @param strings the strings, in table order (none may be null)
   * @return the section bytes
   */
  public static byte[] stringTable(List<String> strings) {
    byte[][] enc = new byte[strings.size()][];
    long total = 0;
    for (int i = 0; i < enc.length; i++) {
      enc[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
      total += enc[i].length;
    }
    long size = 8L * (enc.length + 1) + total;
    byte[] out = new byte[Math.toIntExact(size)];
    MemorySegment seg = MemorySegment.ofArray(out);
    long off = 0;
    long p = 8L * (enc.length + 1);
    for (int i = 0; i < enc.length; i++) {
      seg.setAtIndex(I64, i, off);
      MemorySegment.copy(enc[i], 0, seg, ValueLayout.JAVA_BYTE, p, enc[i].length);
      p += enc[i].length;
      off += enc[i].length;
    }
    seg.setAtIndex(I64, enc.length, off);
    return out;
  }
}
