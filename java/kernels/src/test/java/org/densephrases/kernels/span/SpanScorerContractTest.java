package org.densephrases.kernels.span;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.Encoding;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.ScalarBackend;
import org.densephrases.kernels.SeedExtension;
import org.densephrases.kernels.TestData;
import org.densephrases.kernels.TopKAssertions;
import org.densephrases.kernels.TopKAssertions.Expected;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of kernel family 1 (densephrases.h, dp_span_score), run once per backend. Every result is checked
 * against a brute force in double written here, and against the scalar reference.
 */
public abstract class SpanScorerContractTest {
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

  // ------------------------------------------------------------------------------------------------ fixtures

  /** Documents of random lengths covering numTokens tokens; about one in five has a single token. */
  static long[] randomDocStarts(Random r, int numTokens) {
    List<Long> starts = new ArrayList<>(List.of(0L));
    long pos = 0;
    while (pos < numTokens) {
      pos = Math.min(numTokens, pos + (r.nextInt(5) == 0 ? 1 : 1 + r.nextInt(30)));
      starts.add(pos);
    }
    return starts.stream().mapToLong(Long::longValue).toArray();
  }

  /** (question)(kc) unique token ids per question, a share of them -1 padding. */
  static long[] randomCandidates(Random r, int numTokens, int nq, int kc, double padding) {
    long[] c = new long[nq * kc];
    for (int qi = 0; qi < nq; qi++) {
      long[] perm = r.longs(0, numTokens).distinct().limit(Math.min(kc, numTokens)).toArray();
      for (int j = 0; j < kc; j++) {
        c[qi * kc + j] = j < perm.length && r.nextDouble() >= padding ? perm[j] : -1;
      }
    }
    return c;
  }

  protected SpanResult run(KernelBackend b, EncodedVectors tokens, long[] docStarts, SpanQuery q) {
    try (TokenTable t = b.spanScorer().load(tokens, docStarts)) {
      return b.spanScorer().score(t, q);
    }
  }

  // ------------------------------------------------------------------------------------------------ brute force

  /** One candidate's window, the exact score of every partner in it, and its best partner (nearest on ties). */
  record Brute(long token, long[] partners, double[] exact, double[] tol, int best) {
    double bestScore() {
      return exact[best];
    }
  }

