package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void everyChunkRunsExactlyOnce() {
    for (int chunks : new int[] {0, 1, 2, 3, 17, 200}) {
      AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, chunks));
      Parallel.forEach(chunks, c -> runs.incrementAndGet(c));
      for (int c = 0; c < chunks; c++) {
        assertEquals(1, runs.get(c), "chunk " + c + " of " + chunks);
      }
    }
  }

  @Test
  void aFailingChunkIsRethrownAfterTheOthersFinish() {
    AtomicIntegerArray runs = new AtomicIntegerArray(16);
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forEach(16, c -> {
      if (c == 5) {
        throw boom;
      }
      runs.incrementAndGet(c);
    }));
    assertSame(boom, e);
    for (int c = 0; c < 16; c++) {
      assertEquals(c == 5 ? 0 : 1, runs.get(c), "chunk " + c + " must have run to the end before the rethrow");
    }
  }

  @Test
  void smallWorkIsNotSplit() {
    assertEquals(1, Parallel.tasksFor(1000, 100));
    assertTrue(Parallel.tasksFor(1L << 40, 3) <= 3);
    assertTrue(Parallel.tasksFor(1L << 40, 1 << 20) <= 4 * Parallel.threads());
  }

  @Test
  void oneThreadMeansTheCallerRunsEveryChunk() {
    Thread caller = Thread.currentThread();
    AtomicIntegerArray runs = new AtomicIntegerArray(50);
    Parallel.forEach(50, 1, c -> {
      assertSame(caller, Thread.currentThread());
      runs.incrementAndGet(c);
    });
    for (int c = 0; c < 50; c++) {
      assertEquals(1, runs.get(c));
    }
  }
}
