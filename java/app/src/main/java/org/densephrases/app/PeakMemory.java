package org.densephrases.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process (VmHWM from /proc/self/status: Java heap + libtorch's native memory). */
final class PeakMemory {
  private PeakMemory() {}

  static String line() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:")) {
          return "peak RSS " + l.substring(6).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return "peak RSS unknown (" + e.getMessage() + ")";
    }
    return "peak RSS unknown";
  }
}
