package org.densephrases.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.densephrases.app.serve.Http.Reply;
import org.junit.jupiter.api.Test;

/**
 * Concurrent requests are micro-batched and each still gets its own answers; a full queue sheds load with 503; a
 * graceful stop finishes the request in flight and refuses new ones.
 */
class ConcurrencyTest {
  @Test
  void concurrentRequestsAreBatchedAndGetTheirOwnAnswers() throws Exception {
    // 20 ms per search call: while one runs, the others queue up and go together.
    FakeAnswerer a = new FakeAnswerer(20);
    ServeConfig cfg = ServeConfig.standard().withPort(0).withBatching(5, 64, 1);
    int clients = 48;
    try (SearchServer server = SearchServer.start(cfg, a);
        ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      List<Future<Reply>> replies = new ArrayList<>();
      String[] units = {"phrase", "sentence", "paragraph", "document"};
      for (int i = 0; i < clients; i++) {
        int c = i;
        replies.add(pool.submit(() -> Http.get(server.uri(), "api/search?q=" + Http.enc("question number " + c)
            + "&k=" + (1 + c % 7) + "&unit=" + units[c % 4])));
      }
      int maxBatch = 0;
      for (int i = 0; i < clients; i++) {
        Reply r = replies.get(i).get(60, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.body());
        JsonObject o = r.json();
        String q = "question number " + i;
        assertEquals(q, o.get("question").getAsString());
        JsonArray answers = o.getAsJsonArray("answers");
        assertEquals(1 + i % 7, answers.size(), "its own k");
        for (int j = 0; j < answers.size(); j++) {
          JsonObject ans = answers.get(j).getAsJsonObject();
          assertEquals(FakeAnswerer.answerText(q, j), ans.get("text").getAsString(), "its own answers");
          assertEquals(units[i % 4], ans.get("unit").getAsString(), "its own unit");
        }
        maxBatch = Math.max(maxBatch, o.get("batch_questions").getAsInt());
      }
      assertTrue(maxBatch > 1, "concurrent requests must share search calls");
      assertTrue(a.callSizes.size() < clients, "fewer search calls than requests: " + a.callSizes);
      assertEquals(clients, a.callSizes.stream().mapToInt(Integer::intValue).sum());
    }
  }

  @Test
  void differentAnswerLengthsAreNotMixedInOneCall() throws Exception {
    FakeAnswerer a = new FakeAnswerer(30);
    try (SearchServer server = SearchServer.start(ServeConfig.standard().withPort(0).withBatching(50, 64, 1), a);
        ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int c = i;
        replies.add(pool.submit(() -> Http.get(server.uri(), "api/search?q=q" + c + "&max_answer_length="
            + (c % 2 == 0 ? 10 : 20))));
      }
      for (int i = 0; i < 8; i++) {
        Reply r = replies.get(i).get(60, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.body());
        assertEquals(i % 2 == 0 ? 10 : 20, r.json().get("max_answer_length").getAsInt());
        assertTrue(r.json().get("batch_questions").getAsInt() <= 4, "L=10 and L=20 never share a call");
      }
    }
  }

  @Test
  void aFullQueueAnswers503AndTheServerRecovers() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    // one worker, batches of 1, at most 2 questions waiting
    ServeConfig cfg = new ServeConfig("127.0.0.1", 0, 512, 100, 1, 1 << 20, 0, 1, 1, 2, 16, 10_000,
        ServeConfig.standard().defaults());
    try (SearchServer server = SearchServer.start(cfg, a)) {
      CompletableFuture<Reply> slow = CompletableFuture.supplyAsync(() -> get(server, "api/search?q=SLOW"));
      assertTrue(a.slowStarted.await(30, TimeUnit.SECONDS));
      List<CompletableFuture<Reply>> waiting = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        int c = i;
        waiting.add(CompletableFuture.supplyAsync(() -> get(server, "api/search?q=w" + c)));
      }
      // Wait until both are queued (the worker is blocked on SLOW), then one more is shed at once.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!get(server, "metrics").body().contains("\ndensephrases_queued_questions 2\n")) {
        assertTrue(System.nanoTime() < deadline, "two requests should be queued");
        Thread.sleep(20);
      }
      Reply shed = get(server, "api/search?q=extra");
      ServerApiTest.checkError(shed, 503, "overloaded", "shed");
      a.release.countDown();
      assertEquals(200, slow.get(30, TimeUnit.SECONDS).status());
      for (var w : waiting) {
        assertEquals(200, w.get(30, TimeUnit.SECONDS).status());
      }
      assertEquals(200, get(server, "api/search?q=after").status());
    }
  }

  @Test
  void gracefulShutdownFinishesTheRequestInFlight() throws Exception {
    FakeAnswerer a = new FakeAnswerer(0);
    SearchServer server = SearchServer.start(ServeConfig.standard().withPort(0).withShutdownMillis(20_000), a);
    int port = server.port();
    CompletableFuture<Reply> inFlight = CompletableFuture.supplyAsync(() -> get(server,
        "api/search?q=" + Http.enc("SLOW question")));
    assertTrue(a.slowStarted.await(30, TimeUnit.SECONDS), "the slow search started");
    Thread stopper = Thread.ofPlatform().start(server::close);
    Thread.sleep(300);
    assertTrue(stopper.isAlive(), "close() waits for the request in flight");
    assertFalse(inFlight.isDone());
    // New work is refused while stopping: the connector no longer accepts, or the graceful handler answers 503.
    boolean refused;
    try {
      Reply r = Http.raw(port, "GET", "/api/search?q=late", null, null);
      refused = r.status() == 503;
    } catch (IOException e) {
      refused = true;
    }
    assertTrue(refused, "a request during shutdown is refused");
    a.release.countDown();
    Reply r = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.status(), r.body());
    assertEquals(FakeAnswerer.answerText("SLOW question", 0),
        r.json().getAsJsonArray("answers").get(0).getAsJsonObject().get("text").getAsString());
    stopper.join(30_000);
    assertFalse(stopper.isAlive(), "close() returns once the request is done");
    boolean down;
    try {
      Http.raw(port, "GET", "/health", null, null);
      down = false;
    } catch (IOException e) {
      down = true;
    }
    assertTrue(down, "the port is closed after close()");
  }

  static Reply get(SearchServer server, String path) {
    try {
      HttpRequest r = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(60)).build();
      HttpResponse<String> resp = Http.CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      return new Reply(resp.statusCode(), resp.headers().firstValue("content-type").orElse(""), resp.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
