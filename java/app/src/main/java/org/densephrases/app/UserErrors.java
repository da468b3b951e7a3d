package org.densephrases.app;

import java.util.concurrent.Callable;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.model.data.DataFileException;

/**
 * Turns the errors a user can fix (a missing, truncated, corrupted or mismatched file; an unreadable corpus) into
 * IllegalArgumentException, which Main's handler prints as one line with exit code 2. Anything else stays a bug.
 */
public final class UserErrors {
  private UserErrors() {}

  /**
   * Runs a verb's body, turning the errors a user can fix into a one-line IllegalArgumentException.
   *
   * @param body the verb's work
   * @return its exit code
   * @throws Exception what the body throws, a user's error as IllegalArgumentException
   */
  public static Integer run(Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (FileFormatException | DataFileException e) {
      throw new IllegalArgumentException(oneLine(e.getMessage()), e);
    } catch (java.nio.file.NoSuchFileException e) {
      throw notFound(e);
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof java.nio.file.NoSuchFileException n) {
        throw notFound(n);
      }
      throw e;
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().contains("\n")) {
        throw new IllegalArgumentException(oneLine(e.getMessage()), e);
      }
      throw e;
    }
  }

  private static IllegalArgumentException notFound(java.nio.file.NoSuchFileException e) {
    String reason = e.getReason();
    return new IllegalArgumentException(e.getFile() + ": " + (reason != null ? reason : "not found"), e);
  }

  /** Messages of parsers (gson) span lines; the user gets one. */
  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
