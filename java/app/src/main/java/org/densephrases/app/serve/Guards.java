package org.densephrases.app.serve;

import java.util.List;
import java.util.Locale;

/**
 * What the server defends itself with: deadlines, the cost and queue-time budgets, who may call it (Host allow-list,
 * CORS origins, API key) and how long and how many connections a client may hold. Checked once here, so a bad value
 * fails at start-up with a message naming the option.
 *
 * @param timeoutMillis deadline of a request that does not ask for one (from its arrival to its answer)
 * @param maxTimeoutMillis the longest deadline a request may ask for ({@code timeout_ms})
 * @param maxCost most work one request may ask for: questions x k x max_answer_length (refused with 413 above)
 * @param maxQueueMillis most estimated search time queued ahead of a new request in its lane (503 above)
 * @param allowedHosts names the Host header may carry (without port; "*" = any); empty = loopback names plus the bound
 *     address
 * @param corsOrigins origins allowed to call the API from a browser page of another origin (CORS); empty = none
 * @param apiKey when not null, /api/* and /metrics need {@code Authorization: Bearer <key>}
 * @param headerTimeoutMillis a connection must complete a request's headers within this time of opening or of its
 *     last response, else it is closed (slow-header clients; also the keep-alive idle limit)
 * @param bodyTimeoutMillis a request body must arrive within this time (408 after)
 * @param idleTimeoutMillis Jetty's idle timeout: no byte read or written for this long closes the connection
 * @param maxConnectionsPerAddress open connections one client address may hold (more are closed at once)
 * @param maxConnections open connections in all (Jetty stops accepting beyond)
 */
