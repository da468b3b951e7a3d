package org.densephrases.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.VectorType;
import org.densephrases.kernels.scan.ScanTable;
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

/** Flat scan with fused top-100: INT8 and FP16 codes, 1M x 128 and 200k x 768, 1 and 8 queries per call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ScanBenchmark {
  /** JMH instantiates the state once per trial; the parameters are set before {@code setup()}. */
  public ScanBenchmark() {}

  /** Which kernels: {@code scalar}, {@code simd} (all cores) or {@code simd-1t} (one thread). */
  @Param({"scalar", "simd", "simd-1t"})
  public String backend;

  /** The code type scanned: INT8 or FP16. */
  @Param({"INT8", "FP16"})
  public VectorType type;

  /** Table shape, {@code rows x dim}. */
  @Param({"1000000x128", "200000x768"})
  public String shape;

  /** Queries per scan call. */
  @Param({"1", "8"})
  public int queries;

  /** Results kept per query. */
  public int k = 100;

  private Arena arena;
  private KernelBackend kernels;
  private ScanTable table;
  private float[] q;

  /** Builds a random table of the chosen shape and type and random queries (seeded). */
  @Setup(Level.Trial)
  public void setup() {
    kernels = BenchData.backend(backend);
    String[] s = shape.split("x");
    long count = Long.parseLong(s[0]);
    int dim = Integer.parseInt(s[1]);
    arena = Arena.ofShared();
    EncodedVectors v = BenchData.vectors(arena, type, count, dim, 42);
    table = kernels.vectorScanner().load(v);
    q = BenchData.gaussian(new SplittableRandom(7), queries * dim, 1.0);
  }

  /** Frees the native table. */
  @TearDown(Level.Trial)
  public void tearDown() {
    table.close();
    arena.close();
  }

  /**
   * One flat scan with fused top-k.
   *
   * @return the top-k of every query
   */
  @Benchmark
  public TopK flatScan() {
    return kernels.vectorScanner().search(table, q, queries, k);
  }
}
