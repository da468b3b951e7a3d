package org.densephrases.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code densephrases} command: one verb per job. Each verb is its own class in this package (or a
 * subpackage) and is registered in {@link #commandLine()}.
 */
@Command(
    name = "densephrases",
    mixinStandardHelpOptions = true,
    version = "densephrases 0.1.0",
    description = "Phrase retrieval for question answering on the JVM.",
    subcommands = {InfoCommand.class,
        DumpCommand.class,
        AddCommand.class,
        RemoveCommand.class,
        CompactCommand.class,
        TrainCommand.class,
        TrainQueryCommand.class,
        EvalRcCommand.class,
        ExportCommand.class,
        TeacherCommand.class,
        AugmentCommand.class,
        IndexCommand.class,
        SearchCommand.class,
        EvalOpenCommand.class,
        ServeCommand.class})
public final class Main implements Runnable {
  /** The top-level command (picocli instantiates it; {@link #commandLine()} wires the verbs). */
  public Main() {}

  /**
   * Runs the verb named by {@code args} and exits the JVM with its status (0 ok, 2 for a usage or input error).
   *
   * @param args the command line, verb first
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command tree; tests run verbs through it in-process.
   *
   * @return a new command line over every verb, with the error handling {@link #main(String[])} uses
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      // Bad input is the user's to fix: one clear line, no stack trace. Anything else is a bug: full trace.
      if (ex instanceof IllegalArgumentException || ex instanceof java.io.FileNotFoundException
          || ex instanceof java.nio.file.NoSuchFileException) {
        cmd.getErr().println("densephrases " + cmd.getCommandName() + ": " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
