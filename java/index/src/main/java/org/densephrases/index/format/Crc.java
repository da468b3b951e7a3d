package org.densephrases.index.format;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/** CRC32C over memory segments of any size (ByteBuffer views are limited to 2 GiB, so it goes in chunks). */
final class Crc {
  private static final long CHUNK = 1L << 28;

  private Crc() {}

  public static int crc32c(MemorySegment seg) {
    CRC32C crc = new CRC32C();
    update(crc, seg);
    return (int) crc.getValue();
  }

  public static void update(CRC32C crc, MemorySegment seg) {
    long n = seg.byteSize();
    for (long off = 0; off < n; off += CHUNK) {
      crc.update(seg.asSlice(off, Math.min(CHUNK, n - off)).asByteBuffer());
    }
  }
}
