package org.densephrases.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The verbs that need no encoder, for a machine without DJL (the GPU box): {@code eval-open --question-vectors F},
 * {@code index} and {@code bench-scale}. Its classpath needs only the kernels, index, model (readers and metrics,
 * no DJL class is loaded) and app jars, picocli and gson; {@link Main} would load every verb.
 */
@Command(name = "densephrases", mixinStandardHelpOptions = true,
    description = "Search-side verbs (no encoder): eval-open with --question-vectors, index, bench-scale.",
    subcommands = {EvalOpenCommand.class, IndexCommand.class, BenchScaleCommand.class})
public final class SearchSideMain implements Runnable {
  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new SearchSideMain());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException) {
        cmd.getErr().println("densephrases " + cmd.getCommandName() + ": " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    System.exit(cl.execute(args));
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
