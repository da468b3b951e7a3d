package org.densephrases.app.serve;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * serve's admin listener, off unless {@code --admin-port} is given, and bound to the loopback address only (there is
 * no option to bind it elsewhere): {@code POST /admin/reload} looks for a newer dump generation now and serves it
 * ({@link ReloadingAnswerer#check()}), answering {@code {"generation": N, "reloaded": true|false}}. Only a process
 * on this machine can reach it; a request carrying an {@code Origin} header (a browser page, which could otherwise
 * post to a loopback port) is refused with 403, any method but POST gets 405. One thread: a reload is serialised by
 * the answerer anyway.
 */
public final class AdminServer implements AutoCloseable {
  private final HttpServer http;
  private final ExecutorService executor;

  private AdminServer(HttpServer http, ExecutorService executor) {
    this.http = http;
    this.executor = executor;
  }

  /**
   * Listens on the loopback address.
   *
   * @param port TCP port, 0 = any free one
   * @param answerer the answerer whose generation it reloads
   * @return the running admin server; {@link #close()} stops it
   * @throws IOException when the port cannot be bound
   */
  public static AdminServer start(int port, ReloadingAnswerer answerer) throws IOException {
    HttpServer h = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8);
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "densephrases-admin");
      t.setDaemon(true);
      return t;
    });
    h.setExecutor(ex);
    h.createContext("/admin/reload", x -> {
      try (x) {
        if (x.getRequestHeaders().containsKey("Origin")) {
          reply(x, 403, error("admin requests from web pages are refused"));
        } else if (!x.getRequestMethod().equals("POST")) {
          x.getResponseHeaders().add("Allow", "POST");
          reply(x, 405, error("use POST"));
        } else {
          boolean reloaded = answerer.check();
          JsonObject o = new JsonObject();
          o.addProperty("generation", answerer.info().generation());
          o.addProperty("reloaded", reloaded);
          reply(x, 200, o);
        }
      }
    });
    h.createContext("/", x -> {
      try (x) {
        reply(x, 404, error("not found: the admin endpoint is POST /admin/reload"));
      }
    });
    h.start();
    return new AdminServer(h, ex);
  }

  private static JsonObject error(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return o;
  }

  private static void reply(HttpExchange x, int status, JsonObject body) throws IOException {
    byte[] b = (body + "\n").getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  /**
   * Where it listens (a loopback address).
   *
   * @return the bound address and port
   */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
