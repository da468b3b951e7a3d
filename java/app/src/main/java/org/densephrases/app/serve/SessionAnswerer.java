package org.densephrases.app.serve;

import java.util.List;
import java.util.Map;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.StageTimes;
import org.densephrases.index.search.Unit;
import org.densephrases.search.SearchSession;

/**
 * The server's answers from a {@link SearchSession}: all questions of a batch are encoded in one pass and searched
 * in one call. The session serialises the encoder and lets searches overlap, so with two search workers one batch is
 * searched while the next is encoded. The questions were checked by the server (its own length limit), so they go to
 * the session's encoder and searcher directly.
 */
public final class SessionAnswerer implements Answerer {
  private final SearchSession session;
  private final ServerInfo info;

  /**
   * Serves {@code session}, which {@link #close()} closes.
   *
   * @param session the search session to answer from
   */
  public SessionAnswerer(SearchSession session) {
    this.session = session;
    var d = session.dump();
    this.info = new ServerInfo(session.backend().name(), session.backend().device(), session.indexKind(),
        session.modelId(), session.indexBytes(), d.bytes(), d.numTokens() - d.numDeletedTokens(),
        d.numDocs() - d.numDeletedDocs(), d.generation());
  }

  /**
   * An answerer over the dump's newest generation, sharing this one's question encoder ({@link SearchSession#reopen});
   * this one keeps serving its own generation until closed.
   *
   * @return the new answerer
   * @throws java.io.IOException when the new generation cannot be opened
   */
  public SessionAnswerer reopen() throws java.io.IOException {
    return new SessionAnswerer(session.reopen());
  }

  /**
   * The session answered from.
   *
   * @return the search session (owned by this answerer; do not close it)
   */
  public SearchSession session() {
    return session;
  }

  @Override
  public SearchSession.Results answer(List<String> questions, SearchOptions options, List<Unit> units) {
    long t0 = System.nanoTime();
    float[][] qv = session.encode(questions, questions.size());
    long t1 = System.nanoTime();
    StageTimes st = new StageTimes();
    Map<Unit, List<List<Answer>>> a = session.searchVectors(qv[0], qv[1], questions.size(), options, units, st);
    long t2 = System.nanoTime();
    return new SearchSession.Results(a, (t1 - t0) / 1e6, (t2 - t1) / 1e6, st.firstStageNanos() / 1e6,
        st.spanNanos() / 1e6, st.aggregateNanos() / 1e6);
  }

  /**
   * The options a request gets when it does not say (nprobe resolved against the index).
   *
   * @return the default search options
   */
  public SearchOptions defaults() {
    return session.defaults();
  }

  @Override
  public ServerInfo info() {
    return info;
  }

  @Override
  public void close() {
    session.close();
  }
}
