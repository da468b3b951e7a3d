package org.densephrases.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Reports and results files the verbs write: whole or not at all (a temporary name, then an atomic rename). */
public final class TextFiles {
  private TextFiles() {}

  /**
   * Writes {@code text} as UTF-8 to {@code out} (its folder created if needed) through {@code out.tmp}.
   *
   * @param out the file
   * @param text its new content
   * @throws IOException when it cannot be written (the old content stays)
   */
  public static void writeAtomically(Path out, String text) throws IOException {
    Path abs = out.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
