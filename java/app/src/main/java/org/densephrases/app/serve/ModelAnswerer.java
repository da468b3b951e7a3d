package org.densephrases.app.serve;

import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.PhraseSearcher;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.model.encode.PhraseEncoder;

/**
 * Answers with the question encoder (Java or DJL engine) and a phrase searcher: all questions of a batch are encoded
 * in one forward pass and searched in one {@link PhraseSearcher#search(float[], float[], int, SearchOptions, List)}
 * call.
 *
 * <p>The encoder runs one batch at a time (a lock): DJL's predictor-free forward shares one NDManager and the
 * tokenizer's native handle, which we do not rely on being safe to use from several threads (the Java engine is
 * thread-safe, but already spreads one batch over every core). The searcher is thread-safe, so with two search
 * workers one batch is searched while the next is encoded.
 */
public final class ModelAnswerer implements Answerer {
  private final PhraseEncoder model;
  private final PhraseSearcher searcher;
  private final ServerInfo info;
  private final AutoCloseable owned;
  // Fair: a single question's call waiting for the encoder gets it before the next chunk of a big batch does.
  private final ReentrantLock encoderLock = new ReentrantLock(true);

  /**
   * @param owned closed after the model by {@link #close()} (the searcher with its dump and index), may be null
   */
  public ModelAnswerer(PhraseEncoder model, PhraseSearcher searcher, ServerInfo info, AutoCloseable owned) {
    this.model = model;
    this.searcher = searcher;
    this.info = info;
    this.owned = owned;
  }

  @Override
  public Map<Unit, List<List<Answer>>> answer(List<String> questions, SearchOptions options, List<Unit> units) {
    float[][] qv;
    encoderLock.lock();
    try {
      qv = model.encodeQuestions(questions, questions.size());
    } finally {
      encoderLock.unlock();
    }
    return searcher.search(qv[0], qv[1], questions.size(), options, units);
  }

  @Override
  public ServerInfo info() {
    return info;
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      if (owned != null) {
        try {
          owned.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the searcher failed: " + e.getMessage(), e);
        }
      }
    }
  }
}
