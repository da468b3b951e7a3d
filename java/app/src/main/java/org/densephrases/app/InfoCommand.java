package org.densephrases.app;

import java.util.concurrent.Callable;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;
import picocli.CommandLine.Command;

/** {@code densephrases info}: which kernel backends run here, which one is chosen, and why others are not. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Show the kernel backends available here and the one the search uses.")
final class InfoCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    for (String name : new String[] {"cuda", "simd", "scalar"}) {
      try {
        KernelBackend b = Backends.byName(name);
        System.out.printf("%-7s available  %s%n", name, b.device());
      } catch (UnsupportedBackendException e) {
        System.out.printf("%-7s skipped    %s%n", name, e.getMessage());
      }
    }
    KernelBackend best = Backends.best();
    System.out.println("chosen: " + best.name() + " (" + best.device() + ")");
    return 0;
  }
}
