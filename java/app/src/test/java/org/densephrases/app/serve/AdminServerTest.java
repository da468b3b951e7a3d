package org.densephrases.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The admin endpoint: off by default, on the loopback address only, POST /admin/reload serves a new generation. */
class AdminServerTest {
  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void offByDefault() {
    var cmd = org.densephrases.app.Main.commandLine().getSubcommands().get("serve");
    var admin = cmd.getCommandSpec().findOption("--admin-port");
    assertNull(admin.getValue(), "no admin listener unless --admin-port is given");
    assertTrue(admin.description()[0].contains("loopback address only"));
  }

  @Test
  void reloadOnLoopbackOnly() throws Exception {
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicLong latest = new AtomicLong();
    ReloadingAnswerer r = new ReloadingAnswerer(new ReloadUnderLoadTest.Generation(0, violations),
        cur -> new ReloadUnderLoadTest.Generation(latest.get(), violations), latest::get,
        ServeConfig.standard().defaults(), 0); // no watching: only the endpoint reloads
    try (AdminServer admin = AdminServer.start(0, r)) {
      assertTrue(admin.address().getAddress().isLoopbackAddress(), admin.address().toString());
      URI reload = URI.create("http://127.0.0.1:" + admin.address().getPort() + "/admin/reload");

      HttpResponse<String> nothing = send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(200, nothing.statusCode(), nothing.body());
      assertFalse(JsonParser.parseString(nothing.body()).getAsJsonObject().get("reloaded").getAsBoolean());

      latest.set(3);
      Thread.sleep(50);
      assertEquals(0, r.info().generation(), "not watching: nothing changes until asked");
      assertEquals(405, send(HttpRequest.newBuilder(reload).GET()).statusCode());
      assertEquals(403, send(HttpRequest.newBuilder(reload).header("Origin", "http://evil.example")
          .POST(HttpRequest.BodyPublishers.noBody())).statusCode(), "a web page may not post to it");
      assertEquals(0, r.info().generation());

      HttpResponse<String> ok = send(HttpRequest.newBuilder(reload).POST(HttpRequest.BodyPublishers.noBody()));
      assertEquals(200, ok.statusCode(), ok.body());
      var o = JsonParser.parseString(ok.body()).getAsJsonObject();
      assertEquals(3, o.get("generation").getAsLong());
      assertTrue(o.get("reloaded").getAsBoolean());
      assertEquals(3, r.info().generation());
      assertEquals(404, send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort()
          + "/api/search?q=x")).GET()).statusCode());
    } finally {
      r.close();
    }
    assertTrue(violations.isEmpty(), violations.toString());
  }
}
