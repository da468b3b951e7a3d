package org.densephrases.app.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.search.SearchSession;

/**
 * Gathers concurrent requests into batched searches, fairly and within each request's deadline. A request (one
 * question from /api/search, or all questions of a /api/batch) is a job; a search worker takes a job, then adds queued
 * jobs that can share its search call until the batch holds {@code batchMaxQuestions} questions or
 * {@code batchWaitMillis} have passed since the first job arrived, and runs one {@link Answerer#answer} call for all.
 *
 * <p><b>Sharing a call.</b> Jobs share a call when they ask for the same max answer length (it changes span scoring);
 * the call uses the largest k and every unit asked for, and each job keeps its own unit's lists cut to its own k.
 * Aggregation takes the best k groups of the same scored spans, so a job's answers are those it would get alone (up
 * to float rounding in the encoder: questions of a batch are padded to the longest one). A job is never split over
 * batches; a batch of multi-question jobs is searched {@value #HEAVY_CHUNK} questions per call, so one call holds the
 * encoder and the cores for a bounded time and a job that ends midway (deadline, client gone) stops there.
 *
 * <p><b>Fairness.</b> Jobs wait in two lanes, single questions ("light") and multi-question batches ("heavy"), and
 * within a lane in one FIFO per client (its address), served round-robin: a client with many queued jobs gets one
 * turn per round like any other. A batch holds jobs of one lane only, and with more than one worker at most
 * {@code threads - 1} workers run heavy jobs at a time, so a single question waits at most for the light call in
 * progress, never behind a flood of big batches. Workers alternate lanes when both have work.
 *
 * <p><b>Admission is sized in time.</b> Each lane keeps a moving average of the seconds a search call spends per
 * question; a job is refused ({@link OverloadedException}, 503) when the work queued ahead of it in its lane would
 * take longer than {@code maxQueueMillis}, or longer than the job's own deadline, and in any case when more than
 * {@code maxQueued} questions would wait (a memory bound).
 *
 * <p><b>Deadlines and cancellation.</b> Every job has a deadline: when it passes, the job's future fails with
 * {@link DeadlineException} (504) whether the job is queued (it leaves the queue) or running (its answers are dropped
 * when the call ends: a search call cannot be stopped midway). Cancelling the future (the client went away) removes a
 * queued job before its turn comes.
 *
 * <p><b>Shutdown.</b> {@link #shutdown()} refuses new jobs and fails every queued one with {@link ClosedException}
 * (503); {@link #awaitRunning} waits for the calls in progress; {@link #failRunning} answers what is still running
 * when the time is up.
 */
final class MicroBatcher implements AutoCloseable {
  /**
   * The answers of one job, how many questions its search call ran, how long it waited for a worker, and of the
   * search time (encoding included) the milliseconds of each stage: encode, first stage, span scoring, aggregation
   * (summed over the calls of a job searched in several).
   */
  public record Result(List<List<Answer>> answers, int batchQuestions, long searchNanos, long queueNanos,
      double[] stageMs) {}

  /** The queue holds enough work already: the server sheds load (503) rather than queueing without bound. */
  public static final class OverloadedException extends RuntimeException {
    final long retryAfterSeconds;

