package org.densephrases.index.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes {@link Header}s. Field offsets (little-endian):
 *
 * <pre>
 *  0  8  magic            ASCII
 *  8  4  version          u32
 * 12  4  header bytes     u32, multiple of 64
 * 16  8  file bytes       u64
 * 24  4  dim              u32
 * 28  4  dtype            u32 (DType.code)
 * 32  8  count            u64
 * 40  4  payload crc32c   u32
 * 44  4  header crc32c    u32 (of the header bytes with this field zeroed)
 * 48  2  model id bytes   u16
 * 50  2  sections         u16
 * 52 12  reserved         zero
 * 64  .  model id         UTF-8
 *  .  .  section table    per section: name (8 ASCII, NUL-padded), offset u64, length u64
 *  .  .  zero padding up to header bytes
 * </pre>
 */
final class HeaderCodec {
  static final int OFF_VERSION = 8;
  static final int OFF_HEADER_BYTES = 12;
  static final int OFF_FILE_BYTES = 16;
  static final int OFF_DIM = 24;
  static final int OFF_DTYPE = 28;
  static final int OFF_COUNT = 32;
  static final int OFF_PAYLOAD_CRC = 40;
  static final int OFF_HEADER_CRC = 44;
  static final int OFF_MODEL_LEN = 48;
  static final int OFF_NUM_SECTIONS = 50;
  /** No sane header is larger; a bigger value is corruption, not a file to map. */
  static final int MAX_HEADER_BYTES = 1 << 20;

  private HeaderCodec() {}

