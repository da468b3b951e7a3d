package org.densephrases.index.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dump or index file that is not what the reader expects: wrong magic, version, model id, dimension or dtype, a
 * truncated file, a bad checksum, a missing section. The message names the file and the field, so that a user can
 * tell which file to rebuild. An {@link IOException} (like Lucene's CorruptIndexException) so that callers handle it
 * where they handle a missing file.
 */
public class FileFormatException extends IOException {
  private final transient Path file;
  /** The header field, section or key that was wrong. */
  private final String field;

  /**
   * An error naming the file, the field and the problem (all three in the message).
   *
   * @param file the rejected file
   * @param field the field, section or key that was wrong
   * @param problem what is wrong with it
   */
  public FileFormatException(Path file, String field, String problem) {
    super(file + ": " + field + ": " + problem);
    this.file = file;
    this.field = field;
  }

  /**
   * The file that was rejected.
   *
   * @return the path of the rejected file
   */
  public Path file() {
    return file;
  }

  /**
   * The header field, section or key that was wrong (e.g. "magic", "dim", "payload checksum", "section CODES").
   *
   * @return the field name
   */
  public String field() {
    return field;
  }
}
