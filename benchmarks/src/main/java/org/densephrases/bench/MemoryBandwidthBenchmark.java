package org.densephrases.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
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
 * The machine's sequential read bandwidth over 256 MB of native memory (sum of longs), with 1 and all threads: the
 * floor under any scan that reads its codes once (a 1M x 128 FP16 table is 256 MB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MemoryBandwidthBenchmark {
  /** JMH instantiates the state once per trial; the parameters are set before {@code setup()}. */
  public MemoryBandwidthBenchmark() {}

  /** Bytes read per call: 256 MiB. */
  public static final long BYTES = 256L << 20;

  /** Reader threads: {@code 1} or {@code all} (every processor). */
  @Param({"1", "all"})
  public String threads;

  private Arena arena;
  private MemorySegment seg;
  private int n;

  /** Allocates and fills the native buffer. */
  @Setup(Level.Trial)
  public void setup() {
    arena = Arena.ofShared();
    seg = arena.allocate(BYTES, 64);
    for (long i = 0; i < BYTES; i += 8) {
      seg.set(ValueLayout.JAVA_LONG, i, i);
    }
    n = threads.equals("all") ? Runtime.getRuntime().availableProcessors() : 1;
  }

  /** Frees the buffer. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /**
   * Reads the whole buffer once as longs.
   *
   * @return the sum of the longs (returned so that the JIT keeps the reads)
   */
  @Benchmark
  public long read256MB() {
    long part = BYTES / n;
    return IntStream.range(0, n).parallel().mapToLong(t -> {
      long s = 0;
      for (long i = t * part, end = i + part; i < end; i += 8) {
        s += seg.get(ValueLayout.JAVA_LONG, i);
      }
      return s;
    }).sum();
  }
}
