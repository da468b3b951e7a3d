package org.densephrases.bench.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.app.serve.SearchServer;

/**
 * The abuse mixes of the load test (tools/bench-serve.sh): light clients asking single k=1 questions while
 *
 * <ul>
 *   <li><b>flood</b>: clients send 64-question batches in a closed loop, in turn one at the cost limit (answered), one
 *       the same but abandoned (the socket closed 150 ms after sending), one over the cost limit (refused);
 *   <li><b>slowloris</b>: hundreds of connections from one address each send a request line, then one header byte
 *       every 3 s, never finishing.
 * </ul>
 *
 * <p>Each mix is bounded in time and connections, runs on loopback only, and stops by itself. The light clients, the
 * flood and the slow connections come from different loopback addresses (127.0.0.2, 127.0.0.1, 127.0.0.3): they are
 * different clients to the server's per-address limits, as they would be on a network.
 */
final class ServeAbuseLoad {
  static final String LIGHT_ADDRESS = "127.0.0.2";
  static final String SLOW_ADDRESS = "127.0.0.3";

  /** What one mix measured. */
  record Mix(String name, String traffic, ServeLoadMain.Level light, Map<String, Long> lightStatuses,
      Map<String, Long> otherStatuses, Map<String, Double> server, long heapStart, long heapEnd, int httpThreadsStart,
      int httpThreadsPeak, int httpThreadsEnd, int connectionsPeak) {}

  private ServeAbuseLoad() {}

  /** HTTP/1.1 client whose connections come from {@code address}. */
  static HttpClient clientFrom(String address) {
    try {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
          .localAddress(java.net.InetAddress.getByName(address)).build();
    } catch (IOException e) {
      throw new IllegalStateException("cannot use local address " + address + ": " + e.getMessage(), e);
    }
  }

  /** Threads of Jetty's pool, and the server's open connections, sampled until stopped. */
  static final class Sampler implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger peakThreads = new AtomicInteger();
    final AtomicInteger peakConnections = new AtomicInteger();
    final Thread thread;

