package org.densephrases.model.data;

/** A data file that is missing or does not have the expected layout; the message names the file and the place. */
public final class DataFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataFileException(String message) {
    super(message);
  }

  public DataFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
