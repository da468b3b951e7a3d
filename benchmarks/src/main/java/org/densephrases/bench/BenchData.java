package org.densephrases.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.VectorType;

/** Inputs shared by the benchmarks: random codes in native memory (as a mapped dump would be), backend choice. */
final class BenchData {
  private BenchData() {}

  /**
   * "scalar", "simd", or "simd-1t": the SIMD backend restricted to one thread, to separate what the vector units
   * give from what the second core gives. Must run before anything touches {@link Parallel} in this JVM (JMH
   * forks a JVM per parameter set, so that holds).
   */
  static KernelBackend backend(String name) {
    if (name.equals("simd-1t")) {
      System.setProperty(Parallel.THREADS_PROPERTY, "1");
      KernelBackend b = Backends.byName("simd");
      if (Parallel.threads() != 1) {
        throw new IllegalStateException("Parallel was initialised before the thread count could be set");
      }
      return b;
    }
    return Backends.byName(name);
  }

  /** (count)(dim) random vectors of a type in native memory of the arena: Gaussian-like values in [-1, 1]. */
  static EncodedVectors vectors(Arena arena, VectorType type, long count, int dim, long seed) {
    long n = count * dim;
    MemorySegment seg = arena.allocate(n * type.bytes, 64);
    SplittableRandom r = new SplittableRandom(seed);
    switch (type) {
      case FP32 -> {
        for (long i = 0; i < n; i++) {
          seg.setAtIndex(EncodedVectors.FLOAT_LE, i, value(r));
        }
      }
      case FP16 -> {
        for (long i = 0; i < n; i++) {
          seg.setAtIndex(EncodedVectors.SHORT_LE, i, Float.floatToFloat16(value(r)));
        }
      }
      case INT8 -> {
        for (long i = 0; i < n; i++) {
          seg.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        }
      }
    }
    if (type != VectorType.INT8) {
      return type == VectorType.FP32 ? EncodedVectors.fp32(seg, count, dim) : EncodedVectors.fp16(seg, count, dim);
    }
    float[] offset = new float[dim];
    float[] scale = new float[dim];
    for (int d = 0; d < dim; d++) {
      offset[d] = (float) (r.nextDouble() - 0.5) * 0.1f;
      scale[d] = 0.005f + 0.01f * (float) r.nextDouble();
    }
    return EncodedVectors.int8(seg, count, dim, offset, scale);
  }

  /** Sum of three uniforms: cheap, bell-shaped, in [-1, 1]. */
  private static float value(SplittableRandom r) {
    return (float) ((r.nextDouble() + r.nextDouble() + r.nextDouble()) / 1.5 - 1.0);
  }

  static float[] gaussian(SplittableRandom r, int n, double sigma) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (nextGaussian(r) * sigma);
    }
    return a;
  }

  private static double nextGaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
