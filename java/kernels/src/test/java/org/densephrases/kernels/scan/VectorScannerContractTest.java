package org.densephrases.kernels.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.Encoding;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.ScalarBackend;
import org.densephrases.kernels.SeedExtension;
import org.densephrases.kernels.TestData;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.TopKAssertions;
import org.densephrases.kernels.TopKAssertions.Expected;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of kernel family 2 (densephrases.h, dp_scan_flat / dp_scan_ivf / dp_scan_ivf_pq), run once per
 * backend: exact brute force in double, the scalar reference, ties, missing slots, IVF padding and bias, PQ.
 */
public abstract class VectorScannerContractTest {
  @RegisterExtension final SeedExtension seeds = new SeedExtension();

  protected KernelBackend backend;

  /** The backend under test; a subclass aborts (skips) when it is not available here. */
  protected abstract KernelBackend backend();

  @BeforeEach
  final void pickBackend() {
    backend = backend();
  }

  static Stream<Arguments> encodingsAndDims() {
    List<Arguments> out = new ArrayList<>();
    for (Encoding e : Encoding.values()) {
      for (int dim : TestData.DIMS) {
        out.add(Arguments.of(e, dim));
      }
    }
    return out.stream();
  }

  // ------------------------------------------------------------------------------------------------ running

  private TopK flat(KernelBackend b, EncodedVectors v, float[] queries, int nq, int k) {
    try (ScanTable t = b.vectorScanner().load(v)) {
      return b.vectorScanner().search(t, queries, nq, k);
    }
  }

  private TopK ivf(KernelBackend b, IvfLists lists, float[] queries, int nq, int[] probes, int nprobe, float[] bias,
      int k) {
    try (ScanTable t = b.vectorScanner().load(lists)) {
      return b.vectorScanner().search(t, queries, nq, probes, nprobe, bias, k);
    }
  }

  /**
   * Checks the scalar reference against the brute force, the backend against the brute force, and the two
   * against each other rank by rank.
   *
   * @param expected per query, every valid candidate with its exact score
   */
  private void check(String label, List<List<Expected>> expected, int k, Function<KernelBackend, TopK> search) {
    TopK ref = search.apply(ScalarBackend.INSTANCE);
    TopK got = search.apply(backend);
    for (int q = 0; q < expected.size(); q++) {
      String at = label + " query " + q;
      assertEquals(k, got.k(), at + ": k");
      assertEquals(expected.size(), got.numQueries(), at + ": numQueries");
      double tol = TopKAssertions.assertTopK(at + " scalar", expected.get(q), k, ref.scores(), ref.ids(), q * k);
      TopKAssertions.assertTopK(at + " " + backend.name(), expected.get(q), k, got.scores(), got.ids(), q * k);
      TopKAssertions.assertSameScores(at + " " + backend.name(), ref.scores(), got.scores(), q * k, k, 2 * tol);
    }
  }

  static List<List<Expected>> bruteFlat(EncodedVectors v, float[] queries, int nq) {
    List<List<Expected>> out = new ArrayList<>();
    for (int q = 0; q < nq; q++) {
      List<Expected> all = new ArrayList<>();
      for (long row = 0; row < v.count(); row++) {
        all.add(new Expected(row, TestData.dot(v, row, queries, q * v.dim()),
            TestData.tolerance(v, row, queries, q * v.dim())));
      }
      out.add(all);
    }
    return out;
  }

  static List<List<Expected>> bruteIvf(IvfLists lists, float[] queries, int nq, int[] probes, int nprobe,
      float[] bias) {
    List<List<Expected>> out = new ArrayList<>();
    int dim = lists.dim();
    for (int q = 0; q < nq; q++) {
      List<Expected> all = new ArrayList<>();
      for (int p = 0; p < nprobe; p++) {
        int l = probes[q * nprobe + p];
        if (l == -1) {
          continue;
        }
        double pb = bias == null ? 0 : bias[q * nprobe + p];
        for (long row = lists.listOffsets()[l]; row < lists.listOffsets()[l + 1]; row++) {
          double exact;
          double tol;
          if (lists.isPq()) {
            double[] et = pqExact(lists.pq(), row, queries, q * dim);
            exact = et[0];
            tol = et[1];
          } else {
            exact = TestData.dot(lists.vectors(), row, queries, q * dim);
            tol = TestData.tolerance(lists.vectors(), row, queries, q * dim);
          }
          all.add(new Expected(lists.idOf(row), exact + pb, tol + 2 * TestData.EPS * (Math.abs(exact) + Math.abs(pb))));
        }
      }
      out.add(all);
    }
    return out;
  }

