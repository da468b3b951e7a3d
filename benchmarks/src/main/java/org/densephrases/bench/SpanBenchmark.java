package org.densephrases.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.VectorType;
import org.densephrases.kernels.span.Direction;
import org.densephrases.kernels.span.SpanQuery;
import org.densephrases.kernels.span.SpanResult;
import org.densephrases.kernels.span.TokenTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Span scoring as the search path runs it: 8 questions, 1000 start candidates each (spread over a 200k-token
 * dump of 768-d INT8 or FP16 vectors, documents of 50-250 tokens), L = 20, top 10 spans per question.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SpanBenchmark {
  /** JMH instantiates the state once per trial; the parameters are set before {@code setup()}. */
  public SpanBenchmark() {}

  /** Which kernels: {@code scalar}, {@code simd} (all cores) or {@code simd-1t} (one thread). */
  @Param({"scalar", "simd", "simd-1t"})
  public String backend;

  /** The token vector type: INT8 or FP16. */
  @Param({"INT8", "FP16"})
  public VectorType type;

  /** Tokens in the synthetic dump. */
  public int numTokens = 200_000;
  /** Vector dimension. */
  public int dim = 768;
  /** Questions per call. */
  public int questions = 8;
  /** Start candidates per question. */
  public int candidates = 1000;
  /** The longest span, in tokens (L). */
  public int maxLen = 20;
  /** Spans kept per question. */
  public int k = 10;

  private Arena arena;
  private KernelBackend kernels;
  private TokenTable table;
  private SpanQuery query;

  /** Builds the token table, documents and candidates (seeded). */
  @Setup(Level.Trial)
  public void setup() {
    kernels = BenchData.backend(backend);
    arena = Arena.ofShared();
    EncodedVectors tokens = BenchData.vectors(arena, type, numTokens, dim, 42);
    SplittableRandom r = new SplittableRandom(7);
    LongStream.Builder starts = LongStream.builder().add(0);
    for (long pos = 0; pos < numTokens; ) {
      pos = Math.min(numTokens, pos + 50 + r.nextInt(201));
      starts.add(pos);
    }
    table = kernels.spanScorer().load(tokens, starts.build().toArray());
    long[] cands = new long[questions * candidates];
    for (int qi = 0; qi < questions; qi++) {
      long[] ids = r.longs(0, numTokens).distinct().limit(candidates).toArray();
      System.arraycopy(ids, 0, cands, qi * candidates, candidates);
    }
    query = new SpanQuery(BenchData.gaussian(r, questions * dim, 1.0), BenchData.gaussian(r, questions * dim, 1.0),
        questions, cands, candidates, maxLen, Direction.START_TO_END, k);
  }

  /** Frees the native table. */
  @TearDown(Level.Trial)
  public void tearDown() {
    table.close();
    arena.close();
  }

  /**
   * Scores every candidate's spans once.
   *
   * @return the top spans of every question
   */
  @Benchmark
  public SpanResult spanScore() {
    return kernels.spanScorer().score(table, query);
  }
}
