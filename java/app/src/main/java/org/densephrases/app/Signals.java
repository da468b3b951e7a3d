package org.densephrases.app;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT handled by us instead of the JVM's shutdown: a server asked to stop then stops in order and
 * exits 0. Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK); where a signal cannot be
 * handled (another handler owns it, or the platform lacks it) the JVM's default stays and shutdown hooks still run.
 */
final class Signals {
  private Signals() {}

  /** Runs {@code action} on the signal-dispatch thread at each SIGTERM or SIGINT; it must return quickly. */
  static void onStop(Runnable action) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), s -> action.run());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // not handled here: the JVM's default exit runs the shutdown hook instead
      }
    }
  }
}
