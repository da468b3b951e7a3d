package org.densephrases.index.update;

import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link KillDuringUpdateTest}: runs one change on a dump directory ({@code add}, {@code remove}
 * or {@code compact}, with the fixture's documents); the parent sets {@code -Ddensephrases.crashAt} to stop it.
 */
public final class UpdateChild {
  private UpdateChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      run(u, args[1]);
    }
  }

  static DumpUpdater.Report run(DumpUpdater u, String op) throws Exception {
    return switch (op) {
      case "add" -> u.add(UpdateFixture.more());
      case "remove" -> u.remove(List.of("doc-2", "new-4", "doc-3"));
      case "compact" -> u.compact();
      default -> throw new IllegalArgumentException(op);
    };
  }
}
