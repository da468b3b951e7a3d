package org.densephrases.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.densephrases.index.update.DumpUpdater;

/** What the add, remove and compact verbs share: opening the updater with user-facing errors, the report lines. */
final class Changes {
  private Changes() {}

  /** Locks the dump for a change; a missing dump or a held lock are the user's to fix (exit 2). */
  static DumpUpdater open(Path dump) throws IOException {
    if (!Files.isDirectory(dump)) {
      throw new NoSuchFileException(dump.toString(), null, "dump directory not found (build it with 'densephrases dump')");
    }
    try {
      return DumpUpdater.open(dump);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static void reportRecovered(PrintWriter out, DumpUpdater u) {
    if (!u.recovered().isEmpty()) {
      out.println("recovered: deleted " + u.recovered().size() + " files an interrupted change had left: "
          + String.join(", ", new java.util.TreeSet<>(u.recovered())));
      out.flush();
    }
  }

  static void print(PrintWriter out, String verb, DumpUpdater.Report r, double seconds) {
    out.printf(Locale.ROOT, "%s: generation %d committed: %d documents added, %d deleted, %,d tokens added; "
        + "indexes: %s; %.1fs%n", verb, r.generation(), r.added(), r.deleted(), r.tokensAdded(),
        AddCommand.drift(r.indexes()), seconds);
    out.println("generation: " + r.generation());
    out.flush();
  }
}
