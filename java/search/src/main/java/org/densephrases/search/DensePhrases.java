package org.densephrases.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;

/**
 * Answer search for JVM services: open once, share across threads, close at shutdown.
 *
 * <pre>{@code
 * try (DensePhrases dp = DensePhrases.open(Path.of("models/e5-small-tied"), Path.of("work/dumps/my-dump"), "sq8")) {
 *   SearchResult r = dp.search("Who wrote Hamlet?");
 *   for (Answer a : r.answers()) {
 *     System.out.println(a.text() + "  " + a.score() + "  " + a.title() + ": " + a.evidence());
 *   }
 * }
 * }</pre>
 *
 * <p>It opens an exported model ({@code densephrases export}; the committed {@code models/e5-small-tied} is one) on
 * the pure-Java engine, a phrase dump made with that model ({@code densephrases dump}) and an index over it
 * ({@code densephrases index}, or {@code "exact"} for none), through the same {@link SearchSession} as the command
 * line and the HTTP service. Nothing here loads DJL or libtorch; the CUDA kernels are used when the kernels jar's
 * library finds a GPU, the Java SIMD kernels otherwise.
 *
 * <p>Thread-safe: {@link #search} and {@link #searchBatch} may be called from any number of threads;
 * {@link #searchBatch} encodes and searches its questions in one batch, which is faster per question than single
 * searches. {@link #close()} waits for searches in flight.
 */
public final class DensePhrases implements AutoCloseable {
  private final SearchSession session;
  private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
  private boolean closed;

  /** The session's question encoder (tests: where it runs). */
  QuestionEncoder questionEncoder() {
    return session.encoder();
  }

  private DensePhrases(SearchSession session) {
    this.session = session;
  }

  /**
   * Opens a model, a dump and its index with the default options (k 10, phrase unit, distinct answers, nprobe 64).
   *
   * @param modelDir an exported model directory (phrase-model.dpm and tokenizer.json)
   * @param dumpDir a dump made with that model
   * @param index exact, sq8 or pq
   * @return the open instance, to be closed by the caller
   * @throws DensePhrasesException a missing, corrupted or mismatched file, or an unknown index name
   */
  public static DensePhrases open(Path modelDir, Path dumpDir, String index) throws DensePhrasesException {
    return builder().model(modelDir).dump(dumpDir).index(index).open();
  }

  /**
   * A builder for the backend, nprobe, candidates and the default answer count, unit and length.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of {@link DensePhrases}; each is checked when {@link #open()} is called. */
  public static final class Builder {
    private Path model;
    private Path dump;
    private String index = "sq8";
    private String backend = "auto";
    private String questionEncoder = "auto";
    private int threads;
    private Integer nprobe;
    private SearchOptions defaults = SearchOptions.defaults();
    private IllegalArgumentException invalid;

    private Builder() {}

    /**
     * The exported model (required).
     *
     * @param dir a directory with phrase-model.dpm and tokenizer.json
     * @return this builder
     */
    public Builder model(Path dir) {
      this.model = dir;
      return this;
    }

    /**
     * The dump (required).
     *
     * @param dir a dump directory made with the model
     * @return this builder
     */
    public Builder dump(Path dir) {
      this.dump = dir;
      return this;
    }

    /**
     * The first stage of the search.
     *
     * @param name exact (a flat scan of the dump), sq8 (default) or pq: the IVF index in the dump directory
     * @return this builder
     */
    public Builder index(String name) {
      this.index = name;
      return this;
    }

    /**
     * The kernel backend.
     *
     * @param name auto (default: CUDA, else SIMD, else scalar), cuda, simd or scalar
     * @return this builder
     */
    public Builder backend(String name) {
      this.backend = name;
      return this;
    }

    /**
     * Where questions are encoded.
     *
     * @param where auto (default: on the GPU where the CUDA backend can run, else on the CPU), cuda
     *     ({@link CudaQuestionEncoder}: libdensephrases' BERT encoder) or java ({@link JavaQuestionEncoder}: the
     *     pure-Java engine)
     * @return this builder
     */
    public Builder questionEncoder(String where) {
      this.questionEncoder = where;
      return this;
    }