  static byte[] encode(Header h) {
    byte[] model = h.modelId().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(h.headerBytes()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(magicBytes(h.magic()));
    b.putInt(OFF_VERSION, h.version());
    b.putInt(OFF_HEADER_BYTES, h.headerBytes());
    b.putLong(OFF_FILE_BYTES, h.fileBytes());
    b.putInt(OFF_DIM, h.dim());
    b.putInt(OFF_DTYPE, h.dtype().code);
    b.putLong(OFF_COUNT, h.count());
    b.putInt(OFF_PAYLOAD_CRC, h.payloadCrc());
    b.putShort(OFF_MODEL_LEN, (short) model.length);
    b.putShort(OFF_NUM_SECTIONS, (short) h.sections().size());
    b.position(Header.FIXED_BYTES);
    b.put(model);
    for (Section s : h.sections()) {
      byte[] name = new byte[Section.NAME_BYTES];
      byte[] n = s.name().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(n, 0, name, 0, n.length);
      b.put(name);
      b.putLong(s.offset());
      b.putLong(s.length());
    }
    byte[] out = b.array();
    CRC32C crc = new CRC32C();
    crc.update(out, 0, out.length); // the header crc field is still zero here
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(OFF_HEADER_CRC, (int) crc.getValue());
    return out;
  }

  static byte[] magicBytes(String magic) {
    byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
    if (m.length != 8) {
      throw new IllegalArgumentException("magic must be 8 ASCII characters, got '" + magic + "'");
    }
    return m;
  }

  /**
   * Decodes and checks the structure of a header: magic, version, header length and checksum, file length, section
   * bounds. {@code head} holds at least the first {@link Header#FIXED_BYTES} bytes of the file ({@code fileSize}
   * bytes long); {@code full} supplies the whole header once its length is known.
   */
  static Header decode(Path file, ByteBuffer head, long fileSize, String expectedMagic, int supportedVersion,
      java.util.function.IntFunction<ByteBuffer> full) throws FileFormatException {
    head.order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[8];
    head.get(0, magic);
    String found = printable(magic);
    if (!found.equals(expectedMagic)) {
      throw new FileFormatException(file, "magic",
          "expected '" + expectedMagic + "', found '" + found + "' (not a " + expectedMagic + " file, or corrupted)");
    }
    int version = head.getInt(OFF_VERSION);
    if (version != supportedVersion) {
      throw new FileFormatException(file, "version",
          "format version " + Integer.toUnsignedString(version) + " is not supported (this reader reads version "
              + supportedVersion + "): rebuild the file with this version of densephrases");
    }
    int headerBytes = head.getInt(OFF_HEADER_BYTES);
    if (headerBytes < Header.FIXED_BYTES || headerBytes > MAX_HEADER_BYTES || headerBytes % Header.ALIGN != 0) {
      throw new FileFormatException(file, "header bytes", "invalid header length " + headerBytes);
    }
    if (headerBytes > fileSize) {
      throw new FileFormatException(file, "header bytes",
          "truncated: the header needs " + headerBytes + " bytes, the file has " + fileSize);
    }
    ByteBuffer b = full.apply(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] hb = new byte[headerBytes];
    b.get(0, hb);
    int storedCrc = b.getInt(OFF_HEADER_CRC);
    ByteBuffer.wrap(hb).order(ByteOrder.LITTLE_ENDIAN).putInt(OFF_HEADER_CRC, 0);
    CRC32C crc = new CRC32C();
    crc.update(hb, 0, hb.length);
    if ((int) crc.getValue() != storedCrc) {
      throw new FileFormatException(file, "header checksum",
          String.format("CRC32C of the header is %08x, the header says %08x: the header is corrupted",
              (int) crc.getValue(), storedCrc));
    }
    long fileBytes = b.getLong(OFF_FILE_BYTES);
    if (fileSize < fileBytes) {
      throw new FileFormatException(file, "file bytes",
          "truncated: the header says " + fileBytes + " bytes, the file has " + fileSize);
    }
    if (fileSize > fileBytes) {
      throw new FileFormatException(file, "file bytes",
          "the header says " + fileBytes + " bytes, the file has " + fileSize + " (extra bytes appended?)");
    }
    int dim = b.getInt(OFF_DIM);
    int dtypeCode = b.getInt(OFF_DTYPE);
    DType dtype = DType.ofCode(dtypeCode);
    if (dtype == null) {
      throw new FileFormatException(file, "dtype", "unknown dtype code " + dtypeCode);
    }
    long count = b.getLong(OFF_COUNT);
    if (dim < 0 || count < 0) {
      throw new FileFormatException(file, dim < 0 ? "dim" : "count", "negative value");
    }
    int payloadCrc = b.getInt(OFF_PAYLOAD_CRC);
    int modelLen = Short.toUnsignedInt(b.getShort(OFF_MODEL_LEN));
    int numSections = Short.toUnsignedInt(b.getShort(OFF_NUM_SECTIONS));
    if (Header.FIXED_BYTES + modelLen + (long) numSections * Header.SECTION_ENTRY_BYTES > headerBytes) {
      throw new FileFormatException(file, "sections", "model id and section table overrun the header");
    }
    String modelId = new String(hb, Header.FIXED_BYTES, modelLen, java.nio.charset.StandardCharsets.UTF_8);
    List<Section> sections = new ArrayList<>();
    int p = Header.FIXED_BYTES + modelLen;
    for (int i = 0; i < numSections; i++) {
      byte[] name = new byte[Section.NAME_BYTES];
      b.get(p, name);
      String n = printable(name).replace("\0", "");
      long off = b.getLong(p + 8);
      long len = b.getLong(p + 16);
      if (off < headerBytes || len < 0 || off > fileBytes || len > fileBytes - off) {
        throw new FileFormatException(file, "section " + n,
            "bytes [" + off + ", " + off + "+" + len + ") lie outside the payload [" + headerBytes + ", " + fileBytes + ")");
      }
      sections.add(new Section(n, off, len));
      p += Header.SECTION_ENTRY_BYTES;
    }
    return new Header(found, version, headerBytes, fileBytes, dim, dtype, count, payloadCrc, modelId, sections);
  }

  private static String printable(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      int c = x & 0xff;
      sb.append(c == 0 || (c >= 32 && c < 127) ? (char) c : '?');
    }
    return sb.toString();
  }
}
