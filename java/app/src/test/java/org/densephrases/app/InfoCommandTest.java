package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
  @Test
  void infoListsEveryBackendAndTheChoice() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc;
    try {
      System.setOut(new PrintStream(buf, true));
      rc = Main.commandLine().execute("info");
    } finally {
      System.setOut(old);
    }
    String out = buf.toString();
    assertEquals(0, rc, out);
    assertTrue(out.contains("scalar  available"), out);
    assertTrue(out.contains("cuda"), out);
    assertTrue(out.contains("chosen: "), out);
  }

  @Test
  void unknownVerbIsAUsageError() {
    assertEquals(2, Main.commandLine().execute("no-such-verb"));
  }
}
