package org.densephrases.app;

import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * {@link UserErrors} plus the model side's file errors: a truncated or corrupt checkpoint, model export or
 * teacher-logit cache (EOFException / checksum IOException from their readers) is the user's to fix, so one line and
 * exit code 2 too. Used by train, eval-rc, export and teacher.
 */
final class ModelCliErrors {
  private ModelCliErrors() {}

  static Integer run(Callable<Integer> body) throws Exception {
    return UserErrors.run(() -> {
      try {
        return body.call();
      } catch (EOFException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      } catch (java.nio.file.NoSuchFileException e) {
        throw e;
      } catch (IOException e) {
        String m = e.getMessage();
        if (m != null && (m.contains("checksum") || m.contains("corrupt"))) {
          throw new IllegalArgumentException(m, e);
        }
        throw e;
      }
    });
  }
}
