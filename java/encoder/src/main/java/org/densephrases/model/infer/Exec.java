package org.densephrases.model.infer;

import java.util.function.IntConsumer;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.Parallel;

/**
 * Where the engine's loops run: the kernels' one thread pool ({@link Parallel}, sized by
 * {@code -Ddensephrases.threads}, default all processors), on at most {@code threads} threads with the caller, or the
 * calling thread alone when {@code threads} is 1. Tasks are coarse (a block of rows x a panel of outputs, a sequence
 * x a head) and claimed from a shared counter, so uneven ones balance.
 *
 * <p>It also carries the engine's one SIMD switch: {@link #simd()} is {@link Backends#javaSimd()} (false under
 * {@code -Ddensephrases.backend=scalar}), and every loop of {@link Dense} and {@link JavaBert} takes its Vector API
 * or its scalar form from it.
 */
final class Exec implements AutoCloseable {
  private final int threads;
  private final boolean simd;

  /** At most {@code threads} threads (capped at {@link Parallel#threads()}: the pool does not grow). */
  public Exec(int threads) {
    this(threads, Backends.javaSimd());
  }

  /** With the SIMD switch given (the tests run both forms in one JVM). */
  Exec(int threads, boolean simd) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = Math.min(threads, Parallel.threads());
    this.simd = simd;
  }

  /** Whether the engine's loops use the Vector API (else their scalar form). */
  public boolean simd() {
    return simd;
  }

  /** The threads a call may use, the caller included. */
  public int threads() {
    return threads;
  }

  /** Runs body(0..n-1), in parallel when allowed; returns when all are done (rethrows the first failure). */
  public void parallelFor(int n, IntConsumer body) {
    Parallel.forEach(n, threads, body);
  }

  /** Nothing to free: the pool is shared and its idle daemon threads park. */
  @Override
  public void close() {}
}
