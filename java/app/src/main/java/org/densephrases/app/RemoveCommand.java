package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.densephrases.index.update.DumpUpdater;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code densephrases remove}: marks documents deleted in a new generation; search never returns them again. */
@Command(name = "remove", mixinStandardHelpOptions = true,
    description = "Remove documents from a dump (marked deleted in a new generation; 'compact' drops their rows).")
final class RemoveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dump", required = true, description = "the dump directory to change")
  Path dump;

  @Option(names = "--ids", required = true, split = ",", description = "document ids, or keys (the id before its"
      + " last '#': a text file's path removes all its passages)")
  List<String> ids;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::remove);
  }

  private Integer remove() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<String> clean = ids.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (clean.isEmpty()) {
      throw new IllegalArgumentException("--ids: no document id given");
    }
    long t0 = System.nanoTime();
    try (DumpUpdater u = Changes.open(dump)) {
      Changes.reportRecovered(out, u);
      Changes.print(out, "remove", u.remove(clean), (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }
}