    OverloadedException(String message, long retryAfterSeconds) {
      super(message, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The batcher is shutting down and takes no new work (or dropped queued work). */
  public static final class ClosedException extends RuntimeException {
    ClosedException(String message) {
      super(message, null, false, false);
    }
  }

  /** A job's deadline passed before its answers were ready. */
  public static final class DeadlineException extends RuntimeException {
    DeadlineException(String message) {
      super(message, null, false, false);
    }
  }

  enum Lane { LIGHT, HEAVY }

  /** Questions per search call of a batch (jobs of more than one question): see {@link #run}. */
  static final int HEAVY_CHUNK = 16;

  private enum State { QUEUED, RUNNING, DONE }

  private final class Job {
    final List<String> questions;
    final Query query;
    final Lane lane;
    final String client;
    final long enqueuedNanos = System.nanoTime();
    final long deadlineNanos;
    final long timeoutMillis;
    final long statedMillis; // the request's own deadline, for messages (timeoutMillis is what was left of it)
    final CompletableFuture<Result> future = new CompletableFuture<>();
    State state = State.QUEUED; // guarded by lock

    Job(List<String> questions, Query query, String client, long timeoutMillis, long statedMillis) {
      this.questions = questions;
      this.query = query;
      this.lane = questions.size() == 1 ? Lane.LIGHT : Lane.HEAVY;
      this.client = client;
      this.timeoutMillis = timeoutMillis;
      this.statedMillis = statedMillis;
      this.deadlineNanos = enqueuedNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }
  }

  /** One lane: a FIFO per client, and the clients with queued jobs in round-robin order. */
  private static final class Queue {
    final Map<String, ArrayDeque<Job>> byClient = new HashMap<>();
    final ArrayDeque<String> turns = new ArrayDeque<>();
    int questions;
    double secondsPerQuestion = Double.NaN; // moving average over this lane's search calls; NaN until one ran

    boolean isEmpty() {
      return turns.isEmpty();
    }

    void add(Job j) {
      ArrayDeque<Job> q = byClient.computeIfAbsent(j.client, c -> new ArrayDeque<>());
      if (q.isEmpty()) {
        turns.addLast(j.client);
      }
      q.addLast(j);
      questions += j.questions.size();
    }

    /** The next client's oldest job (round-robin), or null. */
    Job pollTurn() {
      String c = turns.pollFirst();
      if (c == null) {
        return null;
      }
      ArrayDeque<Job> q = byClient.get(c);
      Job j = q.pollFirst();
      if (q.isEmpty()) {
        byClient.remove(c);
      } else {
        turns.addLast(c);
      }
      questions -= j.questions.size();
      return j;
    }

    /** Up to {@code room} questions of jobs with answer length L, one job per client per round. */
    void takeMatching(int maxAnswerLength, int room, List<Job> into) {
      boolean took = true;
      int left = room;
      while (took && left > 0 && !turns.isEmpty()) {
        took = false;
        for (Iterator<String> it = new ArrayList<>(turns).iterator(); it.hasNext() && left > 0; ) {
          String c = it.next();
          ArrayDeque<Job> q = byClient.get(c);
          for (Iterator<Job> jt = q.iterator(); jt.hasNext(); ) {
            Job j = jt.next();
            if (j.query.maxAnswerLength() == maxAnswerLength && j.questions.size() <= left) {
              jt.remove();
              into.add(j);
              left -= j.questions.size();
              questions -= j.questions.size();
              took = true;
              break;
            }
          }
          if (q.isEmpty()) {
            byClient.remove(c);
            turns.remove(c);
          }
        }
      }
    }

    boolean remove(Job j) {
      ArrayDeque<Job> q = byClient.get(j.client);
      if (q == null || !q.remove(j)) {
        return false;
      }
      questions -= j.questions.size();
      if (q.isEmpty()) {
        byClient.remove(j.client);
        turns.remove(j.client);
      }
      return true;
    }

    List<Job> drain() {
      List<Job> all = new ArrayList<>();
      for (ArrayDeque<Job> q : byClient.values()) {
        all.addAll(q);
      }
      byClient.clear();
      turns.clear();
      questions = 0;
      return all;
    }
  }

  private final Answerer answerer;
  private final SearchOptions base;
  private final long waitNanos;
  private final int maxQuestions;
  private final int maxQueued;
  private final long maxQueueMillis;
  private final int threads;
  private final int maxHeavyRunning;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Lane, Queue> lanes = Map.of(Lane.LIGHT, new Queue(), Lane.HEAVY, new Queue());
  private final Set<Job> running = new HashSet<>();
  private final List<Thread> workers = new ArrayList<>();
  private final ScheduledExecutorService timer;
  private int heavyRunning;
  private Lane lastLane = Lane.HEAVY;
  private boolean closed;

  /**
   * @param base nprobe, candidates and rescoring of every search (k, unit and L come from the jobs)
   * @param maxQueueMillis most estimated work (milliseconds of search) allowed to wait ahead of a new job in its lane
   */
  public MicroBatcher(Answerer answerer, SearchOptions base, int waitMillis, int maxQuestions, int threads,
      int maxQueued, long maxQueueMillis, Metrics metrics) {
    this.answerer = answerer;
    this.base = base;
    this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
    this.maxQuestions = maxQuestions;
    this.maxQueued = maxQueued;
    this.maxQueueMillis = maxQueueMillis;
    this.threads = threads;
    this.maxHeavyRunning = Math.max(1, threads - 1);
    this.metrics = metrics;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("densephrases-deadlines")
        .daemon(true).unstarted(r));
    for (int i = 0; i < threads; i++) {
      Thread t = Thread.ofPlatform().name("densephrases-search-" + i).daemon(true).unstarted(this::work);
      workers.add(t);
      t.start();
    }
  }

  /**
   * Queues questions for one search call (never split). The future fails with {@link DeadlineException} once
   * {@code timeoutMillis} have passed; cancelling it takes a queued job out of the queue.
   *
   * @param client who asks (its address): the unit of round-robin fairness
   * @throws OverloadedException when the queued work would exceed the time or question bounds
   * @throws ClosedException after {@link #shutdown()}
   */
  public CompletableFuture<Result> submit(List<String> questions, Query query, String client, long timeoutMillis) {
    return submit(questions, query, client, timeoutMillis, timeoutMillis);
  }

  /**
   * {@link #submit(List, Query, String, long)} for a request whose own deadline, {@code statedMillis}, started before
   * it was queued: the job has the {@code timeoutMillis} left of it, and its messages name the request's deadline.
   *
   * @param client who asks (its address): the unit of round-robin fairness
   * @throws OverloadedException when the queued work would exceed the time or question bounds
   * @throws ClosedException after {@link #shutdown()}
   */
  public CompletableFuture<Result> submit(List<String> questions, Query query, String client, long timeoutMillis,
      long statedMillis) {
    if (questions.isEmpty() || questions.size() > maxQuestions) {
      throw new IllegalArgumentException("a job holds 1.." + maxQuestions + " questions, got " + questions.size());
    }
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeoutMillis);
    }
    Job job = new Job(List.copyOf(questions), query, client == null ? "" : client, timeoutMillis, statedMillis);
    lock.lock();
    try {
      if (closed) {
        throw new ClosedException("the server is shutting down");
      }
      int queued = lanes.get(Lane.LIGHT).questions + lanes.get(Lane.HEAVY).questions;
      if (queued + questions.size() > maxQueued) {
        throw new OverloadedException("the server is overloaded: " + queued + " questions are waiting (at most "
            + maxQueued + "); retry later", 1);
      }
      Queue lane = lanes.get(job.lane);
      if (!Double.isNaN(lane.secondsPerQuestion)) {
        // Workers this lane has now: batches get at most maxHeavyRunning; single questions get the rest, and all of
        // them while no batch runs or waits. The per-question time is measured with that concurrency, so dividing by
        // the workers gives the lane's throughput.
        boolean heavyBusy = heavyRunning > 0 || !lanes.get(Lane.HEAVY).isEmpty();
        int lanesWorkers = job.lane == Lane.HEAVY ? maxHeavyRunning
            : Math.max(1, threads - (heavyBusy ? maxHeavyRunning : 0));
        double aheadMs = lane.questions * lane.secondsPerQuestion * 1e3 / lanesWorkers;
        double ownMs = questions.size() * lane.secondsPerQuestion * 1e3;
        if (aheadMs > maxQueueMillis) {
          throw new OverloadedException(String.format(java.util.Locale.ROOT, "the server is busy: about %.0f ms of "
              + "%s work is queued ahead of this request; the limit is %d ms; retry later", aheadMs, laneName(job),
              maxQueueMillis), Math.max(1, (long) Math.ceil(aheadMs / 1e3)));
        }
        if (aheadMs > 0 && aheadMs + ownMs > timeoutMillis) {
          throw new OverloadedException(String.format(java.util.Locale.ROOT, "the server is busy: about %.0f ms of "
              + "%s work is queued ahead of this request, which needs about %.0f ms itself: more than its deadline "
              + "of %d ms; retry later", aheadMs, laneName(job), ownMs, statedMillis),
              Math.max(1, (long) Math.ceil(aheadMs / 1e3)));
        }
      }
      lane.add(job);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    // Leaving early (deadline, cancellation, shutdown) takes the job out of the queue; a running job's answers are
    // then dropped when its call ends.
    var expiry = timer.schedule(() -> expire(job), timeoutMillis, TimeUnit.MILLISECONDS);
    job.future.whenComplete((r, e) -> {
      expiry.cancel(false);
      if (e instanceof CancellationException) {
        boolean wasQueued = dequeue(job);
        metrics.cancelled(wasQueued ? "queued" : "running");
      } else if (e != null) {
        dequeue(job);
      }
    });
    return job.future;
  }

