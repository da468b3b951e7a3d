package org.densephrases.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.search.SearchSession;
import org.junit.jupiter.api.Test;

/**
 * serve's switch to a new dump generation under load, on loopback and bounded: clients search without pause while
 * the generation changes 20 times; every request succeeds, each generation is closed only after its last search
 * returned, /health and /metrics show the generation served.
 */
class ReloadUnderLoadTest {
  /** The answerer of one generation: a FakeAnswerer that refuses to answer once closed. */
  static final class Generation implements Answerer {
    final long gen;
    final FakeAnswerer inner = new FakeAnswerer(1);
    final AtomicInteger running = new AtomicInteger();
    final List<String> violations;
    volatile boolean closed;

    Generation(long gen, List<String> violations) {
      this.gen = gen;
      this.violations = violations;
    }

    @Override
    public SearchSession.Results answer(List<String> questions, SearchOptions options, List<Unit> units) {
      running.incrementAndGet();
      try {
        if (closed) {
          violations.add("generation " + gen + " searched after close");
          throw new IllegalStateException("closed");
        }
        return inner.answer(questions, options, units);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public ServerInfo info() {
      return new ServerInfo("fake", "no device", "exact", "fake-model", 1, 2, 100 + gen, 10 + gen, gen);
    }

    @Override
    public void close() {
      if (running.get() > 0) {
        violations.add("generation " + gen + " closed with " + running.get() + " searches running");
      }
      closed = true;
    }
  }

  @Test
  void reloadsUnderLoadWithZeroFailedRequests() throws Exception {
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicLong latest = new AtomicLong();
    List<Generation> opened = new CopyOnWriteArrayList<>();
    Generation first = new Generation(0, violations);
    opened.add(first);
    ReloadingAnswerer r = new ReloadingAnswerer(first, cur -> {
      Generation g = new Generation(latest.get(), violations);
      opened.add(g);
      return g;
    }, latest::get, ServeConfig.standard().defaults(), 5);
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (SearchServer server = SearchServer.start(ServeConfig.standard().withPort(0), r)) {
      r.onReload(server.metrics()::reloaded);
      URI base = server.uri();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        int id = c;
        clients.add(Thread.ofPlatform().start(() -> {
          int i = 0;
          while (!stop.get()) {
            int status;
            try {
              status = Http.get(base, "api/search?q=" + Http.enc("client " + id + " question " + i++)).status();
            } catch (Exception e) {
              status = -1;
            }
            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
          }
        }));
      }
      for (long g = 1; g <= 20; g++) {
        latest.set(g);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Http.get(base, "health").json().get("generation").getAsLong() != g) {
          assertTrue(System.nanoTime() < deadline, "generation " + g + " not served within 30 s");
          Thread.sleep(5);
        }
        Thread.sleep(30);
      }
      stop.set(true);
      for (Thread t : clients) {
        t.join(30_000);
      }
      var health = Http.get(base, "health").json();
      assertEquals(20, health.get("generation").getAsLong());
      assertEquals(30, health.get("documents").getAsLong());
      String metrics = Http.get(base, "metrics").body();
      assertTrue(metrics.contains("\ndensephrases_dump_generation 20\n"), metrics);
      assertTrue(metrics.contains("\ndensephrases_reloads_total 20\n"), metrics);
    }
    r.close();
    assertEquals(java.util.Set.of(200), statuses.keySet(), "every request answered 200: " + statuses);
    assertTrue(statuses.get(200).get() > 100, "load was applied: " + statuses);
    assertTrue(violations.isEmpty(), violations.toString());
    assertEquals(21, opened.size());
    for (Generation g : opened) {
      assertTrue(g.closed, "generation " + g.gen + " closed at the end");
    }
    assertEquals(20, r.reloads());
  }

  @Test
  void aGenerationThatFailsToOpenLeavesTheOldOneServing() throws Exception {
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicLong latest = new AtomicLong();
    AtomicInteger attempts = new AtomicInteger();
    Generation first = new Generation(0, violations);
    ReloadingAnswerer r = new ReloadingAnswerer(first, cur -> {
      attempts.incrementAndGet();
      throw new java.io.IOException("index not found");
    }, latest::get, ServeConfig.standard().defaults(), 60_000);
    latest.set(1);
    r.check();
    r.check(); // the same broken generation is not retried
    assertEquals(1, attempts.get());
    assertEquals(0, r.info().generation());
    assertFalse(first.closed);
    assertEquals(1, r.answer(List.of("q"), ServeConfig.standard().defaults(), List.of(Unit.PHRASE)).answers().size());
    r.close();
    assertTrue(first.closed);
    assertTrue(violations.isEmpty(), violations.toString());
  }
}
