package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.densephrases.index.update.DumpUpdater;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densephrases compact}: rewrites the shards holding deleted documents without them, and the indexes. */
@Command(name = "compact", mixinStandardHelpOptions = true,
    description = "Rewrite a dump and its indexes without the rows of deleted documents, as a new generation.")
final class CompactCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dump", required = true, description = "the dump directory to compact")
  Path dump;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::compact);
  }

  private Integer compact() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    try (DumpUpdater u = Changes.open(dump)) {
      Changes.reportRecovered(out, u);
      Changes.print(out, "compact", u.compact(), (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }
}
