package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.app.serve.Guards;
import org.densephrases.app.serve.ServeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The serve verb's guard options become the server's {@link Guards}; the key comes from a file, never argv. */
class ServeCommandOptionsTest {
  static ServeConfig config(String... args) {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c.config();
  }

  @Test
  void guardOptionsReachTheServer(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("serve.key");
    Files.writeString(key, "  s3cret-key-0123456789abcdef  \nignored second line\n");
    ServeConfig c = config("--host", "0.0.0.0", "--api-key-file", key.toString(), "--allowed-hosts",
        "search.example.org,10.0.0.5", "--cors-origin", "https://app.example.org", "--timeout-ms", "2000",
        "--max-timeout-ms", "4000", "--max-cost", "999", "--max-queue-ms", "1500", "--header-timeout-ms", "700",
        "--body-timeout-ms", "800", "--idle-timeout-ms", "900", "--max-connections-per-address", "5",
        "--max-connections", "50");
    Guards g = c.guards();
    assertEquals("s3cret-key-0123456789abcdef", g.apiKey(), "first line, trimmed");
    assertEquals(List.of("search.example.org", "10.0.0.5"), g.allowedHosts());
    assertEquals(List.of("https://app.example.org"), g.corsOrigins());
    assertEquals(2000, g.timeoutMillis());
    assertEquals(4000, g.maxTimeoutMillis());
    assertEquals(999, g.maxCost());
    assertEquals(1500, g.maxQueueMillis());
    assertEquals(700, g.headerTimeoutMillis());
    assertEquals(800, g.bodyTimeoutMillis());
    assertEquals(900, g.idleTimeoutMillis());
    assertEquals(5, g.maxConnectionsPerAddress());
    assertEquals(50, g.maxConnections());
    assertTrue(!g.toString().contains("s3cret"), "the key is never printed: " + g);
  }

  @Test
  void defaultsAreTheStandardGuards() {
    Guards g = config().guards();
    assertEquals(Guards.standard(), g);
    assertNull(g.apiKey());
  }

  @Test
  void aShortOrEmptyKeyIsRefused(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("short.key");
    Files.writeString(key, "short\n");
    var e = assertThrows(IllegalArgumentException.class, () -> config("--api-key-file", key.toString()));
    assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
    Files.writeString(key, "\n");
    e = assertThrows(IllegalArgumentException.class, () -> config("--api-key-file", key.toString()));
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
  }
}
