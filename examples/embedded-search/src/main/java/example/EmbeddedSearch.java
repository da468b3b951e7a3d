package example;

import java.nio.file.Path;
import java.util.List;
import org.densephrases.index.search.Answer;
import org.densephrases.search.DensePhrases;
import org.densephrases.search.DensePhrasesException;
import org.densephrases.search.SearchResult;

/**
 * A service's view of densephrases: open once, answer questions (one batch), close.
 *
 * <pre>
 *   java ... example.EmbeddedSearch MODEL_DIR DUMP_DIR INDEX "question" ["question" ...]
 * </pre>
 */
public final class EmbeddedSearch {
  private EmbeddedSearch() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: EmbeddedSearch MODEL_DIR DUMP_DIR exact|sq8|pq QUESTION...");
      System.exit(2);
    }
    List<String> questions = List.of(args).subList(3, args.length);
    try (DensePhrases dp = DensePhrases.builder().model(Path.of(args[0])).dump(Path.of(args[1])).index(args[2])
        .k(3).open()) {
      for (SearchResult r : dp.searchBatch(questions)) {
        System.out.println("Q: " + r.question());
        for (Answer a : r.answers()) {
          System.out.printf("  %-30s %7.2f  %s (%s)%n", a.text(), a.score(), a.title(), a.docId());
        }
      }
    } catch (DensePhrasesException e) {
      System.err.println("embedded-search: " + e.getMessage());
      System.exit(2);
    }
  }
}
