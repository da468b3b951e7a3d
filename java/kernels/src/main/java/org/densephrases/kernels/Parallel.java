package org.densephrases.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Splits a kernel call into chunks run by the calling thread and a few helper threads of a private pool. Used by
 * the SIMD backend only (the scalar reference stays single-threaded, so that it is easy to read and to trust).
 *
 * <p>Chunks are claimed from a shared counter, not assigned up front: the caller starts on them at once and a
 * helper joins when the OS schedules it. On a busy machine (other jobs on the same two cores) a late helper then
 * costs nothing: the caller has taken the chunks meanwhile, and the helper finds none left. It also evens out
 * chunks of unequal cost (IVF lists differ in length).
 *
 * <p>A private pool rather than the common one: on a 2-core machine the common pool has one worker, and a caller
 * already running in a parallel stream would compete with it. Its threads are daemons and idle ones park. The
 * thread count (caller included) comes from {@code -Ddensephrases.threads} (default: available processors), read
 * once.
 */
public final class Parallel {
  /** The system property that sets the thread count. */
  public static final String THREADS_PROPERTY = "densephrases.threads";

  /**
   * Chunks of less work than this many multiply-adds are not split further: waking a helper and joining costs
   * tens of microseconds, which only pays off above about a millisecond of work.
   */
  public static final long MIN_WORK_PER_CHUNK = 1L << 20;

  /** Chunks per thread when the work allows: enough to balance uneven chunks, few enough to merge cheaply. */
  private static final int CHUNKS_PER_THREAD = 4;

  private static final int THREADS =
      Math.max(1, Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors()));
  private static volatile ForkJoinPool pool;

  private Parallel() {}

  /**
   * The number of threads a call may use, the caller included.
   *
   * @return the thread count, at least 1
   */
  public static int threads() {
    return THREADS;
  }

  /**
   * How many chunks to split {@code work} multiply-adds into: 1 when single-threaded or small, else up to
   * {@code CHUNKS_PER_THREAD} per thread, at most {@code maxChunks}, each with at least MIN_WORK_PER_CHUNK.
   *
   * @param work multiply-adds in all
   * @param maxChunks the most chunks wanted
   * @return the chunk count, at least 1
   */
  public static int tasksFor(long work, int maxChunks) {
    if (THREADS == 1) {
      return 1;
    }
    long byWork = work / MIN_WORK_PER_CHUNK;
    return (int) Math.max(1, Math.min(Math.min((long) THREADS * CHUNKS_PER_THREAD, maxChunks), byWork));
  }

  /**
   * Runs {@code body.accept(c)} once for every c in [0, chunks) and returns when all have finished, in any order
   * and on any of the threads. The first exception thrown by a chunk is rethrown (later ones are suppressed into
   * it) after every chunk has finished, so no chunk still writes into the caller's arrays when this returns.
   *
   * @param chunks the number of chunks
   * @param body runs one chunk
   */
  public static void forEach(int chunks, IntConsumer body) {
    forEach(chunks, THREADS, body);
  }

  /**
   * {@link #forEach(int, IntConsumer)} on at most {@code maxThreads} threads, the caller included (and never more
   * than {@link #threads()}: the pool does not grow).
   *
   * @param chunks the number of chunks
   * @param maxThreads the most threads to use
   * @param body runs one chunk
   */
  public static void forEach(int chunks, int maxThreads, IntConsumer body) {
    if (chunks <= 1 || THREADS == 1 || maxThreads <= 1) {
      for (int c = 0; c < chunks; c++) {
        body.accept(c);
      }
      return;
    }
    Job job = new Job(chunks, body);
    int helpers = Math.min(Math.min(THREADS, maxThreads) - 1, chunks - 1);
    ForkJoinPool p = pool();
    for (int h = 0; h < helpers; h++) {
      p.execute(job::run);
    }
    job.run();
    job.awaitAndRethrow();
  }

  /** One forEach call: a chunk counter, a count of chunks not yet finished, and the first failure. */
  private static final class Job {
    private final int chunks;
    private final IntConsumer body;
    private final AtomicInteger next = new AtomicInteger();
    private final CountDownLatch unfinished;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Job(int chunks, IntConsumer body) {
      this.chunks = chunks;
      this.body = body;
      this.unfinished = new CountDownLatch(chunks);
    }

    void run() {
      for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
        try {
          body.accept(c);
        } catch (RuntimeException | Error e) { // kept for the caller; the other chunks still run
          if (!failure.compareAndSet(null, e)) {
            failure.get().addSuppressed(e);
          }
        } finally {
          unfinished.countDown();
        }
      }
    }

    void awaitAndRethrow() {
      boolean interrupted = false;
      while (true) {
        try {
          unfinished.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // chunks may still be writing: wait for them regardless, then restore the flag
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      Throwable t = failure.get();
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error err) {
        throw err;
      }
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
          // The caller works too, so the pool needs one thread fewer than the count.
          p = new ForkJoinPool(Math.max(1, THREADS - 1), factory, null, false);
          pool = p;
        }
      }
    }
    return p;
  }
}
