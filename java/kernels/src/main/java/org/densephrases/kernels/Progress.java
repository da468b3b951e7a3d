package org.densephrases.kernels;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Progress of a long phase (encoding a corpus, assigning vectors to lists): count done, rate and ETA, reported to a
 * {@link Listener} at most once per interval and once at the end. Not thread-safe: one thread advances it.
 */
public final class Progress {
  /** Receives progress reports. */
  public interface Listener {
    /**
     * One report of a phase's progress.
     *
     * @param phase what is being done ("assign", "encode", ...)
     * @param done units done so far
     * @param total units in all (0 when unknown)
     * @param perSecond units per second since the phase started
     * @param etaSeconds estimated seconds left (NaN when unknown)
     * @param finished whether this is the phase's last report
     */
    void report(String phase, long done, long total, double perSecond, double etaSeconds, boolean finished);
  }

  private static final Logger LOG = System.getLogger(Progress.class.getName());

  /** Logs one INFO line per report. */
  public static final Listener LOG_LISTENER = (phase, done, total, rate, eta, finished) ->
      LOG.log(Level.INFO, format(phase, done, total, rate, eta, finished));

  /** Reports nothing. */
  public static final Listener SILENT = (phase, done, total, rate, eta, finished) -> {};

  private final String phase;
  private final long total;
  private final Listener listener;
  private final long intervalNanos;
  private final long start = System.nanoTime();
  private long last = start;
  private long done;

  /**
   * Starts a phase.
   *
   * @param phase what is being done, for the reports
   * @param total units in all (0 when unknown)
   * @param listener receives the reports
   * @param intervalSeconds the least time between two reports
   */
  public Progress(String phase, long total, Listener listener, double intervalSeconds) {
    this.phase = phase;
    this.total = total;
    this.listener = listener;
    this.intervalNanos = (long) (intervalSeconds * 1e9);
  }

  /**
   * Counts work done; reports when the interval has passed.
   *
   * @param n units just done
   */
  public void advance(long n) {
    done += n;
    long now = System.nanoTime();
    if (now - last >= intervalNanos) {
      last = now;
      report(now, false);
    }
  }

  /**
   * Reports the end of the phase; returns its seconds.
   *
   * @return the phase's wall time, in seconds
   */
  public double finish() {
    long now = System.nanoTime();
    report(now, true);
    return (now - start) / 1e9;
  }

  private void report(long now, boolean finished) {
    double sec = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / sec;
    double eta = total > 0 && rate > 0 ? (total - done) / rate : Double.NaN;
    listener.report(phase, done, total, rate, finished ? 0 : eta, finished);
  }

  /**
   * "encode: 1.20M / 3.00M (40.0%), 250k/s, ETA 7s".
   *
   * @param phase what is being done
   * @param done units done
   * @param total units in all (0 when unknown)
   * @param rate units per second
   * @param eta seconds left (NaN when unknown)
   * @param finished whether this is the last report
   * @return the report line
   */
  public static String format(String phase, long done, long total, double rate, double eta, boolean finished) {
    StringBuilder sb = new StringBuilder(phase).append(": ").append(human(done));
    if (total > 0) {
      sb.append(" / ").append(human(total))
          .append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * done / total));
    }
    sb.append(", ").append(human((long) rate)).append("/s");
    if (finished) {
      sb.append(", done");
    } else if (!Double.isNaN(eta)) {
      sb.append(", ETA ").append(duration(eta));
    }
    return sb.toString();
  }

  /**
   * Formats a count with a k, M or G suffix.
   *
   * @param n the count
   * @return for example {@code 1.20M}
   */
  public static String human(long n) {
    if (n >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.2fG", n / 1e9);
    }
    if (n >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.2fM", n / 1e6);
    }
    if (n >= 10_000L) {
      return String.format(Locale.ROOT, "%.1fk", n / 1e3);
    }
    return Long.toString(n);
  }

  /**
   * Formats seconds as {@code 42s}, {@code 3m05s} or {@code 2h10m}.
   *
   * @param sec the duration in seconds
   * @return for example {@code 42s}
   */
  public static String duration(double sec) {
    if (sec < 60) {
      return String.format(Locale.ROOT, "%.0fs", sec);
    }
    if (sec < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", (long) sec / 60, (long) sec % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", (long) sec / 3600, (long) sec % 3600 / 60);
  }
}