  /** {exact score, tolerance} of a PQ row: sum over sub-quantizers of q_sub . centroid, in double. */
  static double[] pqExact(PqCodes pq, long row, float[] q, int qOff) {
    int dsub = pq.dsub();
    double s = 0;
    double mag = 0;
    for (int sq = 0; sq < pq.m(); sq++) {
      int c = pq.code(row, sq);
      for (int t = 0; t < dsub; t++) {
        double term = (double) q[qOff + sq * dsub + t] * pq.codebooks()[(sq * 256 + c) * dsub + t];
        s += term;
        mag += Math.abs(term);
      }
    }
    return new double[] {s, 2 * (dsub + pq.m() + 2) * TestData.EPS * mag + Double.MIN_NORMAL};
  }

  // ------------------------------------------------------------------------------------------------ fixtures

  /** nlist + 1 ascending offsets over count rows; roughly a third of the lists are empty. */
  static long[] randomListOffsets(Random r, long count, int nlist) {
    long[] cuts = new long[nlist + 1];
    for (int l = 1; l < nlist; l++) {
      cuts[l] = r.nextInt(3) == 0 ? -1 : (long) (r.nextDouble() * count);
    }
    cuts[nlist] = count;
    for (int l = 1; l < nlist; l++) {
      cuts[l] = cuts[l] < 0 ? cuts[l - 1] : Math.max(cuts[l - 1], cuts[l]);
    }
    java.util.Arrays.sort(cuts);
    return cuts;
  }

  /** Ids: a shuffled sequence with a large offset, so an id never equals its row by accident. */
  static long[] randomIds(Random r, long count) {
    long[] ids = new long[(int) count];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1_000_000_000_000L + 7L * i;
    }
    for (int i = ids.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      long t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
    return ids;
  }

  /** (query)(nprobe) distinct lists per query, about one slot in five -1. */
  static int[] randomProbes(Random r, int nq, int nprobe, int nlist) {
    int[] probes = new int[nq * nprobe];
    for (int q = 0; q < nq; q++) {
      int[] perm = r.ints(0, nlist).distinct().limit(Math.min(nprobe, nlist)).toArray();
      for (int p = 0; p < nprobe; p++) {
        probes[q * nprobe + p] = p < perm.length && r.nextInt(5) != 0 ? perm[p] : -1;
      }
    }
    return probes;
  }

  static PqCodes randomPq(Random r, long count, int m, int dsub) {
    byte[] codes = new byte[(int) (count * m)];
    r.nextBytes(codes);
    return new PqCodes(MemorySegment.ofArray(codes), count, m, m * dsub, TestData.gaussian(r, m * 256 * dsub, 1f));
  }

  // ------------------------------------------------------------------------------------------------ flat

  @ParameterizedTest(name = "{0} dim={1}")
  @MethodSource("encodingsAndDims")
  void flatScanMatchesReferenceAndBruteForce(Encoding enc, int dim) {
    Random r = seeds.random();
    int n = r.nextInt(400);
    int nq = 1 + r.nextInt(3);
    int k = 1 + r.nextInt(n + 10); // sometimes more than the vectors
    EncodedVectors v = enc.random(r, n, dim);
    float[] queries = TestData.gaussian(r, nq * dim, 1f);
    check(enc + " dim=" + dim + " n=" + n + " k=" + k, bruteFlat(v, queries, nq), k,
        b -> flat(b, v, queries, nq, k));
  }

