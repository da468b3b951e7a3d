package org.densephrases.model.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over protobuf wire-format bytes: just enough of the encoding (varints, 32/64-bit fixed, length-delimited
 * fields) to read ONNX files without a protobuf runtime. Slices share the caller's array; nothing is copied until a
 * value is asked for.
 *
 * <p>Reference: https://protobuf.dev/programming-guides/encoding/. Wire types 3 and 4 (groups) are deprecated and
 * never written by ONNX exporters; they are rejected.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int I64 = 1;
  static final int LEN = 2;
  static final int I32 = 5;

  private final byte[] buf;
  private final String what;
  private int pos;
  private final int end;

  ProtoReader(byte[] buf, int offset, int length, String what) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new OnnxFormatException(what + ": slice [" + offset + ", " + (offset + length) + ") is outside "
          + buf.length + " bytes");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
    this.what = what;
  }

  boolean hasMore() {
    return pos < end;
  }

  int position() {
    return pos;
  }

  byte[] buffer() {
    return buf;
  }

  /** Reads a tag; returns {@code fieldNumber << 3 | wireType}. */
  int readTag() {
    long tag = readVarint();
    if (tag <= 0 || tag > Integer.MAX_VALUE) {
      throw error("bad field tag " + tag);
    }
    int wire = (int) tag & 7;
    if (wire != VARINT && wire != I64 && wire != LEN && wire != I32) {
      throw error("unsupported wire type " + wire + " of field " + (tag >>> 3) + " (groups are not used by ONNX)");
    }
    return (int) tag;
  }

  long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw error("truncated varint");
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw error("varint longer than 10 bytes");
  }

  int readFixed32() {
    need(4);
    int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  long readFixed64() {
    long lo = readFixed32() & 0xffffffffL;
    long hi = readFixed32() & 0xffffffffL;
    return lo | hi << 32;
  }

  /** Reads a length prefix and returns a reader over exactly those bytes, advancing past them. */
  ProtoReader readMessage(String name) {
    int len = readLength();
    ProtoReader sub = new ProtoReader(buf, pos, len, what + "." + name);
    pos += len;
    return sub;
  }

  String readString() {
    int len = readLength();
    String s = new String(buf, pos, len, StandardCharsets.UTF_8);
    pos += len;
    return s;
  }

  /** Reads a length-delimited field and returns {offset, length} into {@link #buffer()}. */
  int[] readBytesRange() {
    int len = readLength();
    int[] r = {pos, len};
    pos += len;
    return r;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> readVarint();
      case I64 -> {
        need(8);
        pos += 8;
      }
      case LEN -> {
        int len = readLength();
        pos += len;
      }
      case I32 -> {
        need(4);
        pos += 4;
      }
      default -> throw error("unsupported wire type " + wireType + " (groups are not used by ONNX)");
    }
  }

  private int readLength() {
    long len = readVarint();
    if (len < 0 || len > end - pos) {
      throw error("length " + len + " runs past the end of the message (" + (end - pos) + " bytes left)");
    }
    return (int) len;
  }

  private void need(int n) {
    if (end - pos < n) {
      throw error("truncated: need " + n + " bytes, " + (end - pos) + " left");
    }
  }

  OnnxFormatException error(String msg) {
    return new OnnxFormatException(what + " at byte " + pos + ": " + msg);
  }
}