public record Guards(
    long timeoutMillis,
    long maxTimeoutMillis,
    long maxCost,
    long maxQueueMillis,
    List<String> allowedHosts,
    List<String> corsOrigins,
    String apiKey,
    long headerTimeoutMillis,
    long bodyTimeoutMillis,
    long idleTimeoutMillis,
    int maxConnectionsPerAddress,
    int maxConnections) {

  /**
   * Checks every limit and normalises the lists (host names trimmed and lower-cased, blanks dropped).
   *
   * @throws IllegalArgumentException naming the option whose value is out of range, a malformed CORS origin, or an
   *     API key shorter than 16 characters
   */
  public Guards {
    range("--timeout-ms", timeoutMillis, 1, 3_600_000);
    range("--max-timeout-ms", maxTimeoutMillis, timeoutMillis, 3_600_000);
    range("--max-cost", maxCost, 1, Long.MAX_VALUE);
    range("--max-queue-ms", maxQueueMillis, 1, 3_600_000);
    allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(h -> h.strip().toLowerCase(Locale.ROOT))
        .filter(h -> !h.isEmpty()).toList();
    corsOrigins = corsOrigins == null ? List.of() : corsOrigins.stream().map(String::strip).filter(o -> !o.isEmpty())
        .toList();
    for (String o : corsOrigins) {
      if (!o.equals("*") && !o.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException("--cors-origin " + o + " is not an origin like http://example.org:8000");
      }
    }
    if (apiKey != null && apiKey.strip().length() < 16) {
      throw new IllegalArgumentException("the API key has " + apiKey.strip().length()
          + " characters; use at least 16 (random)");
    }
    apiKey = apiKey == null ? null : apiKey.strip();
    range("--header-timeout-ms", headerTimeoutMillis, 100, 3_600_000);
    range("--body-timeout-ms", bodyTimeoutMillis, 100, 3_600_000);
    range("--idle-timeout-ms", idleTimeoutMillis, 100, 3_600_000);
    range("--max-connections-per-address", maxConnectionsPerAddress, 1, 1 << 20);
    range("--max-connections", maxConnections, maxConnectionsPerAddress, 1 << 20);
  }

  /**
   * Deadline 10 s (at most 60 s), cost 32,768 (64 questions at k 10 and L 20 fit, and one question at k 100 and L
   * 128), 5 s of queued work, loopback hosts, no CORS, no key, headers within 10 s, bodies within 10 s, idle 30 s, 64
   * connections per address and 1,024 in all.
   *
   * @return the standard guards
   */
  public static Guards standard() {
    return new Guards(10_000, 60_000, 32_768, 5_000, List.of(), List.of(), null, 10_000, 10_000, 30_000, 64, 1024);
  }

  /**
   * Changes the request deadlines; the copy is checked like any new value.
   *
   * @param timeout the default deadline, in milliseconds
   * @param maxTimeout the longest deadline a request may ask for, in milliseconds
   * @return a copy with these deadlines
   */
  public Guards withTimeouts(long timeout, long maxTimeout) {
    return new Guards(timeout, maxTimeout, maxCost, maxQueueMillis, allowedHosts, corsOrigins, apiKey,
        headerTimeoutMillis, bodyTimeoutMillis, idleTimeoutMillis, maxConnectionsPerAddress, maxConnections);
  }

  /**
   * Changes the per-request cost budget.
   *
   * @param cost the most questions x k x max_answer_length one request may ask for
   * @return a copy with this cost budget
   */
  public Guards withMaxCost(long cost) {
    return new Guards(timeoutMillis, maxTimeoutMillis, cost, maxQueueMillis, allowedHosts, corsOrigins, apiKey,
        headerTimeoutMillis, bodyTimeoutMillis, idleTimeoutMillis, maxConnectionsPerAddress, maxConnections);
  }

  /**
   * Changes the queue-time budget.
   *
   * @param ms the most estimated search time, in milliseconds, queued ahead of a new request
   * @return a copy with this queue budget
   */
  public Guards withMaxQueueMillis(long ms) {
    return new Guards(timeoutMillis, maxTimeoutMillis, maxCost, ms, allowedHosts, corsOrigins, apiKey,
        headerTimeoutMillis, bodyTimeoutMillis, idleTimeoutMillis, maxConnectionsPerAddress, maxConnections);
  }

  /**
   * Changes who may call the server.
   *
   * @param hosts Host header names accepted (empty = loopback names and the bound address)
   * @param origins CORS origins allowed (empty = none)
   * @param key the API key, or null for none
   * @return a copy with this access policy
   */
  public Guards withAccess(List<String> hosts, List<String> origins, String key) {
    return new Guards(timeoutMillis, maxTimeoutMillis, maxCost, maxQueueMillis, hosts, origins, key,
        headerTimeoutMillis, bodyTimeoutMillis, idleTimeoutMillis, maxConnectionsPerAddress, maxConnections);
  }

  /**
   * Changes the connection timeouts and limits.
   *
   * @param headerTimeout milliseconds a request's headers may take
   * @param bodyTimeout milliseconds a request body may take
   * @param idleTimeout milliseconds a connection may stay idle
   * @param perAddress open connections one client address may hold
   * @param total open connections in all
   * @return a copy with these connection limits
   */
  public Guards withConnections(long headerTimeout, long bodyTimeout, long idleTimeout, int perAddress, int total) {
    return new Guards(timeoutMillis, maxTimeoutMillis, maxCost, maxQueueMillis, allowedHosts, corsOrigins, apiKey,
        headerTimeout, bodyTimeout, idleTimeout, perAddress, total);
  }

  @Override
  public String toString() { // never print the key
    return "Guards[timeout " + timeoutMillis + "/" + maxTimeoutMillis + " ms, cost " + maxCost + ", queue "
        + maxQueueMillis + " ms, hosts " + allowedHosts + ", cors " + corsOrigins + ", key " + (apiKey != null)
        + ", header/body/idle " + headerTimeoutMillis + "/" + bodyTimeoutMillis + "/" + idleTimeoutMillis
        + " ms, connections " + maxConnectionsPerAddress + "/" + maxConnections + "]";
  }

  private static void range(String option, long v, long lo, long hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException(option + " must be in [" + lo + ", " + hi + "], got " + v);
    }
  }
}
