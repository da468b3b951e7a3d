package org.densephrases.app.serve;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Test client: JDK HttpClient for well-formed requests, a raw socket for paths a client library would clean up. */
final class Http {
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  record Reply(int status, String contentType, String body, String headers) {
    Reply(int status, String contentType, String body) {
      this(status, contentType, body, "");
    }

    JsonObject json() {
      return JsonParser.parseString(body).getAsJsonObject();
    }
  }

  private Http() {}

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static Reply get(URI base, String pathAndQuery) throws IOException, InterruptedException {
    HttpRequest r = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(60)).GET().build();
    return send(r);
  }

  static Reply post(URI base, String path, String contentType, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b.build());
  }

  static Reply send(HttpRequest r) throws IOException, InterruptedException {
    HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    return new Reply(resp.statusCode(), resp.headers().firstValue("content-type").orElse(""), resp.body());
  }

  /** Sends the request line exactly as given (no normalisation, no encoding) and returns status and body. */
  static Reply raw(int port, String method, String target, String extraHeaders, String body) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n"
          + (extraHeaders == null ? "" : extraHeaders) + (body == null ? "" : "Content-Length: " + b.length + "\r\n")
          + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(b);
      out.flush();
      return read(s);
    }
  }

  /** Sends these bytes as they are (request line, headers, body) on a new connection; status, type and body. */
  static Reply exact(int port, byte[] request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      return read(s);
    }
  }

  /** The whole response of a connection, with its header block kept in {@link Reply#headers}. */
  private static Reply read(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String resp = all.toString(StandardCharsets.UTF_8);
    int sp = resp.indexOf(' ');
    int status = Integer.parseInt(resp.substring(sp + 1, sp + 4));
    int split = resp.indexOf("\r\n\r\n");
    String headers = resp.substring(0, Math.max(0, split)).toLowerCase(java.util.Locale.ROOT);
    String type = "";
    for (String line : headers.split("\r\n")) {
      if (line.startsWith("content-type:")) {
        type = line.substring(13).strip();
      }
    }
    return new Reply(status, type, split < 0 ? "" : resp.substring(split + 4), headers);
  }
}