  @ParameterizedTest
  @EnumSource(Encoding.class)
  void largeFlatScanSplitOverThreads(Encoding enc) {
    Random r = seeds.random();
    int n = 20_000;
    int dim = 128;
    int nq = 3;
    EncodedVectors v = enc.random(r, n, dim);
    float[] queries = TestData.gaussian(r, nq * dim, 1f);
    check(enc + " large", bruteFlat(v, queries, nq), 100, b -> flat(b, v, queries, nq, 100));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 64})
  void duplicateVectorsTieAndComeBackOnceEach(int k) {
    Random r = seeds.random();
    int dim = 17;
    int n = 40;
    float[] base = TestData.gaussian(r, 4 * dim, 1f);
    float[] values = new float[n * dim];
    for (int row = 0; row < n; row++) {
      System.arraycopy(base, (row % 4) * dim, values, row * dim, dim); // four distinct vectors, ten copies each
    }
    EncodedVectors v = EncodedVectors.ofFloats(values, dim);
    float[] queries = TestData.gaussian(r, 2 * dim, 1f);
    check("duplicates k=" + k, bruteFlat(v, queries, 2), k, b -> flat(b, v, queries, 2, k));
  }

  @Test
  void kUpToMaxKOverFewVectorsLeavesMissingSlots() {
    Random r = seeds.random();
    EncodedVectors v = Encoding.INT8_GLOBAL.random(r, 10, 5);
    float[] queries = TestData.gaussian(r, 10, 1f);
    TopK got = flat(backend, v, queries, 2, KernelLimits.MAX_K);
    check("k=MAX_K", bruteFlat(v, queries, 2), KernelLimits.MAX_K, b -> flat(b, v, queries, 2, KernelLimits.MAX_K));
    assertEquals(10, got.filled(0));
    assertEquals(-1L, got.id(1, KernelLimits.MAX_K - 1));
    assertEquals(Float.NEGATIVE_INFINITY, got.score(1, 10));
  }

  @Test
  void emptyTableGivesOnlyMissingSlots() {
    EncodedVectors v = EncodedVectors.ofFloats(new float[0], 3);
    TopK got = flat(backend, v, new float[] {1, 2, 3}, 1, 4);
    assertEquals(0, got.filled(0));
    assertEquals(Float.NEGATIVE_INFINITY, got.score(0, 0));
  }

  // ------------------------------------------------------------------------------------------------ IVF

  @ParameterizedTest(name = "{0} dim={1}")
  @MethodSource("encodingsAndDims")
  void ivfScanMatchesReferenceAndBruteForce(Encoding enc, int dim) {
    Random r = seeds.random();
    int n = 50 + r.nextInt(300);
    int nlist = 1 + r.nextInt(12);
    EncodedVectors v = enc.random(r, n, dim);
    IvfLists lists = IvfLists.of(v, randomListOffsets(r, n, nlist), r.nextBoolean() ? randomIds(r, n) : null);
    int nq = 1 + r.nextInt(3);
    int nprobe = 1 + r.nextInt(nlist + 2);
    int[] probes = randomProbes(r, nq, nprobe, nlist);
    float[] bias = r.nextBoolean() ? TestData.gaussian(r, nq * nprobe, 2f) : null;
    int k = 1 + r.nextInt(60);
    float[] queries = TestData.gaussian(r, nq * dim, 1f);
    check(enc + " dim=" + dim + " nlist=" + nlist + " nprobe=" + nprobe + " bias=" + (bias != null),
        bruteIvf(lists, queries, nq, probes, nprobe, bias), k, b -> ivf(b, lists, queries, nq, probes, nprobe, bias, k));
  }

  @ParameterizedTest(name = "m={0} dsub={1}")
  @MethodSource("pqShapes")
  void ivfPqScanMatchesReferenceAndBruteForce(int m, int dsub) {
    Random r = seeds.random();
    int n = 50 + r.nextInt(400);
    int nlist = 1 + r.nextInt(8);
    PqCodes pq = randomPq(r, n, m, dsub);
    IvfLists lists = IvfLists.of(pq, randomListOffsets(r, n, nlist), r.nextBoolean() ? randomIds(r, n) : null);
    int nq = 1 + r.nextInt(3);
    int nprobe = 1 + r.nextInt(nlist + 1);
    int[] probes = randomProbes(r, nq, nprobe, nlist);
    float[] bias = r.nextBoolean() ? TestData.gaussian(r, nq * nprobe, 2f) : null;
    int k = 1 + r.nextInt(80);
    float[] queries = TestData.gaussian(r, nq * m * dsub, 1f);
    check("pq m=" + m + " dsub=" + dsub, bruteIvf(lists, queries, nq, probes, nprobe, bias), k,
        b -> ivf(b, lists, queries, nq, probes, nprobe, bias, k));
  }

  static Stream<Arguments> pqShapes() {
    return Stream.of(Arguments.of(1, 1), Arguments.of(1, 17), Arguments.of(4, 3), Arguments.of(8, 16),
        Arguments.of(16, 8), Arguments.of(48, 16), Arguments.of(97, 1));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void largeIvfScanSplitOverThreads(boolean pqLists) {
    Random r = seeds.random();
    int n = 40_000;
    int dim = 96;
    int nlist = 16;
    IvfLists lists = pqLists
        ? IvfLists.of(randomPq(r, n, 16, 6), randomListOffsets(r, n, nlist), randomIds(r, n))
        : IvfLists.of(Encoding.FP16.random(r, n, dim), randomListOffsets(r, n, nlist), randomIds(r, n));
    for (int nq : new int[] {1, 5}) {
      int nprobe = 12;
      int[] probes = randomProbes(r, nq, nprobe, nlist);
      float[] bias = TestData.gaussian(r, nq * nprobe, 1f);
      float[] queries = TestData.gaussian(r, nq * dim, 1f);
      check("large ivf pq=" + pqLists + " nq=" + nq, bruteIvf(lists, queries, nq, probes, nprobe, bias), 200,
          b -> ivf(b, lists, queries, nq, probes, nprobe, bias, 200));
    }
  }

  @Test
  void onlyPaddingAndEmptyListsGiveMissingSlots() {
    Random r = seeds.random();
    EncodedVectors v = Encoding.FP32.random(r, 6, 4);
    IvfLists lists = IvfLists.of(v, new long[] {0, 0, 6, 6}, null); // lists 0 and 2 are empty
    float[] queries = TestData.gaussian(r, 8, 1f);
    int[] probes = {-1, -1, 0, 2}; // query 0: padding only; query 1: empty lists only
    TopK got = ivf(backend, lists, queries, 2, probes, 2, null, 5);
    assertEquals(0, got.filled(0));
    assertEquals(0, got.filled(1));
    int[] probes2 = {0, 1, -1, 1};
    check("empty+padding", bruteIvf(lists, queries, 2, probes2, 2, null), 5,
        b -> ivf(b, lists, queries, 2, probes2, 2, null, 5));
  }

  @Test
  void probeBiasShiftsEveryScoreOfItsProbe() {
    Random r = seeds.random();
    int dim = 9;
    EncodedVectors v = Encoding.FP32.random(r, 20, dim);
    IvfLists lists = IvfLists.of(v, new long[] {0, 10, 20}, null);
    float[] queries = TestData.gaussian(r, dim, 1f);
    // A huge bias on list 1 puts all of its rows first.
    TopK got = ivf(backend, lists, queries, 1, new int[] {0, 1}, 2, new float[] {0f, 1000f}, 10);
    for (int rank = 0; rank < 10; rank++) {
      assertTrue(got.id(0, rank) >= 10, "rank " + rank + " should come from the biased list 1");
    }
  }

  // ------------------------------------------------------------------------------------------------ bad input

  private static void assertMessage(IllegalArgumentException e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' should name '" + w + "'");
    }
  }

  private IllegalArgumentException flatFails(EncodedVectors v, float[] queries, int nq, int k) {
    try (ScanTable t = backend.vectorScanner().load(v)) {
      return assertThrows(IllegalArgumentException.class, () -> backend.vectorScanner().search(t, queries, nq, k));
    }
  }

  private IllegalArgumentException ivfFails(IvfLists lists, float[] queries, int nq, int[] probes, int nprobe,
      float[] bias, int k) {
    try (ScanTable t = backend.vectorScanner().load(lists)) {
      return assertThrows(IllegalArgumentException.class,
          () -> backend.vectorScanner().search(t, queries, nq, probes, nprobe, bias, k));
    }
  }

  @Test
  void rejectsBadFlatSearches() {
    EncodedVectors v = Encoding.FP32.random(seeds.random(), 8, 4);
    float[] q = new float[4];
    assertMessage(flatFails(v, q, 1, 0), "k must be in", "got 0");
    assertMessage(flatFails(v, q, 1, KernelLimits.MAX_K + 1), "k must be in", "2049");
    assertMessage(flatFails(v, q, 0, 1), "numQueries");
    assertMessage(flatFails(v, new float[5], 1, 1), "queries", "expected 1 x 4");
    assertMessage(flatFails(v, new float[] {0, 0, Float.NaN, 0}, 1, 1), "queries[2]", "finite");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> backend.vectorScanner().search(null, q, 1, 1)), "table is null");
    try (ScanTable t = backend.vectorScanner().load(v)) {
      assertMessage(assertThrows(IllegalArgumentException.class,
          () -> backend.vectorScanner().search(t, q, 1, new int[] {0}, 1, null, 1)), "flat table takes no probes");
    }
  }

  @Test
  void rejectsBadIvfSearches() {
    EncodedVectors v = Encoding.FP32.random(seeds.random(), 8, 4);
    IvfLists lists = IvfLists.of(v, new long[] {0, 3, 8}, null);
    float[] q = new float[8];
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, 1, 2}, 2, null, 3), "probe 2 of query 1", "out of range");
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, -2, 1}, 2, null, 3), "probe -2", "out of range");
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, 1, 1}, 2, null, 3), "list 1", "twice", "query 1");
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, 1}, 2, null, 3), "probes", "expected 4");
    assertMessage(ivfFails(lists, q, 2, new int[] {}, 0, null, 3), "nprobe");
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, 1, 0}, 2, new float[3], 3), "probeBias", "expected 2 x 2");
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, 1, 0}, 2, new float[] {0, Float.NaN, 0, 0}, 3),
        "probeBias[1]", "finite");
    assertMessage(ivfFails(lists, new float[6], 2, new int[] {0, 1, 1, 0}, 2, null, 3), "queries", "2 x 4");
    assertMessage(ivfFails(lists, q, 2, new int[] {0, 1, 1, 0}, 2, null, 0), "k must be in");
    try (ScanTable t = backend.vectorScanner().load(lists)) {
      assertMessage(assertThrows(IllegalArgumentException.class,
          () -> backend.vectorScanner().search(t, q, 2, 3)), "IVF table needs probes");
    }
  }

  @Test
  void rejectsBadListsAndCodes() {
    Random r = seeds.random();
    EncodedVectors v = Encoding.FP32.random(r, 8, 4);
    assertMessage(assertThrows(IllegalArgumentException.class, () -> IvfLists.of(v, new long[] {1, 8}, null)),
        "listOffsets[0]");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> IvfLists.of(v, new long[] {0, 7}, null)),
        "vector count 8");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> IvfLists.of(v, new long[] {0, 5, 3, 8}, null)),
        "ascending");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> IvfLists.of(v, new long[] {0}, null)),
        "at least 2");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> IvfLists.of(v, new long[] {0, 8}, new long[7])),
        "ids", "expected 8");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> IvfLists.of((EncodedVectors) null, new long[] {0, 8}, null)), "vectors is null");
    MemorySegment codes = MemorySegment.ofArray(new byte[8 * 4]);
    float[] cb = new float[4 * 256 * 2];
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new PqCodes(codes, 8, 0, 8, cb)), "m must be");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new PqCodes(codes, 8, KernelLimits.MAX_PQ_M + 1, 8, cb)), "m must be");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new PqCodes(codes, 8, 4, 10, cb)),
        "not a multiple of m");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new PqCodes(codes, 9, 4, 8, cb)),
        "PQ codes hold 32 bytes");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new PqCodes(codes, 8, 4, 8, new float[10])),
        "codebooks must hold");
    float[] nan = cb.clone();
    nan[5] = Float.NaN;
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new PqCodes(codes, 8, 4, 8, nan)),
        "codebooks[5]");
  }

  @Test
  void rejectsBadEncodedVectors() {
    MemorySegment seg = MemorySegment.ofArray(new byte[12]);
    assertMessage(assertThrows(IllegalArgumentException.class, () -> EncodedVectors.fp32(seg, 2, 2)),
        "FP32 data holds 12 bytes", "expected 2 x 2 x 4");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> EncodedVectors.fp16(seg, 1, 0)), "dim");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> EncodedVectors.fp16(seg, 1, KernelLimits.MAX_DIM + 1)), "dim");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> EncodedVectors.int8(seg, 3, 4, null, new float[4])), "offset");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> EncodedVectors.int8(seg, 3, 4, new float[4], new float[3])), "scale");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> EncodedVectors.int8(seg, 3, 4, 0f, Float.POSITIVE_INFINITY)), "scale[0]", "finite");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> EncodedVectors.ofFloats(new float[5], 2)),
        "not a multiple of dim");
  }
}
