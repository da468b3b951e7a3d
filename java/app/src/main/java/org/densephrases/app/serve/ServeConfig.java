package org.densephrases.app.serve;

import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.KernelLimits;

/**
 * How the server listens, what it accepts and how it batches. Every limit is checked here once, so a bad value fails
 * at start-up with a message naming the option rather than at the first request.
 *
 * @param host address to bind (127.0.0.1 by default: expose it on purpose with 0.0.0.0)
 * @param port TCP port; 0 = an ephemeral port (tests)
 * @param maxQuestionChars longest question accepted (characters after trimming)
 * @param maxK most answers a request may ask for
 * @param maxBatchQuestions most questions one POST /api/batch may carry
 * @param maxBodyBytes largest request body accepted
 * @param batchWaitMillis how long a search worker waits for more questions before running a batch (0: take only what
 *     is queued)
 * @param batchMaxQuestions most questions one batched search call runs (a /api/batch request is never split, so this
 *     must be at least maxBatchQuestions)
 * @param searchThreads workers taking batches off the queue (one encodes while another searches)
 * @param maxQueuedQuestions questions waiting at most; beyond that a request gets 503 (load shedding, not a crash)
 * @param httpThreads Jetty's thread pool size
 * @param shutdownMillis how long a graceful stop waits for requests in flight
 * @param defaults k, unit, max answer length when a request does not say; nprobe and candidates for every search
 * @param guards deadlines, cost and queue-time budgets, access (hosts, CORS, API key), connection limits
 */
