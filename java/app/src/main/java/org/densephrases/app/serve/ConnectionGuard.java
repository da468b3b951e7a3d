package org.densephrases.app.serve;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;

/**
 * Defends the connector against slow and greedy clients, which Jetty's idle timeout alone does not: a client that
 * trickles one byte every few seconds is never idle.
 *
 * <ul>
 *   <li>Per-address cap: a client address holding {@code maxPerAddress} open connections gets its next one closed at
 *       once (no HTTP exchange happens on it).
 *   <li>Header deadline: a connection that is not handling a request (just opened, or its last response sent) must
 *       deliver a whole request head within {@code headerTimeoutMillis}, else it is closed. This bounds slow-header
 *       attacks and is also the keep-alive idle limit.
 * </ul>
 *
 * <p>The server tells it when a request starts ({@link #requestStarted}) and when its response is done
 * ({@link #requestEnded}); a sweeper checks every connection a few times per header timeout.
 */
final class ConnectionGuard implements Connection.Listener, AutoCloseable {
  private static final class State {
    final String address;
    final AtomicInteger active = new AtomicInteger();
    volatile long idleSince = System.nanoTime();

    State(String address) {
      this.address = address;
    }
  }

  private final int maxPerAddress;
  private final long headerTimeoutNanos;
  private final Metrics metrics;
  private final Map<Connection, State> connections = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper;

  ConnectionGuard(int maxPerAddress, long headerTimeoutMillis, Metrics metrics) {
    this.maxPerAddress = maxPerAddress;
    this.headerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis);
    this.metrics = metrics;
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
        .name("densephrases-connection-sweeper").daemon(true).unstarted(r));
    long period = Math.max(20, headerTimeoutMillis / 5);
    sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  static String address(SocketAddress a) {
    if (a instanceof InetSocketAddress i) {
      return i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
    }
    return String.valueOf(a);
  }

  @Override
  public void onOpened(Connection connection) {
    EndPoint ep = connection.getEndPoint();
    String addr = address(ep.getRemoteSocketAddress());
    State s = new State(addr);
    connections.put(connection, s);
    int n = perAddress.computeIfAbsent(addr, a -> new AtomicInteger()).incrementAndGet();
    if (n > maxPerAddress) {
      metrics.connectionClosed("per_address_cap");
      ep.close();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    State s = connections.remove(connection);
    if (s != null) {
      perAddress.computeIfPresent(s.address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
    }
  }

  void requestStarted(Connection c) {
    State s = connections.get(c);
    if (s != null) {
      s.active.incrementAndGet();
    }
  }

  void requestEnded(Connection c) {
    State s = connections.get(c);
    if (s != null) {
      s.idleSince = System.nanoTime();
      s.active.decrementAndGet();
    }
  }

  /** Open connections now. */
  int open() {
    return connections.size();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (var e : connections.entrySet()) {
      State s = e.getValue();
      if (s.active.get() <= 0 && now - s.idleSince > headerTimeoutNanos) {
        metrics.connectionClosed("header_timeout");
        connections.remove(e.getKey());
        perAddress.computeIfPresent(s.address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
        e.getKey().getEndPoint().close();
      }
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
