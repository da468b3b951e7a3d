package org.densephrases.index.dump;

/**
 * Named steps of a change to a dump directory where a test may stop the process as a kill would: when the system
 * property {@value #PROPERTY} names the step reached, the JVM halts at once (no shutdown hooks, no finally blocks, no
 * buffered output), exit status {@value #EXIT}. Production runs never set it; the kill tests run a child JVM with it
 * set to each step in turn.
 */
public final class CrashPoints {
  /** The system property naming the step to halt at. */
  public static final String PROPERTY = "densephrases.crashAt";
  /** The exit status of a halted JVM. */
  public static final int EXIT = 86;

  private CrashPoints() {}

  /**
   * Halts the JVM at once when {@link #PROPERTY} names {@code step}; does nothing otherwise.
   *
   * @param step the step just reached (for example {@link Generations#STEP_COMMITTED})
   */
  public static void reached(String step) {
    if (step.equals(System.getProperty(PROPERTY))) {
      Runtime.getRuntime().halt(EXIT);
    }
  }
}
