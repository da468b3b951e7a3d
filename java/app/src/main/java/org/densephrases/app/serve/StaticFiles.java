package org.densephrases.app.serve;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web page's files, read from the jar ({@code org/densephrases/app/serve/web/}, beside this class).
 *
 * <p>The folder is flat and a request names one file: the path (as Jetty decoded and normalised it) must be "/" or "/"
 * + a name of letters, digits, '_' and '-' with one extension. No '/', '\', '%' or ".." can pass, so no request can
 * leave the folder whatever its encoding (Jetty already refuses ambiguous or escaping paths with 400; this is the
 * second wall, and it also keeps the class files next to the folder out of reach).
 */
final class StaticFiles {
  static final String FOLDER = "web/";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\.[a-z0-9]{1,8}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "png", "image/png",
      "svg", "image/svg+xml",
      "ico", "image/x-icon",
      "txt", "text/plain; charset=utf-8");

  record File(String contentType, byte[] bytes) {}

  private final Map<String, File> cache = new ConcurrentHashMap<>(); // hits only: misses must not grow it

  /** The file for a path in the server, or empty (404). */
  Optional<File> find(String path) {
    if (path == null) {
      return Optional.empty();
    }
    String name = path.equals("/") ? "index.html" : path.startsWith("/") ? path.substring(1) : null;
    if (name == null || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    String type = TYPES.get(ext);
    if (type == null) {
      return Optional.empty();
    }
    File f = cache.get(name);
    if (f == null) {
      Optional<File> loaded = load(name, type);
      loaded.ifPresent(x -> cache.put(name, x));
      return loaded;
    }
    return Optional.of(f);
  }

  private static Optional<File> load(String name, String type) {
    try (InputStream in = StaticFiles.class.getResourceAsStream(FOLDER + name)) {
      return in == null ? Optional.empty() : Optional.of(new File(type, in.readAllBytes()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + FOLDER + name + " from the jar: " + e.getMessage(), e);
    }
  }
}
