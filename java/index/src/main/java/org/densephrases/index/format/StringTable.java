package org.densephrases.index.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A read view of a string table section ({@link Segments#stringTable}): (n+1) u64 offsets, then UTF-8 bytes.
 * Checked once on open so that a corrupted offset cannot send a read outside the section.
 */
public final class StringTable {
  private final MemorySegment offsets;
  private final MemorySegment bytes;
  private final int count;

  private StringTable(MemorySegment offsets, MemorySegment bytes, int count) {
    this.offsets = offsets;
    this.bytes = bytes;
    this.count = count;
  }

  /**
   * Opens and checks a string table section: offsets in order and inside the section.
   *
   * @param f the open file
   * @param section the section name
   * @param expectedCount the number of strings the table must hold
   * @return the table view, valid while {@code f} is open
   * @throws FileFormatException when the section is too short or an offset is out of order or range
   */
  public static StringTable open(ContainerFile f, String section, long expectedCount) throws FileFormatException {
    MemorySegment s = f.section(section);
    long head = 8L * (expectedCount + 1);
    f.require(s.byteSize() >= head, "section " + section,
        "holds " + s.byteSize() + " bytes, too few for " + expectedCount + " string offsets");
    MemorySegment off = s.asSlice(0, head);
    MemorySegment data = s.asSlice(head);
    long prev = 0;
    for (long i = 0; i <= expectedCount; i++) {
      long o = off.getAtIndex(Segments.I64, i);
      f.require(o >= prev && o <= data.byteSize() && (i > 0 || o == 0), "section " + section,
          "string offset " + i + " = " + o + " is out of order or out of range");
      prev = o;
    }
    f.require(prev == data.byteSize(), "section " + section,
        "the last string offset " + prev + " does not end the table (" + data.byteSize() + " bytes)");
    return new StringTable(off, data, Math.toIntExact(expectedCount));
  }

  /** {@return the number of strings} */
  public int size() {
    return count;
  }

  /**
   * One string of the table.
   *
   * @param i the string's index, 0 to {@link #size()} - 1
   * @return the string, decoded from UTF-8
   */
  public String get(int i) {
    java.util.Objects.checkIndex(i, count);
    long a = offsets.getAtIndex(Segments.I64, i);
    long b = offsets.getAtIndex(Segments.I64, i + 1);
    byte[] out = new byte[Math.toIntExact(b - a)];
    MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, a, out, 0, out.length);
    return new String(out, StandardCharsets.UTF_8);
  }
}
