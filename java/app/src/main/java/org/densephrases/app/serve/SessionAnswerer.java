package org.densephrases.app.serve;

import java.util.List;
import java.util.Map;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
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

  /** Serves {@code session}, which {@link #close()} closes. */
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
   */
  public SessionAnswerer reopen() throws java.io.IOException {
    return new SessionAnswerer(session.reopen());
  }

  /** The session answered from. */
  public SearchSession session() {
    return session;
  }

  @Override
  public Map<Unit, List<List<Answer>>> answer(List<String> questions, SearchOptions options, List<Unit> units) {
    float[][] qv = session.encode(questions, questions.size());
    return session.searchVectors(qv[0], qv[1], questions.size(), options, units);
  }

  /** The options a request gets when it does not say (nprobe resolved against the index). */
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
