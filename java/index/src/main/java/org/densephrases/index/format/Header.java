package org.densephrases.index.format;

import java.util.List;

/**
 * The common header of every dump and index file (layout in java/index/FORMATS.md).
 *
 * @param magic 8 ASCII characters naming the file kind
 * @param version format version of that kind
 * @param headerBytes header length, a multiple of 64; the payload starts here
 * @param fileBytes total file length the writer produced (a shorter file is truncated)
 * @param dim vector dimension (0 for files without vectors)
 * @param dtype element type of the vectors or codes
 * @param count number of rows (meaning per file kind: tokens, vectors, documents)
 * @param payloadCrc CRC32C of bytes [headerBytes, fileBytes)
 * @param modelId the model the vectors came from
 * @param sections the section table
 */
public record Header(
    String magic,
    int version,
    int headerBytes,
    long fileBytes,
    int dim,
    DType dtype,
    long count,
    int payloadCrc,
    String modelId,
    List<Section> sections) {
  public static final int FIXED_BYTES = 64;
  public static final int ALIGN = 64;
  public static final int SECTION_ENTRY_BYTES = 24;

  /** Copies the section table (the header is immutable). */
  public Header {
    sections = List.copyOf(sections);
  }

  /**
   * Header length for a model id of {@code modelIdBytes} UTF-8 bytes and {@code numSections} sections.
   *
   * @param modelIdBytes UTF-8 length of the model id
   * @param numSections entries in the section table
   * @return the header length in bytes, a multiple of {@link #ALIGN}
   */
  public static int headerBytesFor(int modelIdBytes, int numSections) {
    long n = FIXED_BYTES + modelIdBytes + (long) numSections * SECTION_ENTRY_BYTES;
    return (int) align(n);
  }

  /**
   * Rounds up to the header alignment.
   *
   * @param n a byte count or offset
   * @return {@code n} rounded up to a multiple of {@link #ALIGN}
   */
  public static long align(long n) {
    return (n + ALIGN - 1) / ALIGN * ALIGN;
  }

  /**
   * Looks a section up by name.
   *
   * @param name a section name
   * @return its entry, or null when the table has none of that name
   */
  public Section section(String name) {
    for (Section s : sections) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}
