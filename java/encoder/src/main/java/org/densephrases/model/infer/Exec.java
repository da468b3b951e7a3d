package org.densephrases.model.infer;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Where the engine's loops run: a ForkJoinPool of {@code threads} workers (daemon threads), or the calling thread
 * alone when {@code threads} is 1. Tasks are coarse (a block of rows x a panel of outputs, a sequence x a head), so
 * each index is one fork-join leaf and work stealing balances uneven ones.
 */
public final class Exec implements AutoCloseable {
  private final int threads;
  private final ForkJoinPool pool;

  public Exec(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
  }

  public int threads() {
    return threads;
  }

  /** Runs body(0..n-1), in parallel when there is a pool; returns when all are done (rethrows the first failure). */
  public void parallelFor(int n, IntConsumer body) {
    if (pool == null || n <= 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    pool.invoke(new Range(0, n, body));
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }

  private static final class Range extends RecursiveAction {
    private final int lo;
    private final int hi;
    private final transient IntConsumer body;

    Range(int lo, int hi, IntConsumer body) {
      this.lo = lo;
      this.hi = hi;
      this.body = body;
    }

    @Override
    protected void compute() {
      if (hi - lo == 1) {
        body.accept(lo);
        return;
      }
      int mid = (lo + hi) >>> 1;
      invokeAll(new Range(lo, mid, body), new Range(mid, hi, body));
    }
  }
}