    /**
     * Threads of the question encoder on the CPU.
     *
     * @param n threads, 0 (default) = all processors
     * @return this builder
     */
    public Builder encoderThreads(int n) {
      this.threads = n;
      return this;
    }

    /**
     * IVF lists probed per question.
     *
     * @param n lists, at most the index's (default 64, or every list of a smaller index)
     * @return this builder
     */
    public Builder nprobe(int n) {
      this.nprobe = n;
      return this;
    }

    /**
     * First-stage candidates per direction.
     *
     * @param n candidates, 1..2048 (default 256)
     * @return this builder
     */
    public Builder candidates(int n) {
      return set(() -> defaults.withCandidates(n));
    }

    /**
     * Answers per question by default.
     *
     * @param n answers, 1..1000 (default 10)
     * @return this builder
     */
    public Builder k(int n) {
      return set(() -> defaults.withK(n));
    }

    /**
     * What an answer stands for by default.
     *
     * @param u phrase (default), sentence, paragraph or document
     * @return this builder
     */
    public Builder unit(Unit u) {
      return set(() -> defaults.withUnit(u));
    }

    /**
     * The longest answer by default.
     *
     * @param n tokens, 1..128 (default 20)
     * @return this builder
     */
    public Builder maxAnswerLength(int n) {
      return set(() -> defaults.withMaxAnswerLength(n));
    }

    /**
     * Distinct answers by default (phrase unit).
     *
     * @param v true (default): drop spans overlapping a better answer of the same evidence; false: keep them
     * @return this builder
     */
    public Builder distinct(boolean v) {
      return set(() -> defaults.withDistinct(v));
    }

    private Builder set(java.util.function.Supplier<SearchOptions> f) {
      try {
        defaults = f.get();
      } catch (IllegalArgumentException e) {
        invalid = invalid != null ? invalid : e; // reported by open(), with a checked exception
      }
      return this;
    }

