package org.densephrases.app;

import java.util.concurrent.Callable;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.model.data.DataFileException;

/**
 * Turns the errors a user can fix (a missing, truncated, corrupted or mismatched file; an unreadable corpus) into
 * IllegalArgumentException, which Main's handler prints as one line with exit code 2. Anything else stays a bug.
 */
final class UserErrors {
  private UserErrors() {}

  static Integer run(Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (FileFormatException | DataFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (java.nio.file.NoSuchFileException e) {
      String reason = e.getReason();
      throw new IllegalArgumentException(e.getFile() + ": " + (reason != null ? reason : "not found"), e);
    }
  }
}
