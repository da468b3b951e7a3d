package org.densephrases.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The verbs that run without DJL, for a machine without it (the GPU box): {@code dump}, {@code search} and
 * {@code eval-open} with an exported model (the pure-Java encoder, {@code --encoder java}, the default for exports)
 * or eval-open with {@code --question-vectors F}, and {@code index}. Its classpath needs only the
 * kernels, index, model (readers, metrics, the WordPiece tokenizer and the Java engine: no DJL class is loaded) and
 * app jars, picocli and gson; {@link Main} would load every verb.
 */
@Command(name = "densephrases", mixinStandardHelpOptions = true,
    description = "Verbs without DJL: dump, search and eval-open with an exported model (Java encoder), index.",
    subcommands = {DumpCommand.class, SearchCommand.class, EvalOpenCommand.class, IndexCommand.class})
public final class SearchSideMain implements Runnable {
  /** The top-level command of the search-side jar. */
  public SearchSideMain() {}

  /**
   * Runs the verb named by {@code args} and exits the JVM with its status (0 ok, 2 for an input error).
   *
   * @param args the command line, verb first
   */  public static void main(String[] args) {
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