  /** Brute force in double, written independently of the production code (linear doc search, explicit walk). */
  static Brute[] bruteForce(EncodedVectors v, long[] docStarts, SpanQuery q) {
    int dim = q.dim();
    int kc = q.candidatesPerQuestion();
    Brute[] out = new Brute[q.numQuestions() * kc];
    for (int slot = 0; slot < out.length; slot++) {
      long c = q.candidates()[slot];
      if (c == -1) {
        continue;
      }
      int qi = slot / kc;
      int doc = 0;
      while (docStarts[doc + 1] <= c) {
        doc++;
      }
      List<Long> partners = new ArrayList<>();
      boolean cIsStart = q.direction() == Direction.START_TO_END;
      for (long p = c; cIsStart ? p < docStarts[doc + 1] && p - c < q.maxAnswerLength()
          : p >= docStarts[doc] && c - p < q.maxAnswerLength(); p += cIsStart ? 1 : -1) {
        partners.add(p); // nearest first
      }
      long[] pa = partners.stream().mapToLong(Long::longValue).toArray();
      double[] exact = new double[pa.length];
      double[] tol = new double[pa.length];
      int best = 0;
      for (int i = 0; i < pa.length; i++) {
        long s = cIsStart ? c : pa[i];
        long e = cIsStart ? pa[i] : c;
        exact[i] = TestData.dot(v, s, q.qStart(), qi * dim) + TestData.dot(v, e, q.qEnd(), qi * dim);
        tol[i] = TestData.tolerance(v, s, q.qStart(), qi * dim) + TestData.tolerance(v, e, q.qEnd(), qi * dim)
            + 2 * TestData.EPS * Math.abs(exact[i]);
        if (exact[i] > exact[best]) {
          best = i;
        }
      }
      out[slot] = new Brute(c, pa, exact, tol, best);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------------ checks

  /** Runs the backend and the scalar reference, checks both against the brute force and each other. */
  protected SpanResult checkAll(String label, EncodedVectors tokens, long[] docStarts, SpanQuery q) {
    Brute[] brute = bruteForce(tokens, docStarts, q);
    SpanResult ref = run(ScalarBackend.INSTANCE, tokens, docStarts, q);
    assertMatchesBruteForce(label + " scalar", ref, brute, q);
    SpanResult got = run(backend, tokens, docStarts, q);
    String name = label + " " + backend.name();
    assertMatchesBruteForce(name, got, brute, q);
    for (int slot = 0; slot < brute.length; slot++) {
      if (brute[slot] == null) {
        continue;
      }
      double tol = 2 * brute[slot].tol()[brute[slot].best()];
      assertEquals(ref.candidateScore()[slot], got.candidateScore()[slot], tol,
          name + " slot " + slot + ": candidate score differs from the scalar reference");
    }
    for (int qi = 0; qi < q.numQuestions(); qi++) {
      double maxTol = 0;
      for (int j = 0; j < q.candidatesPerQuestion(); j++) {
        Brute b = brute[qi * q.candidatesPerQuestion() + j];
        maxTol = b == null ? maxTol : Math.max(maxTol, b.tol()[b.best()]);
      }
      TopKAssertions.assertSameScores(name + " question " + qi, ref.topScore(), got.topScore(), qi * q.k(), q.k(),
          2 * maxTol);
    }
    return got;
  }

  static void assertMatchesBruteForce(String what, SpanResult r, Brute[] brute, SpanQuery q) {
    int nq = q.numQuestions();
    int kc = q.candidatesPerQuestion();
    int k = q.k();
    assertEquals(nq * kc, r.candidateOther().length, what + ": candidateOther length");
    assertEquals(nq * kc, r.candidateScore().length, what + ": candidateScore length");
    assertEquals(nq * k, r.topStart().length, what + ": topStart length");
    assertEquals(nq * k, r.topEnd().length, what + ": topEnd length");
    assertEquals(nq * k, r.topScore().length, what + ": topScore length");
    boolean cIsStart = q.direction() == Direction.START_TO_END;
    for (int slot = 0; slot < nq * kc; slot++) {
      String at = what + " slot " + slot;
      Brute b = brute[slot];
      if (b == null) {
        assertEquals(-1L, r.candidateOther()[slot], at + ": padding must get partner -1");
        assertEquals(Float.NEGATIVE_INFINITY, r.candidateScore()[slot], at + ": padding must score -infinity");
        continue;
      }
      long partner = r.candidateOther()[slot];
      int pi = -1;
      for (int i = 0; i < b.partners().length; i++) {
        if (b.partners()[i] == partner) {
          pi = i;
        }
      }
      assertTrue(pi >= 0, at + ": partner " + partner + " of candidate " + b.token() + " is outside its window "
          + Arrays.toString(b.partners()));
      int best = b.best();
      assertEquals(b.bestScore(), r.candidateScore()[slot], b.tol()[best],
          at + ": candidate " + b.token() + " score is off the exact best span score");
      // The partner may differ from the brute force's only where two partners tie within the float error.
      boolean nearTie = false;
      for (int i = 0; i < b.partners().length; i++) {
        nearTie |= i != best && b.exact()[i] >= b.bestScore() - b.tol()[i] - b.tol()[best];
      }
      if (nearTie) {
        assertTrue(b.exact()[pi] >= b.bestScore() - b.tol()[pi] - b.tol()[best],
            at + ": partner " + partner + " is not one of the near-best partners");
      } else {
        assertEquals(b.partners()[best], partner, at + ": wrong best partner of candidate " + b.token());
      }
    }
    // The top-k: translate each (start, end) back to its candidate slot, then check it as a top-k over slots.
    for (int qi = 0; qi < nq; qi++) {
      Map<Long, Integer> slotOf = new HashMap<>();
      List<Expected> all = new ArrayList<>();
      for (int j = qi * kc; j < (qi + 1) * kc; j++) {
        if (brute[j] != null) {
          slotOf.put(brute[j].token(), j);
          all.add(new Expected(j, brute[j].bestScore(), brute[j].tol()[brute[j].best()]));
        }
      }
      long[] slots = new long[nq * k]; // only row qi is used
      for (int rank = 0; rank < k; rank++) {
        int o = qi * k + rank;
        long c = cIsStart ? r.topStart()[o] : r.topEnd()[o];
        long other = cIsStart ? r.topEnd()[o] : r.topStart()[o];
        if (c == -1) {
          assertEquals(-1L, other, what + " question " + qi + " rank " + rank + ": half-missing slot");
          slots[o] = -1;
          continue;
        }
        Integer slot = slotOf.get(c);
        assertNotNull(slot, what + " question " + qi + " rank " + rank + ": token " + c + " is not a candidate");
        assertEquals(r.candidateOther()[slot], other, what + " rank " + rank + ": top span's partner differs");
        assertEquals(r.candidateScore()[slot], r.topScore()[o], what + " rank " + rank + ": top score differs");
        slots[o] = slot;
      }
      TopKAssertions.assertTopK(what + " question " + qi, all, k, r.topScore(), slots, qi * k);
    }
  }

  // ------------------------------------------------------------------------------------------------ tests

  @ParameterizedTest(name = "{0} dim={1}")
  @MethodSource("encodingsAndDims")
  void randomInputsMatchReferenceAndBruteForce(Encoding enc, int dim) {
    Random r = seeds.random();
    int numTokens = 50 + r.nextInt(150);
    EncodedVectors tokens = enc.random(r, numTokens, dim);
    long[] docStarts = randomDocStarts(r, numTokens);
    int nq = 1 + r.nextInt(3);
    int kc = 1 + r.nextInt(40);
    for (Direction dir : Direction.values()) {
      int maxLen = 1 + r.nextInt(12);
      int k = 1 + r.nextInt(kc + 5); // sometimes more than the candidates
      SpanQuery q = new SpanQuery(TestData.gaussian(r, nq * dim, 1f), TestData.gaussian(r, nq * dim, 1f), nq,
          randomCandidates(r, numTokens, nq, kc, 0.2), kc, maxLen, dir, k);
      checkAll(enc + " dim=" + dim + " " + dir + " L=" + maxLen + " k=" + k, tokens, docStarts, q);
    }
  }

  @ParameterizedTest
  @EnumSource(Direction.class)
  void boundariesOfDocumentsAndLengths(Direction dir) {
    Random r = seeds.random();
    int dim = 17;
    long[] docStarts = {0, 1, 2, 7, 8, 11, 31, 32}; // documents of 1, 1, 5, 1, 3, 20 and 1 tokens
    int numTokens = 32;
    EncodedVectors tokens = Encoding.FP32.random(r, numTokens, dim);
    // Every document's first and last token, the first and the last token of the dump.
    long[] cands = {0, 1, 2, 6, 7, 8, 10, 11, 30, 31};
    for (int maxLen : new int[] {1, 2, 5, KernelLimits.MAX_ANSWER_LENGTH}) {
      SpanQuery q = new SpanQuery(TestData.gaussian(r, dim, 1f), TestData.gaussian(r, dim, 1f), 1, cands,
          cands.length, maxLen, dir, cands.length);
      SpanResult got = checkAll(dir + " L=" + maxLen, tokens, docStarts, q);
      for (int j = 0; j < cands.length; j++) {
        long c = cands[j];
        long other = got.candidateOther()[j];
        if (maxLen == 1) {
          assertEquals(c, other, "L=1: the only span is the candidate token itself");
        }
        int doc = Arrays.binarySearch(docStarts, c) >= 0 ? Arrays.binarySearch(docStarts, c) : -1;
        boolean docStart = doc >= 0;
        boolean docEnd = Arrays.binarySearch(docStarts, c + 1) >= 0;
        if (dir == Direction.START_TO_END && docEnd) {
          assertEquals(c, other, "a start at the last token of its document can only end there");
        }
        if (dir == Direction.END_TO_START && docStart) {
          assertEquals(c, other, "an end at the first token of its document can only start there");
        }
        long lo = dir == Direction.START_TO_END ? c : other;
        long hi = dir == Direction.START_TO_END ? other : c;
        assertTrue(lo <= hi && hi - lo < maxLen, "span [" + lo + ", " + hi + "] longer than L=" + maxLen);
      }
    }
  }

  /** Two identical partner vectors in one window score bitwise equal; the one nearer the candidate must win. */
  @ParameterizedTest
  @EnumSource(Encoding.class)
  void tiesGoToThePartnerNearestTheCandidate(Encoding enc) {
    Random r = seeds.random();
    for (int dim : new int[] {3, 17, 97}) {
      int numTokens = 40;
      float[] qs = TestData.gaussian(r, dim, 1f);
      float[] qe = TestData.gaussian(r, dim, 1f);
      float[] values = TestData.gaussian(r, numTokens * dim, 0.05f);
      // Tokens 12 and 15 hold the same vector, aligned with both questions, so both are the best partner.
      for (int d = 0; d < dim; d++) {
        float hot = 0.5f * Math.signum(qe[d] + qs[d]);
        qs[d] = Math.abs(qs[d]) * Math.signum(hot);
        qe[d] = Math.abs(qe[d]) * Math.signum(hot);
        values[12 * dim + d] = hot;
        values[15 * dim + d] = hot;
      }
      EncodedVectors tokens = enc.encode(values, dim, r);
      long[] docStarts = {0, numTokens};
      // start 10 -> ends [10, 19]: 12 and 15 tie, 12 is nearer; start 12 -> itself; start 14 -> only 15 is in.
      checkNearest(tokens, docStarts, qs, qe, Direction.START_TO_END, new long[] {10, 12, 14}, new long[] {12, 12, 15});
      // end 18 -> starts [9, 18]: 15 is nearer; end 15 -> itself; end 13 -> only 12 is in.
      checkNearest(tokens, docStarts, qs, qe, Direction.END_TO_START, new long[] {18, 15, 13}, new long[] {15, 15, 12});
    }
  }

  private void checkNearest(EncodedVectors tokens, long[] docStarts, float[] qs, float[] qe, Direction dir,
      long[] cands, long[] expected) {
    SpanQuery q = new SpanQuery(qs, qe, 1, cands, cands.length, 10, dir, cands.length);
    for (KernelBackend b : List.of(ScalarBackend.INSTANCE, backend)) {
      SpanResult res = run(b, tokens, docStarts, q);
      assertArrayEquals(expected, res.candidateOther(), b.name() + " " + dir + ": ties must go to the nearest");
    }
  }

  @Test
  void equalSpanScoresComeBackOnceEachInAnyOrder() {
    Random r = seeds.random();
    int dim = 97;
    int numTokens = 64;
    float[] row = TestData.gaussian(r, dim, 1f);
    float[] values = new float[numTokens * dim];
    for (int t = 0; t < numTokens; t++) {
      System.arraycopy(row, 0, values, t * dim, dim); // every token the same: every span scores the same
    }
    long[] docStarts = {0, 16, 32, 48, 64};
    long[] cands = randomCandidates(r, numTokens, 2, 30, 0.1);
    SpanQuery q = new SpanQuery(TestData.gaussian(r, 2 * dim, 1f), TestData.gaussian(r, 2 * dim, 1f), 2, cands, 30,
        4, Direction.START_TO_END, 12);
    checkAll("all tokens equal", EncodedVectors.ofFloats(values, dim), docStarts, q);
  }

  @Test
  void kLargerThanTheCandidatesLeavesMissingSlots() {
    Random r = seeds.random();
    int dim = 17;
    EncodedVectors tokens = Encoding.FP16.random(r, 30, dim);
    long[] docStarts = {0, 10, 30};
    long[] cands = {3, -1, 29, -1, 11, 12, 0, -1, -1, -1}; // question 0: 3 valid; question 1: 2 valid
    SpanQuery q = new SpanQuery(TestData.gaussian(r, 2 * dim, 1f), TestData.gaussian(r, 2 * dim, 1f), 2, cands, 5,
        3, Direction.END_TO_START, KernelLimits.MAX_K);
    SpanResult got = checkAll("k=MAX_K", tokens, docStarts, q);
    for (int qi = 0; qi < 2; qi++) {
      int valid = qi == 0 ? 3 : 2;
      for (int rank = valid; rank < KernelLimits.MAX_K; rank++) {
        int o = qi * KernelLimits.MAX_K + rank;
        assertEquals(-1L, got.topStart()[o]);
        assertEquals(-1L, got.topEnd()[o]);
        assertEquals(Float.NEGATIVE_INFINITY, got.topScore()[o]);
      }
    }
  }

  @Test
  void onlyPaddingGivesOnlyMissingSlots() {
    Random r = seeds.random();
    EncodedVectors tokens = Encoding.INT8_PER_DIM.random(r, 10, 3);
    long[] cands = {-1, -1, -1, -1};
    SpanQuery q = new SpanQuery(TestData.gaussian(r, 6, 1f), TestData.gaussian(r, 6, 1f), 2, cands, 2, 5,
        Direction.START_TO_END, 3);
    SpanResult got = checkAll("all padding", tokens, new long[] {0, 10}, q);
    for (long t : got.topStart()) {
      assertEquals(-1L, t);
    }
  }

  @Test
  void largerBatchesSplitOverThreadsGiveTheSameResult() {
    // Big enough that the SIMD backend splits the candidates over threads.
    Random r = seeds.random();
    int dim = 384;
    int numTokens = 3000;
    EncodedVectors tokens = Encoding.INT8_PER_DIM.random(r, numTokens, dim);
    long[] docStarts = randomDocStarts(r, numTokens);
    int nq = 4;
    int kc = 300;
    SpanQuery q = new SpanQuery(TestData.gaussian(r, nq * dim, 1f), TestData.gaussian(r, nq * dim, 1f), nq,
        randomCandidates(r, numTokens, nq, kc, 0.05), kc, 20, Direction.START_TO_END, 100);
    checkAll("large", tokens, docStarts, q);
  }

  // ------------------------------------------------------------------------------------------------ bad input

  private SpanQuery simpleQuery(int dim, long[] cands) {
    return new SpanQuery(new float[dim], new float[dim], 1, cands, cands.length, 4, Direction.START_TO_END, 2);
  }

  private IllegalArgumentException scoreFails(EncodedVectors tokens, long[] docStarts, SpanQuery q) {
    try (TokenTable t = backend.spanScorer().load(tokens, docStarts)) {
      return assertThrows(IllegalArgumentException.class, () -> backend.spanScorer().score(t, q));
    }
  }

  private static void assertMessage(IllegalArgumentException e, String... words) {
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), "message '" + e.getMessage() + "' should name '" + w + "'");
    }
  }

  @Test
  void rejectsCandidatesOutOfRange() {
    EncodedVectors tokens = Encoding.FP32.random(seeds.random(), 10, 4);
    long[] ds = {0, 10};
    assertMessage(scoreFails(tokens, ds, simpleQuery(4, new long[] {1, 10})), "candidate 10", "out of range");
    assertMessage(scoreFails(tokens, ds, simpleQuery(4, new long[] {-2, 3})), "candidate -2", "out of range");
  }

  @Test
  void rejectsDuplicateCandidates() {
    EncodedVectors tokens = Encoding.FP32.random(seeds.random(), 10, 4);
    assertMessage(scoreFails(tokens, new long[] {0, 10}, simpleQuery(4, new long[] {3, -1, 3})),
        "candidate 3", "twice");
  }

  @Test
  void rejectsNonFiniteQuestions() {
    EncodedVectors tokens = Encoding.FP32.random(seeds.random(), 10, 4);
    long[] ds = {0, 10};
    float[] bad = {0, Float.NaN, 0, 0};
    assertMessage(scoreFails(tokens, ds,
        new SpanQuery(bad, new float[4], 1, new long[] {1}, 1, 4, Direction.START_TO_END, 1)), "qStart[1]", "finite");
    float[] inf = {0, 0, 0, Float.POSITIVE_INFINITY};
    assertMessage(scoreFails(tokens, ds,
        new SpanQuery(new float[4], inf, 1, new long[] {1}, 1, 4, Direction.START_TO_END, 1)), "qEnd[3]", "finite");
  }

  @Test
  void rejectsDimMismatchAndNullTable() {
    EncodedVectors tokens = Encoding.FP32.random(seeds.random(), 10, 4);
    assertMessage(scoreFails(tokens, new long[] {0, 10}, simpleQuery(5, new long[] {1})), "dim 5", "dim 4");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> backend.spanScorer().score(null, simpleQuery(4, new long[] {1}))), "table is null");
  }

  @Test
  void rejectsBadDocumentBoundaries() {
    EncodedVectors tokens = Encoding.FP32.random(seeds.random(), 10, 4);
    var scorer = backend.spanScorer();
    assertMessage(assertThrows(IllegalArgumentException.class, () -> scorer.load(tokens, new long[] {1, 10})),
        "docStarts[0]");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> scorer.load(tokens, new long[] {0, 9})),
        "token count 10");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> scorer.load(tokens, new long[] {0, 5, 5, 10})),
        "ascending");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> scorer.load(tokens, new long[] {0, 6, 4, 10})),
        "ascending");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> scorer.load(tokens, new long[] {0})),
        "at least 2");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> scorer.load(null, new long[] {0, 10})),
        "tokens is null");
  }

  @Test
  void rejectsBadQueryShapes() {
    float[] v4 = new float[4];
    long[] one = {1};
    Direction d = Direction.START_TO_END;
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(v4, v4, 1, one, 1, 4, d, 0)),
        "k must be in", "got 0");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new SpanQuery(v4, v4, 1, one, 1, 4, d, KernelLimits.MAX_K + 1)), "k must be in", "2049");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(v4, v4, 1, one, 1, 0, d, 1)),
        "maxAnswerLength");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new SpanQuery(v4, v4, 1, one, 1, KernelLimits.MAX_ANSWER_LENGTH + 1, d, 1)), "maxAnswerLength");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(v4, v4, 1, one, 0, 4, d, 1)),
        "candidatesPerQuestion");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new SpanQuery(v4, v4, 1, new long[KernelLimits.MAX_CANDIDATES + 1], KernelLimits.MAX_CANDIDATES + 1,
            4, d, 1)), "candidatesPerQuestion");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(v4, v4, 0, one, 1, 4, d, 1)),
        "numQuestions");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(v4, v4, 1, one, 1, 4, null, 1)),
        "direction");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new SpanQuery(v4, new float[5], 1, one, 1, 4, d, 1)), "differ in length");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new SpanQuery(new float[5], new float[5], 2, new long[2], 1, 4, d, 1)), "multiple of numQuestions");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(v4, v4, 1, new long[2], 1, 4, d, 1)),
        "candidates", "expected 1");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new SpanQuery(null, v4, 1, one, 1, 4, d, 1)),
        "null");
  }
}