  private static String laneName(Job job) {
    return job.lane == Lane.LIGHT ? "single-question" : "batch";
  }

  private void expire(Job job) {
    boolean queued;
    lock.lock();
    try {
      queued = job.state == State.QUEUED;
      if (job.state == State.DONE) {
        return;
      }
    } finally {
      lock.unlock();
    }
    if (!job.future.isDone()) { // counted first: whoever waits on the future may read the metrics at once
      metrics.deadlineExceeded(queued ? "queued" : "running");
      job.future.completeExceptionally(new DeadlineException("the request's deadline of " + job.statedMillis
          + " ms passed while it was " + (queued ? "waiting for a search worker" : "being searched")));
    }
  }

  /** Takes a job out of its queue if it is still there; true if it was queued. */
  private boolean dequeue(Job job) {
    lock.lock();
    try {
      if (job.state == State.QUEUED && lanes.get(job.lane).remove(job)) {
        job.state = State.DONE;
        changed.signalAll();
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** Questions waiting for a worker now. */
  public int queuedQuestions() {
    lock.lock();
    try {
      return lanes.get(Lane.LIGHT).questions + lanes.get(Lane.HEAVY).questions;
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
      try {
        run(batch);
      } finally {
        lock.lock();
        try {
          for (Job j : batch) {
            running.remove(j);
            j.state = State.DONE;
          }
          if (batch.get(0).lane == Lane.HEAVY) {
            heavyRunning--;
          }
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** The lane this worker takes its next batch from, or null if none may be taken now. */
  private Lane pickLane() {
    boolean light = !lanes.get(Lane.LIGHT).isEmpty();
    boolean heavy = !lanes.get(Lane.HEAVY).isEmpty() && heavyRunning < maxHeavyRunning;
    if (light && heavy) {
      return lastLane == Lane.LIGHT ? Lane.HEAVY : Lane.LIGHT;
    }
    return light ? Lane.LIGHT : heavy ? Lane.HEAVY : null;
  }

  /** The next batch (its jobs marked running), or null when closed. */
  private List<Job> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      Lane laneName;
      while ((laneName = pickLane()) == null) {
        if (closed) {
          return null;
        }
        changed.await();
      }
      if (closed) {
        return null;
      }
      lastLane = laneName;
      Queue lane = lanes.get(laneName);
      if (laneName == Lane.HEAVY) {
        heavyRunning++;
      }
      Job first = lane.pollTurn();
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      int n = first.questions.size();
      long deadline = first.enqueuedNanos + waitNanos;
      while (true) {
        int before = batch.size();
        lane.takeMatching(first.query.maxAnswerLength(), maxQuestions - n, batch);
        for (int i = before; i < batch.size(); i++) {
          n += batch.get(i).questions.size();
        }
        long left = deadline - System.nanoTime();
        if (n >= maxQuestions || left <= 0 || closed) {
          break;
        }
        changed.awaitNanos(left); // woken by each new job; the loop rechecks the deadline
      }
      long now = System.nanoTime();
      for (Job j : batch) {
        j.state = State.RUNNING;
        running.add(j);
        metrics.queueWait(now - j.enqueuedNanos);
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void run(List<Job> batch) {
    // Jobs that ended while the batch formed (deadline, client gone) are not searched.
    List<Job> live = new ArrayList<>(batch.size());
    for (Job j : batch) {
      if (!j.future.isDone()) {
        live.add(j);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    Set<Unit> units = new LinkedHashSet<>();
    int k = 1;
    int total = 0;
    for (Job j : live) {
      units.add(j.query.unit());
      k = Math.max(k, j.query.k());
      total += j.questions.size();
    }
    SearchOptions o = base.withK(k).withMaxAnswerLength(live.get(0).query.maxAnswerLength());
    Lane lane = live.get(0).lane;
    // Batches are searched HEAVY_CHUNK questions per call: a call holds the encoder and the cores for a bounded time,
    // so a single question on the other worker never waits long for either, and a job that ended (deadline, client
    // gone) stops costing anything at the next chunk.
    int chunk = lane == Lane.HEAVY ? HEAVY_CHUNK : Integer.MAX_VALUE;
    Map<Job, List<List<Answer>>> answers = new HashMap<>();
    for (Job j : live) {
      answers.put(j, new ArrayList<>(j.questions.size()));
    }
    long t0 = System.nanoTime();
    long searchNanos = 0;
    double[] stageMs = new double[4]; // encode, first stage, span scoring, aggregation
    int searched = 0;
    List<Job> owners = new ArrayList<>();
    List<String> qs = new ArrayList<>();
    for (int ji = 0; ji < live.size(); ) {
      owners.clear();
      qs.clear();
      // (question) of this call: whole jobs or a job's next slice, skipping jobs that ended meanwhile
      while (ji < live.size() && qs.size() < chunk) {
        Job j = live.get(ji);
        List<List<Answer>> got = answers.get(j);
        if (j.future.isDone()) {
          ji++;
          continue;
        }
        int from = got.size() + countIn(owners, j);
        int take = Math.min(chunk - qs.size(), j.questions.size() - from);
        for (int i = 0; i < take; i++) {
          owners.add(j);
          qs.add(j.questions.get(from + i));
        }
        if (from + take == j.questions.size()) {
          ji++;
        }
      }
      if (qs.isEmpty()) {
        break;
      }
      long c0 = System.nanoTime();
      Map<Unit, List<List<Answer>>> all;
      try {
        SearchSession.Results res = answerer.answer(List.copyOf(qs), o, List.copyOf(units));
        all = res.answers();
        stageMs[0] += res.encodeMs();
        stageMs[1] += res.firstStageMs();
        stageMs[2] += res.spanMs();
        stageMs[3] += res.aggregateMs();
        metrics.stagesRan(res);
      } catch (RuntimeException | Error e) {
        // A failed search fails its requests (500), never the worker: the next batch may well succeed. Errors too,
        // since a worker that died would leave every later request waiting forever.
        metrics.searchFailed();
        for (Job j : live) {
          j.future.completeExceptionally(e);
        }
        return;
      }
      long dt = System.nanoTime() - c0;
      searchNanos += dt;
      searched += qs.size();
      metrics.batchRan(qs.size(), dt);
      for (int i = 0; i < qs.size(); i++) {
        Job j = owners.get(i);
        List<Answer> a = all.get(j.query.unit()).get(i);
        answers.get(j).add(a.size() > j.query.k() ? List.copyOf(a.subList(0, j.query.k())) : a);
      }
    }
    if (searched > 0) {
      lock.lock();
      try {
        Queue q = lanes.get(lane);
        double perQuestion = searchNanos / 1e9 / searched;
        q.secondsPerQuestion = Double.isNaN(q.secondsPerQuestion) ? perQuestion
            : 0.7 * q.secondsPerQuestion + 0.3 * perQuestion;
      } finally {
        lock.unlock();
      }
    }
    for (Job j : live) {
      List<List<Answer>> mine = answers.get(j);
      if (mine.size() == j.questions.size()) {
        j.future.complete(new Result(mine, total, searchNanos, t0 - j.enqueuedNanos, stageMs.clone()));
      }
    }
  }

  private static int countIn(List<Job> owners, Job j) {
    int n = 0;
    for (Job o : owners) {
      if (o == j) {
        n++;
      }
    }
    return n;
  }

  /** Takes no new jobs and fails every queued one with {@link ClosedException}; calls in progress go on. */
  public void shutdown() {
    List<Job> dropped = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      for (Queue q : lanes.values()) {
        for (Job j : q.drain()) {
          j.state = State.DONE;
          dropped.add(j);
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Job j : dropped) {
      j.future.completeExceptionally(new ClosedException("the server is shutting down; the request was still "
          + "queued and was not searched"));
    }
  }

  /** Waits until no search call is in progress or the time is up; true if none is. */
  public boolean awaitRunning(long timeoutNanos) throws InterruptedException {
    long end = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (!running.isEmpty()) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Answers every job still being searched with {@link ClosedException}; their calls' results are dropped. */
  public void failRunning(String message) {
    List<Job> now;
    lock.lock();
    try {
      now = new ArrayList<>(running);
    } finally {
      lock.unlock();
    }
    for (Job j : now) {
      j.future.completeExceptionally(new ClosedException(message));
    }
  }

  /** Search calls in progress now (jobs). */
  int runningJobs() {
    lock.lock();
    try {
      return running.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Shuts down, and waits up to {@code timeoutMillis} for the workers to end. A worker inside a search call that
   * outlasts it is left behind (a daemon thread); the caller decides whether to close the answerer anyway.
   *
   * @return true if every worker ended
   */
  public boolean close(long timeoutMillis) {
    shutdown();
    timer.shutdownNow();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (Thread t : workers) {
      try {
        long left = end - System.nanoTime();
        if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    close(Long.MAX_VALUE / 4_000_000);
  }
}