    /**
     * Opens the dump and index, then loads the model, and checks that they belong together.
     *
     * @return the open instance, to be closed by the caller
     * @throws DensePhrasesException what is wrong: a missing setting, a bad option, a missing, corrupted or
     *     mismatched file, a backend that cannot run here
     */
    public DensePhrases open() throws DensePhrasesException {
      if (invalid != null) {
        throw new DensePhrasesException(invalid.getMessage(), invalid);
      }
      if (model == null) {
        throw new DensePhrasesException("no model directory given (an exported model, e.g. models/e5-small-tied)",
            null);
      }
      if (dump == null) {
        throw new DensePhrasesException("no dump directory given (made by 'densephrases dump')", null);
      }
      try {
        SearchSession.Builder b = SearchSession.builder().model(model, threads).dump(dump).index(index)
            .backend(DensePhrases.backend(backend)).defaults(defaults);
        if (onGpu(questionEncoder)) {
          Path m = model;
          b.encoder(() -> CudaQuestionEncoder.load(m));
        }
        if (nprobe != null) {
          b.nprobe(nprobe);
        }
        return new DensePhrases(b.open());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new DensePhrasesException(e.getFile() + ": " + (e.getReason() != null ? e.getReason() : "not found"), e);
      } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
        throw new DensePhrasesException(e.getMessage(), e);
      }
    }
  }

  /** Whether {@code where} (auto, cuda or java) puts the question encoder on the GPU here. */
  static boolean onGpu(String where) {
    String w = where == null ? "auto" : where.trim().toLowerCase(java.util.Locale.ROOT);
    if (!w.equals("auto") && !w.equals("cuda") && !w.equals("java")) {
      throw new IllegalArgumentException("question encoder '" + where + "': use auto, cuda or java");
    }
    if (w.equals("java")) {
      return false;
    }
    String why = CudaQuestionEncoder.unavailableReason();
    if (why != null && w.equals("cuda")) {
      throw new IllegalArgumentException("question encoder cuda cannot run here: " + why);
    }
    return why == null;
  }

  static KernelBackend backend(String name) {
    if (name == null || name.equalsIgnoreCase("auto")) {
      return Backends.best();
    }
    try {
      return Backends.byName(name);
    } catch (UnsupportedBackendException e) {
      throw new IllegalArgumentException("backend " + name + " cannot run here: " + e.getMessage(), e);
    }
  }

  /**
   * The options {@link #search(String)} uses: a starting point for per-call options ({@code defaults().withK(3)}).
   *
   * @return the default options, with nprobe resolved against the index
   */
  public SearchOptions defaults() {
    return session.defaults();
  }

  /**
   * Answers to one question with the default options.
   *
   * @param question the question
   * @return its answers, best first
   * @throws DensePhrasesException an empty or overlong question, or a closed instance
   */
  public SearchResult search(String question) throws DensePhrasesException {
    return search(question, session.defaults());
  }

  /**
   * Answers to one question.
   *
   * @param question the question
   * @param options k, unit, maximum answer length, nprobe, candidates, distinct
   * @return its answers, best first
   * @throws DensePhrasesException an empty or overlong question, a bad option, or a closed instance
   */
  public SearchResult search(String question, SearchOptions options) throws DensePhrasesException {
    return searchBatch(List.of(question == null ? "" : question), options).get(0);
  }

  /**
   * Answers to several questions, encoded and searched in one batch, with the default options.
   *
   * @param questions the questions
   * @return one result per question, in order
   * @throws DensePhrasesException an empty or overlong question (the message says which), or a closed instance
   */
  public List<SearchResult> searchBatch(List<String> questions) throws DensePhrasesException {
    return searchBatch(questions, session.defaults());
  }

  /**
   * Answers to several questions, encoded and searched in one batch.
   *
   * @param questions the questions
   * @param options k, unit, maximum answer length, nprobe, candidates, distinct
   * @return one result per question, in order
   * @throws DensePhrasesException an empty or overlong question (the message says which), a bad option, or a closed
   *     instance
   */
  public List<SearchResult> searchBatch(List<String> questions, SearchOptions options) throws DensePhrasesException {
    if (questions == null || questions.isEmpty()) {
      throw new DensePhrasesException("no questions", null);
    }
    List<String> qs = new ArrayList<>(questions.size());
    for (int i = 0; i < questions.size(); i++) {
      try {
        qs.add(SearchSession.checkQuestion(questions.get(i)));
      } catch (IllegalArgumentException e) {
        throw new DensePhrasesException("question " + (i + 1) + " of " + questions.size() + ": " + e.getMessage(), e);
      }
    }
    closing.readLock().lock();
    try {
      if (closed) {
        throw new DensePhrasesException("this DensePhrases instance is closed", null);
      }
      Unit unit = options == null ? Unit.PHRASE : options.unit();
      SearchSession.Results r = session.search(qs, options, List.of(unit));
      List<List<Answer>> a = r.of(unit);
      List<SearchResult> out = new ArrayList<>(qs.size());
      for (int i = 0; i < qs.size(); i++) {
        out.add(new SearchResult(qs.get(i), a.get(i), r.encodeMs(), r.searchMs(), qs.size()));
      }
      return out;
    } catch (IllegalArgumentException e) {
      throw new DensePhrasesException(e.getMessage(), e);
    } finally {
      closing.readLock().unlock();
    }
  }

  /**
   * The model id shared by the model and the dump.
   *
   * @return the id recorded in the model export and the dump
   */
  public String modelId() {
    return session.modelId();
  }

  /**
   * The kernel backend searches run on.
   *
   * @return cuda, simd or scalar
   */
  public String backend() {
    return session.backend().name();
  }

  /**
   * The size of the dump.
   *
   * @return phrases (stored tokens) in the dump
   */
  public long phrases() {
    return session.dump().numTokens();
  }

  /**
   * The size of the dump.
   *
   * @return documents (paragraphs) in the dump
   */
  public int documents() {
    return session.dump().numDocs();
  }

  /** Waits for searches in flight, then frees the model, the index and the dump. Idempotent. */
  @Override
  public void close() {
    closing.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        session.close();
      }
    } finally {
      closing.writeLock().unlock();
    }
  }
}
