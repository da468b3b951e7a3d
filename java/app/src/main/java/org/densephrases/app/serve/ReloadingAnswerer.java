package org.densephrases.app.serve;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.search.SearchSession;

/**
 * Serves the newest generation of a dump and switches to a new one without downtime: a watcher polls the dump
 * directory's newest committed generation; when it changes, the new generation is opened and warmed up (one search)
 * beside the old one, then becomes current in one volatile write. Requests that started on the old generation finish
 * on it: each search holds a reference to the generation it started with, and the old generation is closed when the
 * last such search returns. A generation that fails to open is logged and the old one kept (tried again when a newer
 * generation appears).
 */
public final class ReloadingAnswerer implements Answerer {
  /**
   * Opens the answerer of the newest generation beside {@code current}, the one served now (serve: a new
   * {@link SessionAnswerer} from {@link SessionAnswerer#reopen}, sharing the question encoder). Each answerer is
   * closed on its own; what they share must outlive the last one closed.
   */
  public interface Opener {
    /**
     * Opens the newest generation.
     *
     * @param current the answerer served now
     * @return the answerer of the newest generation
     * @throws Exception when that generation cannot be opened (the current one stays)
     */
    Answerer open(Answerer current) throws Exception;
  }

  /** The newest committed generation number of the served dump. */
  public interface Latest {
    /**
     * {@return the generation number}
     * @throws Exception when the dump directory cannot be read
     */
    long generation() throws Exception;
  }

  /** A generation in use: closed when replaced and no search holds it any more. */
  private static final class Lease {
    final Answerer answerer;
    final AtomicInteger refs = new AtomicInteger(1); // 1 = being the current generation

    Lease(Answerer a) {
      this.answerer = a;
    }

    boolean retain() {
      for (;;) {
        int r = refs.get();
        if (r == 0) {
          return false; // closed: the caller reads the (newer) current lease again
        }
        if (refs.compareAndSet(r, r + 1)) {
          return true;
        }
      }
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        answerer.close();
      }
    }
  }

  private final Opener opener;
  private final Latest latest;
  private final SearchOptions warmUp;
  private final ScheduledExecutorService watcher;
  private volatile Lease current;
  private volatile long failedGeneration = -1;
  private volatile Runnable onReload = () -> {};
  private final AtomicInteger reloads = new AtomicInteger();

  /**
   * Serves {@code first} and watches for newer generations.
   *
   * @param first the answerer of the generation loaded at start
   * @param warmUp options of the warm-up search run on a new generation before it is served
   * @param pollMillis how often the dump directory is checked for a new generation; 0 = never (only {@link #check()},
   *     which the admin endpoint calls)
   * @param opener opens a newer generation's answerer
   * @param latest reads the newest committed generation
   */
  public ReloadingAnswerer(Answerer first, Opener opener, Latest latest, SearchOptions warmUp, long pollMillis) {
    this.current = new Lease(first);
    this.warmUp = warmUp;
    this.opener = opener;
    this.latest = latest;
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "densephrases-generation-watch");
      t.setDaemon(true);
      return t;
    });
    if (pollMillis > 0) {
      watcher.scheduleWithFixedDelay(this::check, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Called after each switch to a new generation (metrics).
   *
   * @param r the callback, run by the thread that switched (the watcher, or a {@link #check()} caller)
   */
  public void onReload(Runnable r) {
    this.onReload = r;
  }

  /**
   * Generations switched to since start.
   *
   * @return the number of switches
   */
  public int reloads() {
    return reloads.get();
  }

  /**
   * Checks for a newer generation now and switches to it (the watcher and the admin endpoint call this).
   *
   * @return whether a new generation is served now
   */
  public synchronized boolean check() {
    long g;
    try {
      g = latest.generation();
    } catch (Exception e) {
      System.err.println("densephrases serve: cannot read the dump's generation: " + e.getMessage());
      return false;
    }
    long served = current.answerer.info().generation();
    if (g == served || g == failedGeneration) {
      return false;
    }
    Answerer next = null;
    try {
      long t0 = System.nanoTime();
      next = opener.open(current.answerer); // current is replaced only here, under this object's lock
      next.answer(List.of("warm up"), warmUp, List.of(warmUp.unit())); // tables loaded before use
      System.err.printf("densephrases serve: generation %d loaded in %.1fs (was %d)%n", next.info().generation(),
          (System.nanoTime() - t0) / 1e9, served);
    } catch (Exception e) {
      if (next != null) {
        next.close(); // opened but not warm: never served
      }
      failedGeneration = g;
      System.err.println("densephrases serve: generation " + g + " not loaded, still serving " + served + ": "
          + e.getMessage());
      return false;
    }
    Lease old = current;
    current = new Lease(next);
    old.release(); // closed now, or when its last search returns
    reloads.incrementAndGet();
    onReload.run();
    return true;
  }

  @Override
  public SearchSession.Results answer(List<String> questions, SearchOptions options, List<Unit> units) {
    Lease l;
    do {
      l = current;
    } while (!l.retain());
    try {
      return l.answerer.answer(questions, options, units);
    } finally {
      l.release();
    }
  }

  @Override
  public ServerInfo info() {
    return current.answerer.info();
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    try {
      watcher.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      current.release(); // closed now, or when its last search returns
    }
  }
}
