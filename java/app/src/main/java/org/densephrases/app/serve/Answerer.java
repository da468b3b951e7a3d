package org.densephrases.app.serve;

import java.util.List;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.search.SearchSession;

/**
 * What the server asks of the model and the index: answers to a batch of question texts, in one search call. The
 * server never calls it from two threads for the same batch; implementations must still allow calls from several
 * search workers at once (SessionAnswerer: the search session serialises the encoder and lets searches overlap).
 */
public interface Answerer extends AutoCloseable {
  /**
   * Answers a batch of questions in one search call.
   *
   * @param questions checked, trimmed question texts (at least one)
   * @param options k, L, nprobe, candidates of the search (its unit is ignored)
   * @param units the units to aggregate the same scored spans by
   * @return per unit of {@code units}, per question, at most options.k() answers, and the milliseconds of each
   *     stage of the call (encode, first stage, span scoring, aggregation)
   */
  SearchSession.Results answer(List<String> questions, SearchOptions options, List<Unit> units);

  /**
   * What is served, for /health and /metrics.
   *
   * @return the served backend, index, model and dump sizes
   */
  ServerInfo info();

  @Override
  void close();
}