    Sampler(SearchServer server) {
      thread = Thread.ofPlatform().daemon(true).name("bench-sampler").start(() -> {
        while (!stop.get()) {
          peakThreads.accumulateAndGet(httpThreads(), Math::max);
          peakConnections.accumulateAndGet((int) metric(server.metrics().render(), "densephrases_connections_open"),
              Math::max);
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  static int httpThreads() {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("densephrases-http")) {
        n++;
      }
    }
    return n;
  }

  static double metric(String exposition, String nameAndLabels) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(nameAndLabels + " ")) {
        return Double.parseDouble(line.substring(nameAndLabels.length() + 1));
      }
    }
    return 0;
  }

  private static final Pattern COUNTER = Pattern.compile("^(densephrases_(?:http_requests_total|cancelled_total|"
      + "deadline_exceeded_total|http_requests_abandoned_total|connections_closed_total)\\{[^}]*\\}) (\\S+)$",
      Pattern.MULTILINE);

  /** The server's request, cancellation, deadline and connection counters. */
  static Map<String, Double> counters(SearchServer server) {
    Map<String, Double> out = new TreeMap<>();
    Matcher m = COUNTER.matcher(server.metrics().render());
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> d = new TreeMap<>();
    for (var e : after.entrySet()) {
      double v = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      if (v != 0) {
        d.put(e.getKey(), v);
      }
    }
    return d;
  }

  static String batchBody(List<String> questions, int k, int maxAnswerLength) {
    StringBuilder sb = new StringBuilder("{\"questions\": [");
    for (int i = 0; i < 64; i++) {
      String q = questions.get(i % questions.size()).replace("\\", "\\\\").replace("\"", "\\\"");
      sb.append(i == 0 ? "" : ", ").append('"').append(q).append('"');
    }
    return sb.append("], \"k\": ").append(k).append(", \"max_answer_length\": ").append(maxAnswerLength).append('}')
        .toString();
  }

  static Mix flood(ServeLoadMain bench, SearchServer server, List<String> questions, int floodClients,
      int lightClients, int seconds, long maxCost, int maxK) throws Exception {
    URI base = server.uri();
    int heavyK = (int) Math.max(1, Math.min(maxK, maxCost / (64 * 20)));
    String heavy = batchBody(questions, heavyK, 20);
    String over = batchBody(questions, maxK, 128);
    byte[] heavyBytes = heavy.getBytes(StandardCharsets.UTF_8);
    byte[] abandonRequest = ("POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + heavyBytes.length + "\r\n\r\n" + heavy).getBytes(StandardCharsets.UTF_8);
    HttpClient floodClient = clientFrom("127.0.0.1");
    Map<String, LongAdder> other = new ConcurrentHashMap<>();
    long heapStart = ServeLoadMain.heapAfterGc();
    Map<String, Double> before = counters(server);
    int threadsStart = httpThreads();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> flooders = new ArrayList<>();
    ServeLoadMain.Level light;
    try (Sampler sampler = new Sampler(server)) {
      for (int i = 0; i < floodClients; i++) {
        int me = i;
        flooders.add(Thread.ofPlatform().name("bench-flood-" + i).start(() -> {
          int n = me;
          while (System.nanoTime() < end) {
            String kind = switch (n++ % 3) {
              case 0 -> "batch k=" + heavyK;
              case 1 -> "batch k=" + heavyK + " abandoned";
              default -> "batch k=" + maxK + " L=128";
            };
            try {
              if (kind.endsWith("abandoned")) {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
                  s.getOutputStream().write(abandonRequest);
                  s.getOutputStream().flush();
                  Thread.sleep(150);
                }
                other.computeIfAbsent(kind, x -> new LongAdder()).increment();
              } else {
                HttpRequest r = HttpRequest.newBuilder(base.resolve("api/batch")).timeout(Duration.ofSeconds(70))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(kind.contains("L=128") ? over : heavy)).build();
                int status = floodClient.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
                other.computeIfAbsent(kind + " -> " + status, x -> new LongAdder()).increment();
              }
            } catch (IOException e) {
              other.computeIfAbsent(kind + " -> " + e.getClass().getSimpleName(), x -> new LongAdder()).increment();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }));
      }
      light = bench.run(List.of(clientFrom(LIGHT_ADDRESS)), base, questions, lightClients, seconds,
          Integer.MAX_VALUE, 1);
      for (Thread t : flooders) {
        t.join(80_000);
      }
      return finish("flood", floodClients + " clients from 127.0.0.1 in a closed loop, in turn: a 64-question batch "
          + "at the cost limit (k " + heavyK + ", L 20), the same batch abandoned 150 ms after sending, a 64-question "
          + "batch over the limit (k " + maxK + ", L 128)", server, light, other, before, heapStart, threadsStart,
          sampler);
    }
  }

  static Mix slowloris(ServeLoadMain bench, SearchServer server, List<String> questions, int connections,
      int lightClients, int seconds) throws Exception {
    URI base = server.uri();
    long heapStart = ServeLoadMain.heapAfterGc();
    Map<String, Double> before = counters(server);
    int threadsStart = httpThreads();
    Map<String, LongAdder> other = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    try (Sampler sampler = new Sampler(server)) {
      var lightRun = new java.util.concurrent.CompletableFuture<ServeLoadMain.Level>();
      Thread lightThread = Thread.ofPlatform().name("bench-light").start(() -> {
        try {
          lightRun.complete(bench.run(List.of(clientFrom(LIGHT_ADDRESS)), base, questions, lightClients, seconds,
              Integer.MAX_VALUE, 1));
        } catch (Throwable t) {
          lightRun.completeExceptionally(t);
        }
      });
      List<Socket> open = new ArrayList<>();
      long[] lifetimes = new long[connections];
      int closedCount = 0;
      for (int i = 0; i < connections; i++) {
        Socket s = new Socket();
        try {
          s.bind(new InetSocketAddress(SLOW_ADDRESS, 0));
          s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
          s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
              .getBytes(StandardCharsets.US_ASCII));
          s.setSoTimeout(1);
          open.add(s);
        } catch (IOException e) {
          s.close();
          other.computeIfAbsent("connect failed", x -> new LongAdder()).increment();
        }
      }
      long[] opened = new long[open.size()];
      Arrays.fill(opened, System.nanoTime());
      boolean[] closed = new boolean[open.size()];
      while (System.nanoTime() < end) {
        for (int i = 0; i < open.size(); i++) {
          if (closed[i]) {
            continue;
          }
          Socket s = open.get(i);
          boolean gone;
          try {
            OutputStream out = s.getOutputStream();
            out.write('a');
            out.flush();
            InputStream in = s.getInputStream();
            gone = in.read() == -1;
          } catch (SocketTimeoutException e) {
            gone = false;
          } catch (IOException e) {
            gone = true;
          }
          if (gone) {
            closed[i] = true;
            lifetimes[closedCount++] = System.nanoTime() - opened[i];
          }
        }
        Thread.sleep(Math.max(0, Math.min(3_000, (end - System.nanoTime()) / 1_000_000)));
      }
      int stillOpen = 0;
      for (int i = 0; i < open.size(); i++) {
        if (!closed[i]) {
          stillOpen++;
        }
        open.get(i).close();
      }
      long[] lt = Arrays.copyOf(lifetimes, closedCount);
      Arrays.sort(lt);
      long atOnce = Arrays.stream(lt).filter(x -> x < 1_500_000_000L).count();
      other.computeIfAbsent("connections opened", x -> new LongAdder()).add(open.size());
      other.computeIfAbsent("closed by the server at the first check (< 1.5 s)", x -> new LongAdder()).add(atOnce);
      other.computeIfAbsent("closed by the server later", x -> new LongAdder()).add(closedCount - atOnce);
      other.computeIfAbsent("still open after " + seconds + " s", x -> new LongAdder()).add(stillOpen);
      if (closedCount > atOnce) {
        other.computeIfAbsent("median lifetime of those closed later, ms", x -> new LongAdder())
            .add(lt[(int) (atOnce + (closedCount - atOnce) / 2)] / 1_000_000);
      }
      lightThread.join();
      return finish("slowloris", connections + " connections from " + SLOW_ADDRESS + ", each a request line then "
          + "one header byte every 3 s", server, lightRun.get(), other, before, heapStart, threadsStart, sampler);
    }
  }

  private static Mix finish(String name, String traffic, SearchServer server, ServeLoadMain.Level light,
      Map<String, LongAdder> other, Map<String, Double> before, long heapStart, int threadsStart, Sampler sampler)
      throws InterruptedException {
    Map<String, Long> o = new TreeMap<>();
    other.forEach((k, v) -> o.put(k, v.sum()));
    Map<String, Double> d = delta(before, counters(server));
    int peak = Math.max(sampler.peakThreads.get(), threadsStart);
    long heapEnd = ServeLoadMain.heapAfterGc();
    System.out.printf(Locale.ROOT, "bench-serve: %s: light %d clients %.1f q/s p50 %.1f ms p99 %.1f ms, %d errors; "
        + "other %s; http threads %d -> peak %d%n", name, light.clients(), light.qps(), light.p50(), light.p99(),
        light.errors(), o, threadsStart, peak);
    return new Mix(name, traffic, light, light.statuses(), o, d, heapStart, heapEnd, threadsStart, peak,
        httpThreads(), sampler.peakConnections.get());
  }

  /** The mixes' section of serve-load.md (empty when none ran). */
  static String markdown(List<Mix> mixes) {
    if (mixes.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\n## Abuse mixes\n\n");
    sb.append("Light clients (from ").append(LIGHT_ADDRESS).append(") ask `GET /api/search?k=1` in a closed loop "
        + "while the abuse runs; the server has its default guards (deadline 10 s, cost 32,768, 5 s of queued work "
        + "per lane, header deadline 10 s, 64 connections per address). Threads = Jetty's pool "
        + "(`densephrases-http-*`), sampled every 250 ms.\n\n");
    sb.append("| mix | light clients | light requests | light q/s | light p50 ms | light p99 ms | light mean queue / "
        + "search ms | light errors | heap after GC, start -> end (MB) | HTTP threads start / peak / end | "
        + "open connections, peak |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---|---:|---|---|---:|\n");
    for (Mix m : mixes) {
      ServeLoadMain.Level l = m.light();
      sb.append(String.format(Locale.ROOT, "| %s | %d | %,d | %.1f | %.1f | %.1f | %.1f / %.1f | %d%s | %.1f -> %.1f "
          + "| %d / %d / %d | %d |%n", m.name(), l.clients(), l.requests(), l.qps(), l.p50(), l.p99(),
          l.meanQueueMs(), l.meanSearchMs(), l.errors(),
          m.lightStatuses().isEmpty() ? "" : " " + m.lightStatuses(), m.heapStart() / 1e6, m.heapEnd() / 1e6,
          m.httpThreadsStart(), m.httpThreadsPeak(), m.httpThreadsEnd(), m.connectionsPeak()));
    }
    for (Mix m : mixes) {
      sb.append("\n**").append(m.name()).append("**: ").append(m.traffic()).append(".\n\n");
      sb.append("| the abusive traffic | count |\n|---|---:|\n");
      m.otherStatuses().forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(String.format(Locale.ROOT,
          "%,d", v)).append(" |\n"));
      sb.append("\n| server counter (change over the mix) | count |\n|---|---:|\n");
      m.server().forEach((k, v) -> sb.append("| `").append(k).append("` | ").append(String.format(Locale.ROOT,
          "%,.0f", v)).append(" |\n"));
    }
    return sb.toString();
  }

  /**
   * Bar chart of the light clients' p50 and p99 per run (ms), with the 1 s line the service aims to stay under; written
   * to a temporary name and renamed.
   */
  static void chart(java.nio.file.Path png, List<String> names, double[] p50, double[] p99) throws IOException {
    int w = 900;
    int h = 500;
    int left = 80;
    int bottom = 80;
    int top = 60;
    var img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING,
        java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, w, h);
    double max = 1100;
    for (int i = 0; i < names.size(); i++) {
      max = Math.max(max, Double.isNaN(p99[i]) ? 0 : p99[i] * 1.1);
    }
    int plotH = h - top - bottom;
    int plotW = w - left - 30;
    g.setColor(java.awt.Color.BLACK);
    g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 16));
    g.drawString("k=1 search latency of light clients, alone and under abuse (loopback, this machine)", left, 30);
    g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
    g.drawLine(left, top, left, top + plotH);
    g.drawLine(left, top + plotH, left + plotW, top + plotH);
    for (int t = 0; t <= 5; t++) {
      double v = max * t / 5;
      int y = top + plotH - (int) (plotH * v / max);
      g.setColor(new java.awt.Color(0xdddddd));
      g.drawLine(left + 1, y, left + plotW, y);
      g.setColor(java.awt.Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%.0f ms", v), 10, y + 4);
    }
    int y1s = top + plotH - (int) (plotH * 1000 / max);
    g.setColor(new java.awt.Color(0xd62728));
    g.setStroke(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
        new float[] {8f, 6f}, 0f));
    g.drawLine(left + 1, y1s, left + plotW, y1s);
    g.drawString("1 s", left + plotW - 30, y1s - 5);
    g.setStroke(new java.awt.BasicStroke(1f));
    int group = plotW / Math.max(1, names.size());
    int bar = Math.min(80, group / 3);
    java.awt.Color c50 = new java.awt.Color(0x1f77b4);
    java.awt.Color c99 = new java.awt.Color(0xff7f0e);
    for (int i = 0; i < names.size(); i++) {
      int x = left + i * group + group / 2 - bar;
      double[] vals = {p50[i], p99[i]};
      for (int b = 0; b < 2; b++) {
        double v = Double.isNaN(vals[b]) ? 0 : vals[b];
        int bh = (int) (plotH * v / max);
        g.setColor(b == 0 ? c50 : c99);
        g.fillRect(x + b * bar, top + plotH - bh, bar - 4, bh);
        g.setColor(java.awt.Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%.0f", v), x + b * bar + 4, top + plotH - bh - 4);
      }
      g.drawString(names.get(i), x, top + plotH + 20);
    }
    g.setColor(c50);
    g.fillRect(left + 10, h - 30, 14, 14);
    g.setColor(java.awt.Color.BLACK);
    g.drawString("p50", left + 30, h - 18);
    g.setColor(c99);
    g.fillRect(left + 80, h - 30, 14, 14);
    g.setColor(java.awt.Color.BLACK);
    g.drawString("p99", left + 100, h - 18);
    g.dispose();
    java.nio.file.Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
    javax.imageio.ImageIO.write(img, "png", tmp.toFile());
    java.nio.file.Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
