package org.densephrases.app.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;

/**
 * Gathers concurrent requests into batched searches. A request (one question from /api/search, or all questions of a
 * /api/batch) is a job; a search worker takes the oldest job, then adds every queued job that can share its search
 * call until the batch holds {@code batchMaxQuestions} questions or {@code batchWaitMillis} have passed since the
 * oldest job arrived, and runs one {@link Answerer#answer} call for all of them.
 *
 * <p>Jobs share a call when they ask for the same max answer length (it changes span scoring); the call uses the
 * largest k and every unit asked for, and each job keeps its own unit's lists cut to its own k. Aggregation takes the
 * best k groups of the same scored spans, so a job's answers are those it would get alone (up to float rounding in
 * the encoder: questions of a batch are padded to the longest one). A job is never split over calls, so a
 * /api/batch request is always one search call.
 *
 * <p>Waiting costs at most batchWaitMillis of latency when the server is idle; under load the queue fills while the
 * workers search, so batches form without waiting. {@code batchWaitMillis = 0} takes only what is already queued.
 */
public final class MicroBatcher implements AutoCloseable {
  /** The answers of one job, and how many questions its search call ran (1 = searched alone). */
  public record Result(List<List<Answer>> answers, int batchQuestions, long searchNanos) {}

  /** The queue is full: the server sheds load (503) rather than queueing without bound. */
  public static final class OverloadedException extends RuntimeException {
    OverloadedException(String message) {
      super(message);
    }
  }

  /** The batcher is shutting down and takes no new work. */
  public static final class ClosedException extends RuntimeException {
    ClosedException() {
      super("the server is shutting down");
    }
  }

  private static final class Job {
    final List<String> questions;
    final Query query;
    final long enqueuedNanos;
    final CompletableFuture<Result> future = new CompletableFuture<>();

    Job(List<String> questions, Query query) {
      this.questions = questions;
      this.query = query;
      this.enqueuedNanos = System.nanoTime();
    }
  }

  private final Answerer answerer;
  private final SearchOptions base;
  private final long waitNanos;
  private final int maxQuestions;
  private final int maxQueued;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private final List<Thread> workers = new ArrayList<>();
  private int queuedQuestions;
  private boolean closed;

  /**
   * @param base nprobe, candidates and rescoring of every search (k, unit and L come from the jobs)
   */
  public MicroBatcher(Answerer answerer, SearchOptions base, int waitMillis, int maxQuestions, int threads,
      int maxQueued, Metrics metrics) {
    this.answerer = answerer;
    this.base = base;
    this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
    this.maxQuestions = maxQuestions;
    this.maxQueued = maxQueued;
    this.metrics = metrics;
    for (int i = 0; i < threads; i++) {
      Thread t = Thread.ofPlatform().name("densephrases-search-" + i).daemon(true).unstarted(this::work);
      workers.add(t);
      t.start();
    }
  }

  /**
   * Queues questions for one search call (never split).
   *
   * @throws OverloadedException when more than maxQueued questions would wait
   * @throws ClosedException after {@link #close()}
   */
  public CompletableFuture<Result> submit(List<String> questions, Query query) {
    if (questions.isEmpty() || questions.size() > maxQuestions) {
      throw new IllegalArgumentException("a job holds 1.." + maxQuestions + " questions, got " + questions.size());
    }
    Job job = new Job(List.copyOf(questions), query);
    lock.lock();
    try {
      if (closed) {
        throw new ClosedException();
      }
      if (queuedQuestions + questions.size() > maxQueued) {
        throw new OverloadedException("the server is overloaded: " + queuedQuestions
            + " questions are waiting (at most " + maxQueued + "); retry later");
      }
      queue.addLast(job);
      queuedQuestions += questions.size();
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    return job.future;
  }

  /** Questions waiting for a worker now. */
  public int queuedQuestions() {
    lock.lock();
    try {
      return queuedQuestions;
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    while (true) {
      List<Job> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        return;
      }
      if (batch == null) {
        return;
      }
      run(batch);
    }
  }

  /** The next batch, or null when closed and drained. */
  private List<Job> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (closed) {
          return null;
        }
        arrived.await();
      }
      Job first = queue.pollFirst();
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      int n = first.questions.size();
      long deadline = first.enqueuedNanos + waitNanos;
      while (true) {
        for (Iterator<Job> it = queue.iterator(); it.hasNext() && n < maxQuestions; ) {
          Job j = it.next();
          if (j.query.maxAnswerLength() == first.query.maxAnswerLength() && n + j.questions.size() <= maxQuestions) {
            it.remove();
            batch.add(j);
            n += j.questions.size();
          }
        }
        long left = deadline - System.nanoTime();
        if (n >= maxQuestions || left <= 0 || closed) {
          break;
        }
        arrived.awaitNanos(left); // woken by each new job; the loop rechecks the deadline
      }
      queuedQuestions -= n;
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void run(List<Job> batch) {
    List<String> qs = new ArrayList<>();
    Set<Unit> units = new LinkedHashSet<>();
    int k = 1;
    for (Job j : batch) {
      qs.addAll(j.questions);
      units.add(j.query.unit());
      k = Math.max(k, j.query.k());
    }
    SearchOptions o = base.withK(k).withMaxAnswerLength(batch.get(0).query.maxAnswerLength());
    long t0 = System.nanoTime();
    Map<Unit, List<List<Answer>>> all;
    try {
      all = answerer.answer(qs, o, List.copyOf(units));
    } catch (RuntimeException | Error e) {
      // A failed search fails its requests (500), never the worker: the next batch may well succeed. Errors too,
      // since a worker that died would leave every later request waiting forever.
      metrics.searchFailed();
      for (Job j : batch) {
        j.future.completeExceptionally(e);
      }
      return;
    }
    long dt = System.nanoTime() - t0;
    metrics.batchRan(qs.size(), dt);
    int at = 0;
    for (Job j : batch) {
      List<List<Answer>> mine = new ArrayList<>(j.questions.size());
      List<List<Answer>> perQuestion = all.get(j.query.unit());
      for (int i = 0; i < j.questions.size(); i++) {
        List<Answer> a = perQuestion.get(at + i);
        mine.add(a.size() > j.query.k() ? List.copyOf(a.subList(0, j.query.k())) : a);
      }
      at += j.questions.size();
      j.future.complete(new Result(mine, qs.size(), dt));
    }
  }

  /** Takes no new jobs, lets the workers finish the queued ones, and waits for them. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread t : workers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
