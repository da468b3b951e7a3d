package org.densephrases.app.serve;

import java.util.List;
import java.util.Map;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;

/**
 * What the server asks of the model and the index: answers to a batch of question texts, in one search call. The
 * server never calls it from two threads for the same batch; implementations must still allow calls from several
 * search workers at once (SessionAnswerer: the search session serialises the encoder and lets searches overlap).
 */
public interface Answerer extends AutoCloseable {
  /**
   * @param questions checked, trimmed question texts (at least one)
   * @param options k, L, nprobe, candidates of the search (its unit is ignored)
   * @param units the units to aggregate the same scored spans by
   * @return per unit of {@code units}, per question, at most options.k() answers
   */
  Map<Unit, List<List<Answer>>> answer(List<String> questions, SearchOptions options, List<Unit> units);

  /** What is served, for /health and /metrics. */
  ServerInfo info();

  @Override
  void close();
}
