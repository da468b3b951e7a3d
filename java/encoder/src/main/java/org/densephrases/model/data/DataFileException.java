package org.densephrases.model.data;

/** A data file that is missing or does not have the expected layout; the message names the file and the place. */
public final class DataFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An error with a message.
   *
   * @param message what is wrong, naming the file and the place
   */
  public DataFileException(String message) {
    super(message);
  }

  /**
   * An error with a message and its cause.
   *
   * @param message what is wrong, naming the file and the place
   * @param cause the underlying error
   */
  public DataFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
