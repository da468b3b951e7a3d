package org.densephrases.search;

/**
 * Why {@link DensePhrases} could not open or answer: a missing, corrupted or mismatched model, dump or index file (the
 * message names the file and what is wrong, the cause is the original exception), a bad option, a bad question, or a
 * closed instance.
 */
public final class DensePhrasesException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * An error.
   *
   * @param message what is wrong, naming the file, option or question
   * @param cause the original exception, or null
   */
  public DensePhrasesException(String message, Throwable cause) {
    super(message, cause);
  }
}