public record ServeConfig(
    String host,
    int port,
    int maxQuestionChars,
    int maxK,
    int maxBatchQuestions,
    int maxBodyBytes,
    int batchWaitMillis,
    int batchMaxQuestions,
    int searchThreads,
    int maxQueuedQuestions,
    int httpThreads,
    long shutdownMillis,
    SearchOptions defaults,
    Guards guards) {

  /**
   * Checks every limit against its range.
   *
   * @throws IllegalArgumentException naming the option whose value is out of range or missing
   */
  public ServeConfig {
    require(host != null && !host.isBlank(), "--host is empty");
    range("--port", port, 0, 65535);
    range("--max-question-chars", maxQuestionChars, 1, 1 << 16);
    range("--max-k", maxK, 1, SearchOptions.MAX_RESULTS);
    range("--max-batch", maxBatchQuestions, 1, 4096);
    range("--max-body-bytes", maxBodyBytes, 1024, 64 << 20);
    range("--batch-wait-ms", batchWaitMillis, 0, 1000);
    range("--batch-max", batchMaxQuestions, maxBatchQuestions, 4096);
    range("--search-threads", searchThreads, 1, 64);
    range("--max-queued", maxQueuedQuestions, batchMaxQuestions, 1 << 20);
    range("--http-threads", httpThreads, 8, 4096);
    range("--shutdown-ms", shutdownMillis, 0, 600_000);
    require(defaults != null, "default search options are null");
    range("--k", defaults.k(), 1, maxK);
    require(guards != null, "guards are null");
  }

  /**
   * With the standard {@link Guards}.
   *
   * @param host address to bind
   * @param port TCP port; 0 = an ephemeral port
   * @param maxQuestionChars longest question accepted, in characters
   * @param maxK most answers a request may ask for
   * @param maxBatchQuestions most questions one POST /api/batch may carry
   * @param maxBodyBytes largest request body accepted, in bytes
   * @param batchWaitMillis how long a worker waits for more questions, in milliseconds
   * @param batchMaxQuestions most questions one batched search call runs
   * @param searchThreads search workers
   * @param maxQueuedQuestions questions waiting at most
   * @param httpThreads Jetty's thread pool size
   * @param shutdownMillis how long a graceful stop waits, in milliseconds
   * @param defaults search options of a request that does not say
   */
  public ServeConfig(String host, int port, int maxQuestionChars, int maxK, int maxBatchQuestions, int maxBodyBytes,
      int batchWaitMillis, int batchMaxQuestions, int searchThreads, int maxQueuedQuestions, int httpThreads,
      long shutdownMillis, SearchOptions defaults) {
    this(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis, batchMaxQuestions,
        searchThreads, maxQueuedQuestions, httpThreads, shutdownMillis, defaults, Guards.standard());
  }

  /**
   * Replaces the guards.
   *
   * @param g the guards
   * @return a copy with these guards
   */
  public ServeConfig withGuards(Guards g) {
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueuedQuestions, httpThreads, shutdownMillis, defaults, g);
  }

  /**
   * Loopback, port 8080, questions up to 512 characters, k up to 100, batches up to 64, wait 2 ms.
   *
   * @return the standard configuration
   */
  public static ServeConfig standard() {
    return new ServeConfig("127.0.0.1", 8080, 512, 100, 64, 1 << 20, 2, 64, 2, 4096, 200, 30_000,
        SearchOptions.defaults().withUnit(Unit.PHRASE).withK(10));
  }

  /**
   * Changes the port.
   *
   * @param p the TCP port (0 = ephemeral)
   * @return a copy listening on this port
   */
  public ServeConfig withPort(int p) {
    return new ServeConfig(host, p, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueuedQuestions, httpThreads, shutdownMillis, defaults, guards);
  }

  /**
   * Changes the bind address.
   *
   * @param h the address to bind
   * @return a copy binding this address
   */
  public ServeConfig withHost(String h) {
    return new ServeConfig(h, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueuedQuestions, httpThreads, shutdownMillis, defaults, guards);
  }

  /**
   * Changes how questions are batched.
   *
   * @param waitMillis how long a worker waits for more questions
   * @param maxQuestions most questions per search call
   * @param threads search workers
   * @return a copy with this batching
   */
  public ServeConfig withBatching(int waitMillis, int maxQuestions, int threads) {
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, waitMillis,
        maxQuestions, threads, maxQueuedQuestions, httpThreads, shutdownMillis, defaults, guards);
  }

  /**
   * Sets the request limits; the batch size and queue length grow to at least {@code batchQuestions} so that the
   * configuration stays valid.
   *
   * @param questionChars longest question, in characters
   * @param k most answers per question
   * @param batchQuestions most questions per /api/batch request
   * @param bodyBytes largest request body, in bytes
   * @return a copy with these limits
   */
  public ServeConfig withLimits(int questionChars, int k, int batchQuestions, int bodyBytes) {
    return new ServeConfig(host, port, questionChars, k, batchQuestions, bodyBytes, batchWaitMillis,
        Math.max(batchMaxQuestions, batchQuestions), searchThreads,
        Math.max(maxQueuedQuestions, Math.max(batchMaxQuestions, batchQuestions)), httpThreads, shutdownMillis,
        defaults, guards);
  }

  /**
   * Changes the queue length (load is shed beyond it).
   *
   * @param maxQueued questions waiting at most
   * @return a copy with this queue length
   */
  public ServeConfig withQueue(int maxQueued) {
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueued, httpThreads, shutdownMillis, defaults, guards);
  }

  /**
   * Changes the HTTP thread pool size.
   *
   * @param n Jetty's thread pool size
   * @return a copy with this pool size
   */
  public ServeConfig withHttpThreads(int n) {
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueuedQuestions, n, shutdownMillis, defaults, guards);
  }

  /**
   * Changes the graceful-stop time.
   *
   * @param ms how long a graceful stop waits, in milliseconds
   * @return a copy with this shutdown time
   */
  public ServeConfig withShutdownMillis(long ms) {
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueuedQuestions, httpThreads, ms, defaults, guards);
  }

  /**
   * Changes the default search options.
   *
   * @param d search options of a request that does not say
   * @return a copy with these defaults
   */
  public ServeConfig withDefaults(SearchOptions d) {
    return new ServeConfig(host, port, maxQuestionChars, maxK, maxBatchQuestions, maxBodyBytes, batchWaitMillis,
        batchMaxQuestions, searchThreads, maxQueuedQuestions, httpThreads, shutdownMillis, d, guards);
  }

  /**
   * Longest answer a request may ask for, in dump tokens (the span kernels' limit).
   *
   * @return the limit, in dump tokens
   */
  public int maxAnswerLength() {
    return KernelLimits.MAX_ANSWER_LENGTH;
  }

  private static void range(String option, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(option + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
