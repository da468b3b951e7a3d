package org.densephrases.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.junit.jupiter.api.Test;

/**
 * The batcher alone: deadlines (queued and running), cancellation before a job's turn, fairness between single
 * questions and batches, admission sized in time, and shutdown (queued work refused at once, running work failed
 * on demand).
 */
class MicroBatcherTest {
  static final Query Q = new Query(3, Unit.PHRASE, 20);
  static final long LONG = 30_000;

  static MicroBatcher batcher(FakeAnswerer a, int threads, long maxQueueMillis, Metrics m) {
    return new MicroBatcher(a, SearchOptions.defaults(), 0, 64, threads, 4096, maxQueueMillis, m);
  }

  static Metrics metrics(FakeAnswerer a) {
    return new Metrics(a.info());
  }

  static Throwable failure(CompletableFuture<?> f) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void aQueuedJobPastItsDeadlineLeavesTheQueueAndIsNeverSearched() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    Metrics m = metrics(a);
    try (MicroBatcher b = batcher(a, 1, LONG, m)) {
      var slow = b.submit(List.of("SLOW"), Q, "x", LONG);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      var late = b.submit(List.of("late"), Q, "y", 150);
      Throwable t = failure(late);
      assertInstanceOf(MicroBatcher.DeadlineException.class, t);
      assertTrue(t.getMessage().contains("150 ms") && t.getMessage().contains("waiting"), t.getMessage());
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "failed at its deadline, not later");
      assertEquals(0, b.queuedQuestions());
      assertEquals(1, m.count("deadline", "queued"));
      a.release.countDown();
      assertEquals(1, slow.get(10, TimeUnit.SECONDS).answers().size());
      b.submit(List.of("after"), Q, "y", LONG).get(10, TimeUnit.SECONDS);
      assertFalse(a.asked.contains("late"), "an expired job is not searched: " + a.asked);
    }
  }

  @Test
  void aRunningJobPastItsDeadlineFailsWithoutWaitingForTheCall() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    Metrics m = metrics(a);
    try (MicroBatcher b = batcher(a, 1, LONG, m)) {
      var slow = b.submit(List.of("SLOW"), Q, "x", 200);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      Throwable t = failure(slow);
      assertInstanceOf(MicroBatcher.DeadlineException.class, t);
      assertTrue(t.getMessage().contains("being searched"), t.getMessage());
      assertEquals(1, m.count("deadline", "running"));
      assertEquals(1, b.runningJobs(), "the call itself goes on");
      a.release.countDown();
    }
  }

  @Test
  void aCancelledJobIsDroppedBeforeItsTurn() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    Metrics m = metrics(a);
    try (MicroBatcher b = batcher(a, 1, LONG, m)) {
      var slow = b.submit(List.of("SLOW"), Q, "x", LONG);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      var gone = b.submit(List.of("gone", "away"), Q, "y", LONG);
      assertEquals(2, b.queuedQuestions());
      assertTrue(gone.cancel(false));
      assertEquals(0, b.queuedQuestions());
      assertEquals(1, m.count("cancelled", "queued"));
      a.release.countDown();
      slow.get(10, TimeUnit.SECONDS);
      b.submit(List.of("after"), Q, "y", LONG).get(10, TimeUnit.SECONDS);
      assertFalse(a.asked.contains("gone"), "a cancelled job is not searched: " + a.asked);
    }
  }

  @Test
  void singleQuestionsAreNotStarvedByAFloodOfBatches() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    try (MicroBatcher b = batcher(a, 1, LONG, metrics(a))) {
      var slow = b.submit(List.of("SLOW"), Q, "x", LONG);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      List<CompletableFuture<MicroBatcher.Result>> flood = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        List<String> qs = new ArrayList<>();
        for (int j = 0; j < 40; j++) { // 40 questions: no two batches fit one call of 64
          qs.add("flood " + i + "-" + j);
        }
        flood.add(b.submit(qs, Q, "flooder", LONG));
      }
      var light = b.submit(List.of("light question"), Q, "someone else", LONG);
      a.release.countDown();
      light.get(10, TimeUnit.SECONDS);
      for (var f : flood) {
        f.get(10, TimeUnit.SECONDS);
      }
      slow.get(10, TimeUnit.SECONDS);
      int lightAt = a.asked.indexOf("light question");
      assertTrue(lightAt < a.asked.indexOf("flood 1-0"), "the single question goes before the second batch, not "
          + "after all six: " + a.callSizes);
    }
  }

  @Test
  void withTwoWorkersBatchesNeverHoldBoth() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    try (MicroBatcher b = batcher(a, 2, LONG, metrics(a))) {
      var heavy1 = b.submit(List.of("SLOW one", "two"), Q, "flooder", LONG);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      var heavy2 = b.submit(List.of("three", "four"), Q, "flooder", LONG);
      var light = b.submit(List.of("quick"), Q, "someone else", LONG);
      assertEquals(1, light.get(10, TimeUnit.SECONDS).batchQuestions(), "the single question ran alone");
      Thread.sleep(100);
      assertFalse(heavy2.isDone(), "the second batch waits for the first: one worker stays free for questions");
      a.release.countDown();
      heavy1.get(10, TimeUnit.SECONDS);
      heavy2.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void admissionIsSizedInTime() throws Exception {
    FakeAnswerer a = new FakeAnswerer(100); // every call takes 100 ms more
    try (MicroBatcher b = batcher(a, 1, 250, metrics(a))) {
      b.submit(List.of("measure me"), Q, "x", LONG).get(10, TimeUnit.SECONDS); // ~100 ms per question measured
      var slow = b.submit(List.of("SLOW"), Q, "x", LONG);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      List<CompletableFuture<MicroBatcher.Result>> waiting = new ArrayList<>();
      waiting.add(b.submit(List.of("first"), Q, "c", LONG));
      // A deadline shorter than the queued work plus its own is refused at once, rather than queued to fail later.
      var hurry = assertThrows(MicroBatcher.OverloadedException.class, () -> b.submit(List.of("hurry"), Q, "z", 50));
      assertTrue(hurry.getMessage().contains("more than its deadline of 50 ms"), hurry.getMessage());
      int accepted = 1;
      MicroBatcher.OverloadedException refused = null;
      for (int i = 0; i < 10 && refused == null; i++) {
        try {
          waiting.add(b.submit(List.of("q" + i), Q, "c" + i, LONG));
          accepted++;
        } catch (MicroBatcher.OverloadedException e) {
          refused = e;
        }
      }
      assertTrue(refused != null && accepted >= 1 && accepted <= 3, "about 250 ms of 100 ms questions fit: "
          + accepted + " accepted");
      assertTrue(refused.getMessage().contains("busy") && refused.getMessage().contains("limit is 250 ms"),
          refused.getMessage());
      assertTrue(refused.retryAfterSeconds() >= 1);
      a.release.countDown();
      slow.get(10, TimeUnit.SECONDS);
      for (var w : waiting) {
        w.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shutdownRefusesQueuedWorkAtOnceAndFailRunningEndsTheRest() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    MicroBatcher b = batcher(a, 1, LONG, metrics(a));
    var slow = b.submit(List.of("SLOW"), Q, "x", LONG);
    assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
    var q1 = b.submit(List.of("q1"), Q, "y", LONG);
    var q2 = b.submit(List.of("q2", "q3"), Q, "z", LONG);
    b.shutdown();
    assertInstanceOf(MicroBatcher.ClosedException.class, failure(q1));
    assertInstanceOf(MicroBatcher.ClosedException.class, failure(q2));
    assertThrows(MicroBatcher.ClosedException.class, () -> b.submit(List.of("new"), Q, "y", LONG));
    assertFalse(b.awaitRunning(TimeUnit.MILLISECONDS.toNanos(100)), "the slow call is still running");
    b.failRunning("out of time");
    Throwable t = failure(slow);
    assertInstanceOf(MicroBatcher.ClosedException.class, t);
    assertEquals("out of time", t.getMessage());
    a.release.countDown();
    assertTrue(b.close(10_000), "the worker ends once its call returns");
    assertFalse(a.asked.contains("q1"));
  }

  @Test
  void batchesAreSearchedInChunksAndStopWhenTheirClientLeaves() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    Metrics m = metrics(a);
    try (MicroBatcher b = batcher(a, 1, LONG, m)) {
      List<String> forty = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        forty.add("question " + i);
      }
      MicroBatcher.Result r = b.submit(forty, Q, "x", LONG).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(16, 16, 8), a.callSizes, "16 questions per call");
      for (int i = 0; i < 40; i++) {
        assertEquals(FakeAnswerer.answerText("question " + i, 0), r.answers().get(i).get(0).text(), "in order");
      }
      assertEquals(40, r.batchQuestions());
      List<String> gone = new ArrayList<>(List.of("SLOW first"));
      for (int i = 1; i < 40; i++) {
        gone.add("gone " + i);
      }
      var f = b.submit(gone, Q, "y", LONG);
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      f.cancel(false); // the client left while its first chunk was being searched
      a.release.countDown();
      b.submit(List.of("after"), Q, "z", LONG).get(10, TimeUnit.SECONDS);
      assertEquals(List.of(16, 16, 8, 16, 1), a.callSizes, "the rest of the cancelled batch is not searched");
      assertEquals(1, m.count("cancelled", "running"));
    }
  }
}
