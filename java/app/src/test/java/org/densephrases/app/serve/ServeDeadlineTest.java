package org.densephrases.app.serve;

import static org.densephrases.app.serve.ServerApiTest.checkError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.densephrases.app.serve.Http.Reply;
import org.junit.jupiter.api.Test;

/**
 * Over HTTP, with one search worker held by a blocking question: deadlines answer 504 whether the request waits or is
 * being searched; a client that closes its connection has its queued job dropped (never searched, counted as
 * abandoned and cancelled, not as 200); a stop ends within its timeout, queued work answered 503 at once.
 */
class ServeDeadlineTest {
  static ServeConfig oneWorker() {
    return ServeConfig.standard().withPort(0).withBatching(0, 64, 1);
  }

  static void waitFor(BooleanSupplier ok, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ok.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "timed out waiting: " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void deadlinesAnswer504WhetherQueuedOrRunning() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    try (SearchServer server = SearchServer.start(oneWorker(), a)) {
      long t0 = System.nanoTime();
      Reply running = Http.get(server.uri(), "api/search?q=SLOW&timeout_ms=300");
      checkError(running, 504, "deadline of 300 ms passed while it was being searched", "running");
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
      Reply queued = Http.get(server.uri(), "api/search?q=late&timeout_ms=200"); // the worker is still held
      checkError(queued, 504, "passed while it was waiting for a search worker", "queued");
      assertEquals(1, server.metrics().count("deadline", "running"));
      assertEquals(1, server.metrics().count("deadline", "queued"));
      a.release.countDown();
      assertEquals(200, Http.get(server.uri(), "api/search?q=after").status());
      assertFalse(a.asked.contains("late"));
    }
  }

  @Test
  void aClientThatLeavesIsDroppedAndNotCountedAs200() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    try (SearchServer server = SearchServer.start(oneWorker(), a)) {
      CompletableFuture<Reply> slow = CompletableFuture.supplyAsync(() -> ConcurrencyTest.get(server,
          "api/search?q=SLOW"));
      assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
      try (Socket s = new Socket("127.0.0.1", server.port())) {
        String body = "{\"questions\": [\"abandoned\", \"too\"]}";
        s.getOutputStream().write(("POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        waitFor(() -> server.metrics().render().contains("\ndensephrases_queued_questions 2\n"), "queued");
      } // the client goes away before its turn
      waitFor(() -> server.metrics().count("cancelled", "queued") == 1, "the job is dropped");
      assertTrue(server.metrics().render().contains("\ndensephrases_queued_questions 0\n"), "the queue is empty");
      a.release.countDown();
      assertEquals(200, slow.get(10, TimeUnit.SECONDS).status());
      assertEquals(200, Http.get(server.uri(), "api/search?q=after").status());
      assertFalse(a.asked.contains("abandoned"), "never searched: " + a.asked);
      assertEquals(0, server.metrics().requests("/api/batch", 200), "not counted as answered");
      String m = server.metrics().render();
      assertTrue(m.contains("densephrases_http_requests_abandoned_total{endpoint=\"/api/batch\"} 1"), m);
      assertTrue(m.contains("densephrases_cancelled_total{stage=\"queued\"} 1"), m);
    }
  }

  @Test
  void aStopEndsWithinItsTimeoutAndAnswersEveryone() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    SearchServer server = SearchServer.start(oneWorker().withShutdownMillis(1000), a);
    CompletableFuture<Reply> slow = CompletableFuture.supplyAsync(() -> ConcurrencyTest.get(server,
        "api/search?q=SLOW"));
    assertTrue(a.slowStarted.await(10, TimeUnit.SECONDS));
    List<CompletableFuture<Reply>> queued = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int c = i;
      queued.add(CompletableFuture.supplyAsync(() -> ConcurrencyTest.get(server, "api/search?q=queued" + c)));
    }
    waitFor(() -> server.metrics().render().contains("\ndensephrases_queued_questions 4\n"), "4 queued");
    long t0 = System.nanoTime();
    CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(server::stop);
    for (var q : queued) {
      Reply r = q.get(10, TimeUnit.SECONDS);
      checkError(r, 503, "shutting down", "queued");
      assertTrue(r.json().get("error").getAsString().contains("not searched"), r.body());
    }
    assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(800), "queued work is answered at once");
    Reply r = slow.get(10, TimeUnit.SECONDS);
    checkError(r, 503, "did not finish within the shutdown timeout of 1000 ms", "running");
    boolean clean = stopped.get(10, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - t0) / 1e9;
    assertTrue(secs < 2.0, "stop() returns within its 1 s timeout (plus a margin): " + secs + " s");
    assertFalse(clean, "a search call was still running: stop() says so");
    a.release.countDown();
  }
}
