package org.densephrases.index.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerFormatTest {
  private static final String MAGIC = "DPTESTF1";
  @TempDir Path dir;

  private Path write(String name, String model, int dim, DType dtype) throws IOException {
    Path p = dir.resolve(name);
    try (ContainerWriter w = ContainerWriter.create(p, MAGIC, 1, model, dim, dtype, List.of("A", "BB", "CODES"))) {
      w.begin("A").putFloats(new float[] {1.5f, -2f, 3.25f});
      w.section("BB", new byte[] {7, 8, 9});
      MemorySegment codes = w.reserve("CODES", 1000);
      for (int i = 999; i >= 0; i--) { // random access, backwards
        codes.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
      }
      w.commit(42);
    }
    return p;
  }

  private static ContainerFile open(Path p, Expect e, Verify v) throws IOException {
    return ContainerFile.open(p, MAGIC, 1, e, v);
  }

  private static FileFormatException rejected(Path p, Expect e, String field) {
    FileFormatException ex = assertThrows(FileFormatException.class, () -> open(p, e, Verify.ON_OPEN).close());
    assertEquals(field, ex.field(), ex.getMessage());
    assertTrue(ex.getMessage().contains(p.getFileName().toString()), "message names the file: " + ex.getMessage());
    assertTrue(ex.getMessage().contains(field), "message names the field: " + ex.getMessage());
    return ex;
  }

  @Test
  void roundTrip() throws IOException {
    Path p = write("f.bin", "model-é", 16, DType.INT8);
    assertFalse(Files.exists(dir.resolve("f.bin.tmp")), "the temporary file is renamed");
    try (ContainerFile f = open(p, new Expect("model-é", 16, DType.INT8), Verify.ON_OPEN)) {
      Header h = f.header();
      assertEquals(MAGIC, h.magic());
      assertEquals(16, h.dim());
      assertEquals(DType.INT8, h.dtype());
      assertEquals(42, h.count());
      assertEquals("model-é", h.modelId());
      assertEquals(0, h.headerBytes() % 64);
      assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, Segments.floats(f.section("A")));
      assertEquals(3, f.section("BB").byteSize());
      MemorySegment c = f.section("CODES", 1000);
      assertEquals((byte) 123, c.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 123));
      for (Section s : h.sections()) {
        assertEquals(0, s.offset() % 64, "sections are 64-byte aligned");
      }
      assertTrue(f.isVerified());
      assertThrows(FileFormatException.class, () -> f.section("NOPE"));
      assertThrows(FileFormatException.class, () -> f.section("A", 8));
    }
  }

  @Test
  void uncommittedWriterLeavesNothing() throws IOException {
    Path p = dir.resolve("g.bin");
    try (ContainerWriter w = ContainerWriter.create(p, MAGIC, 1, "m", 4, DType.FP16, List.of("A"))) {
      w.begin("A").putFloats(new float[] {1f});
      assertTrue(Files.exists(w.tmpPath()));
    }
    assertFalse(Files.exists(p));
    assertFalse(Files.exists(dir.resolve("g.bin.tmp")));
  }

  @Test
  void missingFile() {
    assertThrows(NoSuchFileException.class, () -> open(dir.resolve("nope"), Expect.ANY, Verify.ON_OPEN));
  }

  @Test
  void wrongMagic() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    patch(p, 0, "NOTADUMP".getBytes());
    rejected(p, Expect.ANY, "magic");
  }

  @Test
  void wrongVersion() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    patch(p, 8, le(2));
    FileFormatException e = rejected(p, Expect.ANY, "version");
    assertTrue(e.getMessage().contains("version 2"));
  }

  @Test
  void wrongModelDimDtype() throws IOException {
    Path p = write("f.bin", "model-a", 16, DType.FP16);
    rejected(p, Expect.ANY.withModelId("model-b"), "model id");
    rejected(p, Expect.ANY.withDim(32), "dim");
    rejected(p, Expect.ANY.withDtype(DType.INT8), "dtype");
  }

  @Test
  void truncatedHeader() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    truncate(p, 40);
    rejected(p, Expect.ANY, "header");
  }

  @Test
  void truncatedPayload() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    truncate(p, Files.size(p) - 10);
    FileFormatException e = rejected(p, Expect.ANY, "file bytes");
    assertTrue(e.getMessage().contains("truncated"));
  }

  @Test
  void appendedBytes() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    Files.write(p, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    rejected(p, Expect.ANY, "file bytes");
  }

  @Test
  void corruptedHeaderField() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    patch(p, 24, le(17)); // dim 16 -> 17 without fixing the header checksum
    rejected(p, Expect.ANY, "header checksum");
  }

  @Test
  void corruptedPayloadEager() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    flipLastByte(p);
    rejected(p, Expect.ANY, "payload checksum");
  }

  @Test
  void corruptedPayloadLazy() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    flipLastByte(p);
    try (ContainerFile f = open(p, Expect.ANY, Verify.LAZY)) {
      assertFalse(f.isVerified());
      FileFormatException e = assertThrows(FileFormatException.class, f::verify);
      assertEquals("payload checksum", e.field());
    }
  }

  @Test
  void sectionOutsideFile() throws IOException {
    Path p = write("f.bin", "m", 16, DType.FP16);
    try (ContainerFile f = open(p, Expect.ANY, Verify.ON_OPEN)) {
      assertEquals(3, f.header().sections().size());
    }
    // Rewrite the first section's length to run past the end and fix the header checksum: bounds are still checked.
    byte[] all = Files.readAllBytes(p);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int modelLen = b.getShort(48);
    b.putLong(64 + modelLen + 16, 1L << 40);
    b.putInt(44, 0);
    int hb = b.getInt(12);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(all, 0, hb);
    b.putInt(44, (int) crc.getValue());
    Files.write(p, all);
    rejected(p, Expect.ANY, "section A");
  }

  static byte[] le(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  static void patch(Path p, long at, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(at);
      f.write(bytes);
    }
  }

  static void truncate(Path p, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  static void flipLastByte(Path p) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(f.length() - 1);
      int b = f.read();
      f.seek(f.length() - 1);
      f.write(b ^ 0x40);
    }
  }
}
