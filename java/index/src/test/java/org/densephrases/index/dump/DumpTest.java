package org.densephrases.index.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.densephrases.index.Synthetic;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Verify;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.VectorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpTest {
  static final int DIM = 24;
  @TempDir Path tmp;

  static DumpSpec spec() {
    return DumpSpec.of("test-model", DIM).withTypes(Set.of(VectorType.FP16, VectorType.INT8))
        .withFilterThreshold(-0.5f).withTokensPerShard(300);
  }

  static void writeAll(Path dir, DumpSpec spec, List<DocumentInput> docs) throws IOException {
    try (DumpWriter w = DumpWriter.open(dir, spec)) {
      for (DocumentInput d : docs) {
        w.add(d);
      }
      w.finish();
    }
  }

  @Test
  void roundTripKeepsEveryKeptTokenAndItsMetadata() throws IOException {
    List<DocumentInput> docs = Synthetic.documents(new Random(1), 60, 30, DIM);
    // one document whose every token is filtered out: counted, not stored
    DocumentInput allOut = docs.get(5);
    float[] low = new float[allOut.numTokens()];
    java.util.Arrays.fill(low, -9f);
    docs.set(5, new DocumentInput(allOut.id(), allOut.title(), allOut.text(), allOut.vectors(), low,
        allOut.charStart(), allOut.charEnd()));
    Path dir = tmp.resolve("dump");
    DumpStats stats;
    try (DumpWriter w = DumpWriter.open(dir, spec())) {
      for (DocumentInput d : docs) {
        w.add(d);
      }
      stats = w.finish();
    }
    long stored = docs.stream().filter(d -> keptTokens(d, -0.5f) > 0).count();
    assertTrue(stored <= 59);
    assertEquals(60, stats.inputDocuments());
    assertEquals(stored, stats.documents());
    assertTrue(stats.shards() > 1, "several shards: " + stats.shards());
    assertTrue(stats.keptFraction() > 0.5 && stats.keptFraction() < 0.9, "kept " + stats.keptFraction());
    assertEquals(0, stats.clippedValues());

    try (Dump dump = Dump.open(dir)) {
      assertEquals("test-model", dump.modelId());
      assertEquals(DIM, dump.dim());
      assertEquals(stats.tokens(), dump.numTokens());
      assertEquals(stored, dump.numDocs());
      long global = 0;
      int doc = 0;
      float maxInt8Err = 0;
      for (DocumentInput d : docs) {
        if (keptTokens(d, -0.5f) == 0) {
          continue;
        }
        int kept = 0;
        for (int t = 0; t < d.numTokens(); t++) {
          if (d.filterScores()[t] < -0.5f) {
            continue;
          }
          DumpShard s = dump.shardOfToken(global);
          long local = global - s.tokenBase();
          int ld = s.docOfToken(local);
          assertEquals(d.id(), s.docId(ld));
          assertEquals(d.title(), s.title(ld));
          assertEquals(d.text(), s.text(ld));
          assertEquals(doc, s.docBase() + ld);
          assertEquals(d.charStart()[t], s.charStart(local));
          assertEquals(d.charEnd()[t], s.charEnd(local));
          assertEquals(t, s.tokenPosition(local));
          assertEquals(d.filterScores()[t], s.filterScore(local));
          EncodedVectors f16 = s.vectors(VectorType.FP16);
          EncodedVectors i8 = s.vectors(VectorType.INT8);
          for (int k = 0; k < DIM; k++) {
            float x = d.vectors()[t * DIM + k];
            assertEquals(x, f16.get(local, k), Math.abs(x) * 1e-3f + 1e-4f);
            float err = Math.abs(x - i8.get(local, k));
            // per-dimension INT8: half a step of this shard's range in dimension k (+ the FP16 rounding)
            assertTrue(err <= i8.scale()[k] * 0.5f + Math.abs(x) * 1e-3f + 1e-4f,
                "int8 error " + err + " > half step " + i8.scale()[k] / 2);
            maxInt8Err = Math.max(maxInt8Err, err);
          }
          kept++;
          global++;
        }
        assertTrue(kept > 0);
        doc++;
      }
      assertEquals(dump.numTokens(), global);
      assertTrue(maxInt8Err > 0);
    }
  }

  @Test
  void globalInt8SchemeClipsAndCounts() throws IOException {
    List<DocumentInput> docs = Synthetic.documents(new Random(2), 10, 20, DIM);
    Path dir = tmp.resolve("dump");
    DumpStats stats;
    try (DumpWriter w = DumpWriter.open(dir, spec().withInt8(Int8Scheme.global(0f, 0.005f)))) {
      for (DocumentInput d : docs) {
        w.add(d);
      }
      stats = w.finish();
    }
    assertTrue(stats.clippedValues() > 0, "a range of +-0.64 clips clustered vectors of spread ~1");
    try (Dump dump = Dump.open(dir)) {
      EncodedVectors i8 = dump.shards().get(0).vectors(VectorType.INT8);
      assertEquals(0.005f, i8.scale()[3]);
      assertEquals(0f, i8.offset()[7]);
    }
  }

  @Test
  void int8OnlyDumpLeavesNoStagingFiles() throws IOException {
    Path dir = tmp.resolve("dump");
    writeAll(dir, spec().withTypes(Set.of(VectorType.INT8)), Synthetic.documents(new Random(3), 30, 30, DIM));
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = s.map(p -> p.getFileName().toString()).toList();
      assertTrue(names.stream().noneMatch(n -> n.endsWith(".stage") || n.endsWith(".tmp") || n.endsWith(".fp16")),
          names.toString());
    }
    try (Dump dump = Dump.open(dir)) {
      assertEquals(Set.of(VectorType.INT8), dump.types());
      assertThrows(IllegalArgumentException.class, () -> dump.shards().get(0).vectors(VectorType.FP16));
    }
  }

  @Test
  void killedDumpResumesToTheSameResult() throws IOException {
    List<DocumentInput> docs = Synthetic.documents(new Random(4), 80, 30, DIM);
    Path once = tmp.resolve("once");
    writeAll(once, spec(), docs);

    Path resumed = tmp.resolve("resumed");
    try (DumpWriter w = DumpWriter.open(resumed, spec())) {
      for (int i = 0; i < 50; i++) {
        w.add(docs.get(i));
      }
      assertTrue(w.completedShards() >= 1);
      // killed here: close() abandons the shard being filled, as a kill would
    }
    // a kill also leaves temporary files and the renamed files of a shard the manifest never listed
    Files.write(resumed.resolve("shard-00099.fp16.tmp"), new byte[] {1, 2, 3});
    Files.write(resumed.resolve("shard-00042.meta"), new byte[] {1, 2, 3});
    assertThrows(FileFormatException.class, () -> Dump.open(resumed), "an incomplete dump is refused");
    try (Dump partial = Dump.open(resumed, Expect.ANY, Verify.ON_OPEN, true)) {
      assertTrue(partial.numDocs() > 0 && partial.numDocs() < 50);
    }
    try (DumpWriter w = DumpWriter.open(resumed, spec())) {
      long skip = w.inputDocumentsDone();
      assertTrue(skip > 0 && skip <= 50);
      assertFalse(Files.exists(resumed.resolve("shard-00099.fp16.tmp")));
      assertFalse(Files.exists(resumed.resolve("shard-00042.meta")));
      for (int i = (int) skip; i < docs.size(); i++) {
        w.add(docs.get(i));
      }
      w.finish();
    }
    try (Dump a = Dump.open(once); Dump b = Dump.open(resumed)) {
      assertEquals(a.numTokens(), b.numTokens());
      assertEquals(a.numDocs(), b.numDocs());
      assertEquals(a.fingerprint(), b.fingerprint());
      for (int i = 0; i < a.shards().size(); i++) {
        assertEquals(a.manifest().shards().get(i), b.manifest().shards().get(i));
      }
    }
  }

  @Test
  void completeDumpTakesNoMore() throws IOException {
    Path dir = tmp.resolve("dump");
    List<DocumentInput> docs = Synthetic.documents(new Random(5), 5, 10, DIM);
    writeAll(dir, spec(), docs);
    try (DumpWriter w = DumpWriter.open(dir, spec())) {
      assertTrue(w.isComplete());
      assertEquals(5, w.inputDocumentsDone());
      assertThrows(IllegalStateException.class, () -> w.add(docs.get(0)));
    }
  }

  @Test
  void resumeWithAnotherSpecIsRefused() throws IOException {
    Path dir = tmp.resolve("dump");
    writeAll(dir, spec(), Synthetic.documents(new Random(6), 5, 10, DIM));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DumpWriter.open(dir, spec().withFilterThreshold(0f)));
    assertTrue(e.getMessage().contains("filter threshold"), e.getMessage());
  }

  @Test
  void provenanceIsKeptInTheManifestAndChecked() throws IOException {
    Path dir = tmp.resolve("dump");
    java.util.Map<String, String> src = java.util.Map.of("corpus", "c.jsonl", "corpus_crc32c", "0badf00d", "limit", "0");
    DumpSpec s = spec().withSource(src);
    List<DocumentInput> docs = Synthetic.documents(new Random(8), 6, 10, DIM);
    try (DumpWriter w = DumpWriter.open(dir, s)) {
      w.add(docs.get(0)); // a run cut short: no shard is complete yet
    }
    assertEquals(src, DumpManifest.read(dir, Expect.ANY).spec().source(), "recorded when the dump starts");
    DumpManifest.checkSource(dir, src); // same source: fine
    DumpManifest.checkSource(tmp.resolve("no-dump-here"), src); // nothing to check
    java.util.Map<String, String> other = new java.util.HashMap<>(src);
    other.put("corpus_crc32c", "12345678");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DumpManifest.checkSource(dir,
        other));
    assertTrue(e.getMessage().contains("another corpus crc32c ('0badf00d', this run: '12345678')"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DumpWriter.open(dir, spec().withSource(other)));
    // a run that records a new key resumes and the manifest keeps both
    java.util.Map<String, String> more = new java.util.HashMap<>(src);
    more.put("model", "m1");
    writeAll(dir, spec().withSource(more), docs);
    try (Dump d = Dump.open(dir)) {
      assertEquals("m1", d.manifest().spec().source().get("model"));
      assertEquals("0badf00d", d.manifest().spec().source().get("corpus_crc32c"));
    }
    assertThrows(IllegalArgumentException.class, () -> spec().withSource(java.util.Map.of("bad key", "v")));
    assertThrows(IllegalArgumentException.class, () -> spec().withSource(java.util.Map.of("k", "two\nlines")));
  }

  @Test
  void badDocumentsAreRefused() throws IOException {
    try (DumpWriter w = DumpWriter.open(tmp.resolve("d"), spec())) {
      float[] v = new float[2 * DIM];
      v[3] = Float.NaN;
      assertThrows(IllegalArgumentException.class,
          () -> w.add(new DocumentInput("x", "t", "ab cd", v, null, new int[] {0, 3}, new int[] {2, 5})));
      assertThrows(IllegalArgumentException.class,
          () -> w.add(new DocumentInput("x", "t", "ab", new float[2 * DIM], null, new int[] {0, 3},
              new int[] {2, 5})));
      assertThrows(IllegalArgumentException.class,
          () -> w.add(new DocumentInput("x", "t", "ab cd", new float[DIM], null, new int[] {0, 3},
              new int[] {2, 5})));
    }
  }

  @Test
  void mismatchedAndCorruptedDumpsAreRefusedNamingTheFile() throws IOException {
    Path dir = tmp.resolve("dump");
    writeAll(dir, spec(), Synthetic.documents(new Random(7), 40, 30, DIM));
    FileFormatException e = assertThrows(FileFormatException.class,
        () -> Dump.open(dir, Expect.ANY.withModelId("other-model"), Verify.ON_OPEN, false));
    assertTrue(e.getMessage().contains("MANIFEST") && e.getMessage().contains("model id"), e.getMessage());
    e = assertThrows(FileFormatException.class,
        () -> Dump.open(dir, Expect.ANY.withDim(DIM + 1), Verify.ON_OPEN, false));
    assertEquals("dim", e.field());

    // a flipped byte in a vector file: caught on open, or by verify() when opened lazily
    Path vec = dir.resolve("shard-00001.int8");
    flip(vec, Files.size(vec) - 5);
    e = assertThrows(FileFormatException.class, () -> Dump.open(dir));
    assertTrue(e.getMessage().contains("shard-00001.int8") && e.field().equals("payload checksum"), e.getMessage());
    try (Dump lazy = Dump.open(dir, Expect.ANY, Verify.LAZY, false)) {
      e = assertThrows(FileFormatException.class, lazy::verify);
      assertTrue(e.getMessage().contains("shard-00001.int8"));
    }
  }

  @Test
  void aShardFileReplacedAfterCompletionIsRefused() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    List<DocumentInput> docs = Synthetic.documents(new Random(8), 40, 30, DIM);
    writeAll(a, spec(), docs);
    List<DocumentInput> other = new ArrayList<>(docs);
    other.set(0, Synthetic.documents(new Random(9), 1, 30, DIM).get(0));
    writeAll(b, spec(), other);
    Files.copy(b.resolve("shard-00000.meta"), a.resolve("shard-00000.meta"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    FileFormatException e = assertThrows(FileFormatException.class, () -> Dump.open(a));
    assertTrue(e.getMessage().contains("shard-00000.meta") && e.getMessage().contains("MANIFEST"), e.getMessage());
  }

  @Test
  void truncatedShardFileIsRefused() throws IOException {
    Path dir = tmp.resolve("dump");
    writeAll(dir, spec(), Synthetic.documents(new Random(10), 20, 30, DIM));
    Path vec = dir.resolve("shard-00000.fp16");
    try (RandomAccessFile f = new RandomAccessFile(vec.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    FileFormatException e = assertThrows(FileFormatException.class, () -> Dump.open(dir));
    assertTrue(e.getMessage().contains("shard-00000.fp16") && e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void missingShardFileIsRefused() throws IOException {
    Path dir = tmp.resolve("dump");
    writeAll(dir, spec(), Synthetic.documents(new Random(11), 20, 30, DIM));
    Files.delete(dir.resolve("shard-00000.int8"));
    IOException e = assertThrows(IOException.class, () -> Dump.open(dir));
    assertTrue(e.getMessage().contains("shard-00000.int8"), e.getMessage());
  }

  static int keptTokens(DocumentInput d, float threshold) {
    int n = 0;
    for (float f : d.filterScores()) {
      n += f >= threshold ? 1 : 0;
    }
    return n;
  }

  static void flip(Path p, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 1);
    }
  }
}
