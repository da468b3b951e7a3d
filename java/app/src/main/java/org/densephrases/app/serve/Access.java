package org.densephrases.app.serve;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Who may call the server, checked before routing: the Host header against the allow-list (DNS rebinding), CORS
 * headers for configured origins only, and the API key. A refusal is an {@link ApiException} (401 or 403).
 */
final class Access {
  private final Guards guards;
  private final Set<String> allowedHosts;

  Access(String boundHost, Guards guards) {
    this.guards = guards;
    this.allowedHosts = allowedHosts(boundHost, guards.allowedHosts());
  }

  Set<String> allowedHosts() {
    return allowedHosts;
  }

  /** DNS rebinding: a page of another site that resolves its name to us would send its own name as Host. */
  void checkHost(Request request) {
    if (allowedHosts.contains("*")) {
      return;
    }
    String h = request.getHeaders().get(HttpHeader.HOST);
    if (h == null) {
      return; // HTTP/1.0 without Host: not a browser (browsers always send it); HTTP/1.1 without it is Jetty's 400
    }
    String name = hostName(h);
    if (!allowedHosts.contains(name)) {
      throw new ApiException(403, "host '" + Requests.abbreviate(name) + "' is not served here: the Host header "
          + "must name this server (allowed: " + String.join(", ", allowedHosts) + "; --allowed-hosts adds names)");
    }
  }

  /** The name of a Host header value, lower case, without port or brackets. */
  static String hostName(String header) {
    String h = header.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close > 0 ? h.substring(1, close) : h;
    }
    int colon = h.indexOf(':');
    if (colon >= 0 && colon == h.lastIndexOf(':')) {
      h = h.substring(0, colon);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  static Set<String> allowedHosts(String bound, List<String> configured) {
    Set<String> out = new LinkedHashSet<>();
    if (!configured.isEmpty()) {
      for (String h : configured) {
        out.add(h.equals("*") ? h : hostName(h));
      }
      return Set.copyOf(out);
    }
    out.addAll(List.of("localhost", "127.0.0.1", "::1"));
    String b = hostName(bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound);
    if (b.equals("0.0.0.0") || b.equals("::")) {
      // Every address of this machine, and its name: what a client on the network may type.
      try {
        out.add(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        out.add(InetAddress.getLocalHost().getCanonicalHostName().toLowerCase(Locale.ROOT));
        for (NetworkInterface ni : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
          for (InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
            String s = a.getHostAddress();
            int zone = s.indexOf('%');
            out.add((zone >= 0 ? s.substring(0, zone) : s).toLowerCase(Locale.ROOT));
          }
        }
      } catch (IOException e) {
        // no interfaces listed: loopback names only; --allowed-hosts says more
      }
    } else {
      out.add(b);
    }
    return Set.copyOf(out);
  }

  /**
   * CORS: headers only for configured origins; a preflight (OPTIONS) from one is answered here.
   *
   * @return true if the request is a preflight from an allowed origin: the caller answers 204 (headers are set)
   */
  boolean cors(Request request, Response response, boolean api) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    List<String> allowed = guards.corsOrigins();
    boolean ok = origin != null && (allowed.contains("*") || allowed.contains(origin));
    if (ok) {
      response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      response.getHeaders().add(HttpHeader.VARY, "Origin");
    }
    if (ok && api && request.getMethod().equals("OPTIONS")) {
      response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
      response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Authorization");
      response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
      return true;
    }
    return false;
  }

  void checkKey(Request request, Response response) {
    String key = guards.apiKey();
    if (key == null) {
      return;
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        key.getBytes(StandardCharsets.UTF_8))) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"densephrases\"");
      throw new ApiException(401, given == null ? "this server needs an API key: send Authorization: Bearer <key>"
          : "the API key is wrong");
    }
  }
}
