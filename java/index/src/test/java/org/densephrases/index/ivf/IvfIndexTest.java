package org.densephrases.index.ivf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import org.densephrases.kernels.Progress;
import org.densephrases.index.Synthetic;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Verify;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.VectorType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IvfIndexTest {
  static final KernelBackend BACKEND = Backends.best();
  static final int N = 20_000;
  static final int DIM = 32;
  static final int NQ = 200;
  static VectorSource source;
  static float[] queries;
  static TopK exact10;
  @TempDir Path tmp;

  @BeforeAll
  static void data() {
    float[] x = Synthetic.clustered(new Random(11), N, DIM, 100, 0.35f);
    source = VectorSource.of(EncodedVectors.ofFloats(x, DIM), "synthetic");
    queries = Recall.sampleQueries(source, NQ, 0.5f, 12);
    exact10 = Recall.exact(source, queries, NQ, 10, BACKEND.vectorScanner());
  }

  BuildReport build(IndexSpec spec, Path out) throws IOException {
    List<String> phases = new ArrayList<>();
    BuildReport r = new IndexBuilder(spec, BACKEND, (phase, done, total, rate, eta, finished) -> {
      if (finished) {
        phases.add(phase);
        assertEquals(total, done);
      }
    }).build(source, out);
    assertEquals(List.of("index: assign", "index: encode"), phases);
    System.out.println(r);
    return r;
  }

  Recall.Report recall(IvfIndex index, int nprobe) {
    return recall(index, 10, nprobe);
  }

  Recall.Report recall(IvfIndex index, int candidates, int nprobe) {
    try (IvfSearcher s = new IvfSearcher(index, BACKEND)) {
      Recall.Report r = Recall.measure(s, exact10, queries, NQ, 10, candidates, nprobe);
      System.out.println("  " + r);
      return r;
    }
  }

  @Test
  void sq8IndexHoldsEveryVectorOnceAndReachesRecall() throws IOException {
    Path p = tmp.resolve("sq8.ivf");
    BuildReport rep = build(IndexSpec.sq8(64), p);
    assertTrue(rep.recall().isEmpty());
    assertEquals(N, rep.vectors());
    assertEquals(DIM + 8, rep.codeBytesPerVector());
    assertTrue(rep.bytesPerVector() < DIM + 8 + 8, "bytes/vector " + rep.bytesPerVector());
    try (IvfIndex index = IvfIndex.open(p)) {
      assertEquals(Codec.SQ8, index.codec());
      assertEquals(64, index.nlist());
      assertEquals(N, index.count());
      assertEquals("synthetic", index.modelId());
      assertNull(index.rotation());
      boolean[] seen = new boolean[N];
      long[] off = index.listOffsets();
      float[] row = new float[DIM];
      long[] id = new long[1];
      EncodedVectors codes = index.lists().vectors();
      long clippedValues = 0;
      for (int l = 0; l < index.nlist(); l++) {
        for (long r = off[l]; r < off[l + 1]; r++) {
          int v = (int) index.lists().idOf(r);
          assertTrue(!seen[v], "vector " + v + " listed twice");
          seen[v] = true;
          source.read(v, 1, row, id);
          for (int d = 0; d < DIM; d++) {
            // residual + centroid reconstructs the vector within half a step, after clipping to the range the
            // quantizer was trained on (a sample: vectors outside it exist)
            float c = index.centroids()[l * DIM + d];
            float lo = index.sq().offset()[d] - 128 * index.sq().scale()[d];
            float hi = index.sq().offset()[d] + 127 * index.sq().scale()[d];
            float res = row[d] - c;
            float clipped = c + Math.max(lo, Math.min(hi, res));
            if (res < lo || res > hi) {
              clippedValues++;
            }
            assertEquals(clipped, c + codes.get(r, d), index.sq().scale()[d] * 0.5f + 1e-4f);
          }
        }
      }
      assertTrue(clippedValues < N * DIM / 1000, clippedValues + " values outside the trained range");
      Recall.Report r1 = recall(index, 1);
      Recall.Report r8 = recall(index, 8);
      Recall.Report r64 = recall(index, 64);
      assertTrue(r8.recall() >= 0.85, "recall@10 at nprobe 8: " + r8.recall());
      assertTrue(r64.recall() >= 0.97, "recall@10 over every list (SQ8 error only): " + r64.recall());
      assertTrue(r1.recall() < r8.recall() && r8.recall() <= r64.recall());
    }
  }

  /**
   * The parallel passes write the same file, byte for byte, on one thread, on all threads, and with a source whose
   * reads are serialised; every vector sits in the list of its nearest centroid by a plain double-precision L2
   * reference (near ties excepted). Blocks of 4096 rows at dim 32, so 20,000 vectors make several blocks and
   * rounds.
   */
  @Test
  void theFileDoesNotDependOnThreadsAndListsHoldTheNearestVectors() throws IOException {
    for (IndexSpec spec : new IndexSpec[] {IndexSpec.sq8(50).withTrainSize(3000),
        IndexSpec.pq(50, 8).withOpq(true).withTrainSize(3000).withIterations(4, 4)}) {
      Path one = tmp.resolve("one.ivf");
      Path all = tmp.resolve("all.ivf");
      Path serial = tmp.resolve("serial.ivf");
      new IndexBuilder(spec, BACKEND, Progress.SILENT, 1).build(source, one);
      new IndexBuilder(spec, BACKEND, Progress.SILENT).build(source, all);
      VectorSource serialReads = new VectorSource() {
        @Override
        public long count() {
          return source.count();
        }

        @Override
        public int dim() {
          return source.dim();
        }

        @Override
        public String modelId() {
          return source.modelId();
        }

        @Override
        public String fingerprint() {
          return source.fingerprint();
        }

        @Override
        public void read(long from, int n, float[] out, long[] ids) {
          source.read(from, n, out, ids);
        }
      };
      new IndexBuilder(spec, BACKEND, Progress.SILENT).build(serialReads, serial);
      byte[] a = Files.readAllBytes(one);
      assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(all)), spec.codec() + ": 1 thread vs all");
      assertTrue(java.util.Arrays.equals(a, Files.readAllBytes(serial)), spec.codec() + ": serialised reads");
      try (IvfIndex index = IvfIndex.open(one)) {
        float[] c = index.centroids();
        long[] off = index.listOffsets();
        float[] row = new float[DIM];
        long[] id = new long[1];
        int nearTies = 0;
        for (int l = 0; l < index.nlist(); l++) {
          for (long r = off[l]; r < off[l + 1]; r++) {
            source.read(index.lists().idOf(r), 1, row, id);
            double[] dist = new double[index.nlist()];
            int best = 0;
            for (int j = 0; j < dist.length; j++) {
              for (int d = 0; d < DIM; d++) {
                double v = (double) row[d] - c[j * DIM + d];
                dist[j] += v * v;
              }
              if (dist[j] < dist[best]) {
                best = j;
              }
            }
            if (best != l) {
              assertEquals(dist[best], dist[l], 1e-4 * (1 + dist[best]), "vector " + id[0] + " in list " + l);
              nearTies++;
            }
          }
        }
        assertTrue(nearTies < 5, nearTies + " near ties");
      }
    }
  }

  @Test
  void pqAndOpqIndexesReachRecall() throws IOException {
    for (boolean opq : new boolean[] {false, true}) {
      Path p = tmp.resolve("pq" + opq + ".ivf");
      BuildReport rep = build(IndexSpec.pq(64, 8).withOpq(opq).withTrainSize(8000), p);
      assertEquals(8 + 8, rep.codeBytesPerVector());
      try (IvfIndex index = IvfIndex.open(p)) {
        assertEquals(Codec.PQ, index.codec());
        assertEquals(8, index.pq().m());
        assertEquals(opq, index.rotation() != null);
        recall(index, 16);
        // 8 bytes for 32 dims: the order within a cluster is coarse, but the exact top-10 is among the top 100
        // candidates, which is what the second stage (exact rescoring from the dump) needs
        Recall.Report r = recall(index, 100, 16);
        assertTrue(r.recall() >= 0.9, (opq ? "OPQ" : "PQ") + " 10-recall@100 at nprobe 16: " + r.recall());
        assertTrue(r.top1() >= 0.97, "exact top-1 in the top-100: " + r.top1());
      }
    }
  }

  @Test
  void buildAndMeasureReportsRecallPerNprobe() throws IOException {
    BuildReport rep = new IndexBuilder(IndexSpec.sq8(16).withTrainSize(4000), BACKEND, Progress.SILENT)
        .buildAndMeasure(source, tmp.resolve("m.ivf"), 50, 10, 10, new int[] {1, 16});
    System.out.println(rep);
    assertEquals(2, rep.recall().size());
    assertEquals(16, rep.recall().get(1).nprobe());
    assertTrue(rep.recall().get(1).recall() > 0.9 && rep.recall().get(0).recall() < rep.recall().get(1).recall(),
        rep.toString());
    assertTrue(rep.toString().contains("recall@10"));
  }

  @Test
  void sameSeedSameFile() throws IOException {
    IndexSpec spec = IndexSpec.pq(16, 4).withTrainSize(3000).withIterations(4, 4);
    build(spec, tmp.resolve("a"));
    build(spec, tmp.resolve("b"));
    assertEquals(-1, Files.mismatch(tmp.resolve("a"), tmp.resolve("b")));
  }

  @Test
  void badSpecsAndQueriesAreRefused() throws IOException {
    assertThrows(IllegalArgumentException.class, () -> IndexSpec.sq8(0));
    assertThrows(IllegalArgumentException.class, () -> IndexSpec.pq(8, 0));
    float[] few = Synthetic.gaussian(new Random(1), 10 * DIM, 1f);
    VectorSource small = VectorSource.of(EncodedVectors.ofFloats(few, DIM), "m");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new IndexBuilder(IndexSpec.sq8(16), BACKEND, Progress.SILENT).build(small, tmp.resolve("x")));
    assertTrue(e.getMessage().contains("16 lists"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new IndexBuilder(IndexSpec.pq(2, 5), BACKEND, Progress.SILENT).build(small, tmp.resolve("x")));
    assertTrue(e.getMessage().contains("multiple of m"), e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("x")) && !Files.exists(tmp.resolve("x.tmp")));

    Path p = tmp.resolve("s.ivf");
    new IndexBuilder(IndexSpec.sq8(4).withTrainSize(10), BACKEND, Progress.SILENT).build(small, p);
    try (IvfIndex index = IvfIndex.open(p); IvfSearcher s = new IvfSearcher(index, BACKEND)) {
      float[] q = new float[DIM];
      e = assertThrows(IllegalArgumentException.class, () -> s.search(q, 1, 5, 3));
      assertTrue(e.getMessage().contains("nprobe"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> s.search(q, 1, 0, 3));
      assertThrows(IllegalArgumentException.class, () -> s.search(q, 1, 2, 0));
      assertThrows(IllegalArgumentException.class, () -> s.search(new float[DIM - 1], 1, 2, 3));
      TopK all = s.search(q, 1, 4, 20);
      assertEquals(10, all.filled(0), "every vector, then empty slots");
    }
  }

  @Test
  void corruptedOrMismatchedIndexIsRefused() throws IOException {
    Path p = tmp.resolve("c.ivf");
    build(IndexSpec.sq8(8).withTrainSize(2000), p);
    FileFormatException e = assertThrows(FileFormatException.class,
        () -> IvfIndex.open(p, Expect.ANY.withDim(DIM * 2), Verify.ON_OPEN));
    assertEquals("dim", e.field());
    e = assertThrows(FileFormatException.class,
        () -> IvfIndex.open(p, Expect.ANY.withModelId("other"), Verify.ON_OPEN));
    assertEquals("model id", e.field());
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(f.length() - 3);
      int b = f.read();
      f.seek(f.length() - 3);
      f.write(b ^ 4);
    }
    e = assertThrows(FileFormatException.class, () -> IvfIndex.open(p));
    assertEquals("payload checksum", e.field());
    assertTrue(e.getMessage().contains("c.ivf"));
    try (IvfIndex lazy = IvfIndex.open(p, Expect.ANY, Verify.LAZY)) {
      assertThrows(FileFormatException.class, lazy::verify);
    }
  }

  @Test
  void indexFromADumpServesThatDumpOnly() throws IOException {
    Random r = new Random(13);
    List<DocumentInput> docs = Synthetic.documents(r, 120, 40, 16);
    DumpSpec spec = DumpSpec.of("dump-model", 16).withTypes(Set.of(VectorType.FP16, VectorType.INT8))
        .withTokensPerShard(700);
    Path dumpDir = tmp.resolve("dump");
    try (DumpWriter w = DumpWriter.open(dumpDir, spec)) {
      for (DocumentInput d : docs) {
        w.add(d);
      }
      w.finish();
    }
    Path other = tmp.resolve("other");
    try (DumpWriter w = DumpWriter.open(other, spec)) {
      for (DocumentInput d : docs.subList(0, 100)) {
        w.add(d);
      }
      w.finish();
    }
    Path idx = tmp.resolve("dump.ivf");
    try (Dump dump = Dump.open(dumpDir); Dump wrong = Dump.open(other)) {
      assertTrue(dump.shards().size() > 1);
      VectorSource src = VectorSource.ofDump(dump, VectorType.INT8, 0.0f);
      assertTrue(src.count() < dump.numTokens() && src.count() > dump.numTokens() / 3, "filter keeps about half");
      BuildReport rep = new IndexBuilder(IndexSpec.sq8(8).withTrainSize(1000), BACKEND, Progress.SILENT)
          .build(src, idx);
      assertEquals(src.count(), rep.vectors());
      try (IvfIndex index = IvfIndex.open(idx, Expect.ANY.withModelId("dump-model").withDim(16), Verify.ON_OPEN)) {
        index.checkServes(dump);
        for (long row = 0; row < index.count(); row++) {
          long g = index.lists().idOf(row);
          var shard = dump.shardOfToken(g);
          assertTrue(shard.filterScore(g - shard.tokenBase()) >= 0f, "only kept tokens are indexed");
        }
        assertNotNull(index.params().get("source"));
        FileFormatException e = assertThrows(FileFormatException.class, () -> index.checkServes(wrong));
        assertEquals("source", e.field());
      }
    }
    // a dump file is not an index
    FileFormatException e = assertThrows(FileFormatException.class,
        () -> IvfIndex.open(dumpDir.resolve("shard-00000.fp16")));
    assertEquals("magic", e.field());
  }
}
