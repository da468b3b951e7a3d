package org.densephrases.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;

/**
 * Splits a kernel call over a few threads of a private fork-join pool. Used by the SIMD backend only (the scalar
 * reference stays single-threaded, so that it is easy to read and to trust).
 *
 * <p>A private pool rather than the common one: on a 2-core machine the common pool has one worker, and a caller
 * already running in a parallel stream would compete with it. The pool's threads are daemons and idle ones park.
 * The thread count comes from {@code -Ddensephrases.threads} (default: the available processors), read once.
 */
public final class Parallel {
  public static final String THREADS_PROPERTY = "densephrases.threads";

  /**
   * Calls with less work than this many multiply-adds run on the calling thread: handing tasks to the pool and
   * joining them costs tens of microseconds, which only pays off above about a millisecond of work.
   */
  public static final long MIN_WORK_PER_THREAD = 1L << 20;

  private static final int THREADS =
      Math.max(1, Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors()));
  private static volatile ForkJoinPool pool;

  private Parallel() {}

  /** The number of threads a call may use. */
  public static int threads() {
    return THREADS;
  }

  /** How many tasks to split {@code work} multiply-adds into: 1 when small, at most {@code maxTasks}. */
  public static int tasksFor(long work, int maxTasks) {
    long byWork = Math.max(1, work / MIN_WORK_PER_THREAD);
    return (int) Math.max(1, Math.min(Math.min(THREADS, maxTasks), byWork));
  }

  /**
   * Runs {@code body.accept(t)} for t in [0, tasks) and returns when all are done; one task runs on the caller.
   * A runtime exception of any task is rethrown (the first one; the others are suppressed into it).
   */
  public static void forEach(int tasks, IntConsumer body) {
    if (tasks <= 1) {
      for (int t = 0; t < tasks; t++) {
        body.accept(t);
      }
      return;
    }
    List<ForkJoinTask<?>> forked = new ArrayList<>(tasks - 1);
    ForkJoinPool p = pool();
    for (int t = 1; t < tasks; t++) {
      int task = t;
      forked.add(p.submit(() -> body.accept(task)));
    }
    RuntimeException failure = null;
    try {
      body.accept(0);
    } catch (RuntimeException e) {
      failure = e;
    }
    // Join every task even after a failure, so none is still writing into the caller's arrays when we return.
    for (ForkJoinTask<?> f : forked) {
      try {
        f.join(); // rethrows the task's own unchecked exception
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p == null) {
      synchronized (Parallel.class) {
        p = pool;
        if (p == null) {
          ForkJoinPool.ForkJoinWorkerThreadFactory factory = fjp -> {
            ForkJoinWorkerThread th = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fjp);
            th.setName("densephrases-kernel-" + th.getPoolIndex());
            th.setDaemon(true);
            return th;
          };
          p = new ForkJoinPool(THREADS, factory, null, false);
          pool = p;
        }
      }
    }
    return p;
  }
}
