package org.densephrases.app;

import picocli.CommandLine;

/**
 * Runs {@code bench-scale} alone, for the GPU machine: its classpath needs only the kernels, index and app jars and
 * picocli (no DJL, no java.desktop), where {@link Main} would load every verb.
 */
public final class BenchScaleMain {
  private BenchScaleMain() {}

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new BenchScaleCommand());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException) {
        cmd.getErr().println("densephrases bench-scale: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    System.exit(cl.execute(args));
  }
}
