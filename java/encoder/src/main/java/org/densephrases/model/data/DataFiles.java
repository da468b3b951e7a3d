package org.densephrases.model.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens data files, gzip or plain (told apart by the gzip magic bytes, not the name), as UTF-8 text. */
public final class DataFiles {
  private DataFiles() {}

  /**
   * The shared data folder: system property {@code densephrases.data.dir}, else {@code ../shared/data}.
   *
   * @return the data folder (not checked for existence)
   */
  public static Path dataDir() {
    return Path.of(System.getProperty("densephrases.data.dir", "../shared/data"));
  }

  /**
   * Opens a UTF-8 text file for reading, gunzipping it when it starts with the gzip magic.
   *
   * @param file the path to open (gzip or plain UTF-8 text)
   * @param what what the file is, for the error message (for example {@code "corpus"})
   * @return a buffered reader; the caller closes it
   * @throws DataFileException when the file is missing, not a regular file, or cannot be read
   */
  public static BufferedReader open(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new DataFileException(what + " not found: " + file.toAbsolutePath()
          + (Files.exists(file) ? " is not a regular file" : ""));
    }
    try {
      InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new DataFileException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }
}
