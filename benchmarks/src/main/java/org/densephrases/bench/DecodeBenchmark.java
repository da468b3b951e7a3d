package org.densephrases.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.densephrases.kernels.SimdDots;
import org.densephrases.kernels.VectorType;
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
 * Decoding one 8192-element tile (the SIMD scanner's unit of work) to float, two ways: "scalar" is the plain
 * per-element loop (Float.float16ToFloat, or a byte-to-float cast), which C2 intrinsifies and auto-vectorizes;
 * "simd" is the explicit Vector API version (lane-wise integer tricks for FP16, B2F conversion for INT8). The
 * faster one is what the SIMD kernels use. Single-threaded both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DecodeBenchmark {
  /** JMH instantiates the state once per trial; the parameters are set before {@code setup()}. */
  public DecodeBenchmark() {}

  /** Which decoder: {@code scalar} (the auto-vectorized loop) or {@code simd} (the Vector API). */
  @Param({"scalar", "simd"})
  public String backend;

  /** The code type decoded: INT8 or FP16. */
  @Param({"INT8", "FP16"})
  public VectorType type;

  /** Elements per tile (the SIMD scanner's unit of work). */
  public int count = 8192;

  private Arena arena;
  private MemorySegment seg;
  private float[] out;

  /** Allocates one tile of random codes and the output array. */
  @Setup(Level.Trial)
  public void setup() {
    arena = Arena.ofShared();
    seg = BenchData.vectors(arena, type, count, 1, 42).data();
    out = new float[count];
  }

  /** Frees the tile. */
  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /**
   * Decodes the tile once.
   *
   * @return the decoded floats (returned so that the JIT keeps the work)
   */
  @Benchmark
  public float[] decodeTile() {
    boolean simd = backend.equals("simd");
    if (type == VectorType.FP16) {
      if (simd) {
        SimdDots.decodeFp16(seg, 0, count, out);
      } else {
        SimdDots.decodeFp16Scalar(seg, 0, count, out);
      }
    } else if (simd) {
      SimdDots.decodeInt8(seg, 0, count, out);
    } else {
      SimdDots.decodeInt8Scalar(seg, 0, count, out);
    }
    return out;
  }
}
