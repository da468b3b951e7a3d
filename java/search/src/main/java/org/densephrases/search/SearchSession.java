package org.densephrases.search;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.Verify;
import org.densephrases.index.ivf.Codec;
import org.densephrases.index.ivf.IndexFiles;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.PhraseSearcher;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.StageTimes;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.VectorType;

/**
 * A question encoder, a dump, optionally an IVF index over it, and the searcher, opened once and shared: what the
 * {@code search}, {@code eval-open} and {@code serve} verbs and the {@link DensePhrases} library API all run on.
 *
 * <p>Opening checks everything a search would trip over, once: the index name, the dump directory and the index
 * file exist (before the model is loaded), the dump was made by the encoder's model with its dimension, every file's
 * checksum, the index was built from this very dump, and the default options (nprobe at most the index's lists).
 * Searches then only check what a caller passes per call.
 *
 * <p>Thread-safe: questions are encoded one batch at a time (a lock: an encoder need not be thread-safe; the Java
 * engine already spreads one batch over every core) and searched concurrently (the searcher is thread-safe), so with
 * two callers one batch is searched while the next is encoded.
 *
 * <p>Generations: a session holds the dump generation it opened (files are mapped, so a later add, remove or compact
 * never changes what it searches). {@link #reopen()} opens the newest generation beside it, sharing the question
 * encoder: what the service does to pick up a change without downtime.
 */
public final class SearchSession implements AutoCloseable {
  /** Lists probed when no nprobe is given, capped at the index's list count (a small index has fewer). */
  public static final int DEFAULT_NPROBE = 64;
  /** Questions longer than this many characters are refused before tokenization. */
  public static final int MAX_QUESTION_CHARS = 512;
  /** The index names {@link Builder#index(String)} accepts. */
  public static final List<String> INDEXES = List.of("exact", "sq8", "pq");

  private final QuestionEncoder encoder; // null: a session searching given vectors only
  private final SharedEncoder shared; // the encoder's lock and users, shared by the sessions reopen() made
  private final Dump dump;
  private final IvfIndex index; // null for exact search
  private final PhraseSearcher searcher;
  private final String kind;
  private final SearchOptions defaults;
  private final boolean nprobeGiven;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** One encoder shared by a session and those {@link #reopen()} made from it: closed by the last one closed. */
  private static final class SharedEncoder {
    final ReentrantLock lock = new ReentrantLock(true); // fair: batches encode in arrival order
    final AtomicInteger users = new AtomicInteger(1);
  }

  private SearchSession(QuestionEncoder encoder, SharedEncoder shared, Opened o, String kind, SearchOptions defaults,
      boolean nprobeGiven) {
    this.encoder = encoder;
    this.shared = shared;
    this.dump = o.dump;
    this.index = o.index;
    this.searcher = o.searcher;
    this.kind = kind;
    this.defaults = defaults;
    this.nprobeGiven = nprobeGiven;
  }

  /** Loads a question encoder; called once, after the dump directory and index file were found. */
  @FunctionalInterface
  public interface EncoderLoader {
    /**
     * Loads the encoder.
     *
     * @return the encoder, owned by the session from then on
     * @throws IOException a missing or corrupt model file
     */
    QuestionEncoder load() throws IOException;
  }

  /**
   * A builder: {@code SearchSession.builder().model(dir, 0).dump(dir).index("sq8").open()}.
   *
   * @return a builder with the defaults (sq8 index, best backend, default options)
   */
  public static Builder builder() {
    return new Builder();
  }

  /** What to open; nothing is read until {@link #open()}. */
  public static final class Builder {
    private Path dump;
    private Function<String, Path> dumpForModel;
    private String index = "sq8";
    private KernelBackend backend;
    private EncoderLoader encoder;
    private String vectorsModelId;
    private int vectorsDim;
    private SearchOptions defaults = SearchOptions.defaults();
    private boolean nprobeGiven;
    private String expectModelId;

    private Builder() {}

    /**
     * The dump.
     *
     * @param dir the dump directory
     * @return this builder
     */
    public Builder dump(Path dir) {
      this.dump = dir;
      return this;
    }

    /**
     * The dump as a function of the encoder's model id, used when {@link #dump(Path)} is not given.
     *
     * @param f model id to dump directory
     * @return this builder
     */
    public Builder dumpForModel(Function<String, Path> f) {
      this.dumpForModel = f;
      return this;
    }

    /**
     * The first stage.
     *
     * @param name exact (a flat scan of the dump), sq8 or pq (the IVF index of that codec in the dump directory)
     * @return this builder
     */
    public Builder index(String name) {
      this.index = name;
      return this;
    }

    /**
     * The kernel backend.
     *
     * @param b the backend (default: {@link Backends#best()})
     * @return this builder
     */
    public Builder backend(KernelBackend b) {
      this.backend = b;
      return this;
    }

    /**
     * An exported model on the pure-Java engine ({@link JavaQuestionEncoder}).
     *
     * @param exportDir the export directory
     * @param threads the engine's threads, 0 = all processors
     * @return this builder
     */
    public Builder model(Path exportDir, int threads) {
      this.encoder = () -> JavaQuestionEncoder.load(exportDir, threads);
      return this;
    }

    /**
     * The model id the encoder will have, when it is known without loading it (a pretrained name): a dump of another
     * model is then refused before the encoder is loaded. Optional: the loaded encoder's id is always checked.
     *
     * @param id the model id
     * @return this builder
     */
    public Builder expectModelId(String id) {
      this.expectModelId = id;
      return this;
    }

    /**
     * Any question encoder.
     *
     * @param loader loads it once; the session owns and closes what it returns
     * @return this builder
     */
    public Builder encoder(EncoderLoader loader) {
      this.encoder = loader;
      return this;
    }

    /**
     * No encoder: the session searches question vectors given by the caller ({@link #searchVectors}), which must
     * come from model {@code modelId} with dimension {@code dim}.
     *
     * @param modelId the model that encoded the vectors (checked against the dump's)
     * @param dim their dimension
     * @return this builder
     */
    public Builder vectorsOnly(String modelId, int dim) {
      this.encoder = null;
      this.vectorsModelId = modelId;
      this.expectModelId = modelId;
      this.vectorsDim = dim;
      return this;
    }

    /**
     * The options of {@link SearchSession#search(List)}; their nprobe counts as given only through
     * {@link #nprobe(int)}, otherwise it is {@value #DEFAULT_NPROBE} capped at the index's lists.
     *
     * @param o the options
     * @return this builder
     */
    public Builder defaults(SearchOptions o) {
      if (o == null) {
        throw new IllegalArgumentException("default search options are null");
      }
      this.defaults = o;
      return this;
    }

    /**
     * Lists probed per question.
     *
     * @param nprobe lists: refused at {@link #open()} when the index has fewer
     * @return this builder
     */
    public Builder nprobe(int nprobe) {
      this.defaults = defaults.withNprobe(nprobe);
      this.nprobeGiven = true;
      return this;
    }

    /**
     * Opens the dump (and index), then loads the encoder and checks that it made the dump.
     *
     * @return the open session, to be closed by the caller
     * @throws IOException a missing, truncated, corrupted or mismatched file (the index module's
     *     FileFormatException names the file and field; NoSuchFileException says what to build)
     * @throws IllegalArgumentException a bad index name or option
     */
    public SearchSession open() throws IOException {
      String k = index == null ? "" : index.trim().toLowerCase(Locale.ROOT);
      if (!INDEXES.contains(k)) {
        throw new IllegalArgumentException("unknown index '" + index + "': expected exact, sq8 or pq");
      }
      if (encoder == null && vectorsModelId == null) {
        throw new IllegalArgumentException("no question encoder: give a model, an encoder, or vectorsOnly()");
      }
      if (dump == null && dumpForModel == null) {
        throw new IllegalArgumentException("no dump directory given");
      }
      KernelBackend kb = backend != null ? backend : Backends.best();
      if (dump != null) {
        // Fast failures first: the dump and index are opened and checked before seconds of model loading.
        Opened o = openFiles(dump, k, expectModelId, 0, kb);
        try {
          QuestionEncoder enc = encoder != null ? encoder.load() : null;
          try {
            checkModel(o.dump, enc != null ? enc.modelId() : vectorsModelId, enc != null ? enc.dim() : vectorsDim);
            return new SearchSession(enc, new SharedEncoder(), o, k, resolve(o.index), nprobeGiven);
          } catch (RuntimeException e) {
            if (enc != null) {
              enc.close();
            }
            throw e;
          }
        } catch (IOException | RuntimeException e) {
          o.close();
          throw e;
        }
      }
      // The default dump depends on the model id: the encoder first.
      QuestionEncoder enc = encoder != null ? encoder.load() : null;
      try {
        String modelId = enc != null ? enc.modelId() : vectorsModelId;
        Opened o = openFiles(dumpForModel.apply(modelId), k, modelId, enc != null ? enc.dim() : vectorsDim, kb);
        try {
          return new SearchSession(enc, new SharedEncoder(), o, k, resolve(o.index), nprobeGiven);
        } catch (RuntimeException e) {
          o.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        if (enc != null) {
          enc.close();
        }
        throw e;
      }
    }

    /** The default options with nprobe resolved against the index: refused when given and above its lists. */
    private SearchOptions resolve(IvfIndex idx) {
      return SearchSession.resolve(defaults, nprobeGiven, idx);
    }
  }

  private static SearchOptions resolve(SearchOptions defaults, boolean nprobeGiven, IvfIndex idx) {
    if (idx == null) {
      return defaults;
    }
    if (!nprobeGiven) {
      return defaults.withNprobe(Math.min(DEFAULT_NPROBE, idx.nlist()));
    }
    if (defaults.nprobe() > idx.nlist()) {
      throw new IllegalArgumentException("nprobe " + defaults.nprobe() + " exceeds the index's " + idx.nlist()
          + " lists");
    }
    return defaults;
  }

  /**
   * A session over the newest committed generation of this session's dump directory, with the same index kind,
   * backend and options, sharing this session's question encoder (and its lock: one batch encodes at a time across
   * both). Each is closed on its own; the encoder is closed with the last of them. This session is unchanged:
   * searches in flight on it finish on its generation.
   *
   * @return the new session, to be closed by the caller
   * @throws IOException a missing or corrupt file of the new generation (this session stays usable)
   * @throws IllegalStateException this session is closed
   */
  public SearchSession reopen() throws IOException {
    for (;;) { // joins the encoder's users unless the last user just closed it
      int u = shared.users.get();
      if (u == 0 || closed.get()) {
        throw new IllegalStateException("the session is closed");
      }
      if (shared.users.compareAndSet(u, u + 1)) {
        break;
      }
    }
    try {
      Opened o = openFiles(dump.dir(), kind, dump.modelId(), dump.dim(), searcher.backend());
      try {
        return new SearchSession(encoder, shared, o, kind, resolve(defaults, nprobeGiven, o.index), nprobeGiven);
      } catch (RuntimeException e) {
        o.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      shared.users.decrementAndGet(); // this session still holds the encoder
      throw e;
    }
  }

  /**
   * The dump generation searched.
   *
   * @return the generation this session opened (0: the dump as the dump command wrote it)
   */
  public long generation() {
    return dump.generation();
  }

  private static void checkModel(Dump d, String modelId, int dim) {
    if (!d.modelId().equals(modelId)) {
      throw new IllegalArgumentException("model id mismatch: the dump " + d.dir() + " was made by model '"
          + d.modelId() + "', the questions would be encoded by model '" + modelId + "'");
    }
    if (d.dim() != dim) {
      throw new IllegalArgumentException("the dump " + d.dir() + " holds vectors of dimension " + d.dim()
          + ", the question encoder gives " + dim);
    }
  }

  /** A dump, its index (null for exact) and the searcher over them. */
  private record Opened(Dump dump, IvfIndex index, PhraseSearcher searcher) {
    void close() {
      try {
        searcher.close();
      } finally {
        if (index != null) {
          index.close();
        }
        dump.close();
      }
    }
  }

  /**
   * Opens and checks (checksums, model id when known, the index built from this dump) the newest generation of a dump
   * and its index file of that generation ({@link IndexFiles#of}).
   */
  private static Opened openFiles(Path dir, String kind, String modelId, int dim, KernelBackend kb)
      throws IOException {
    checkFiles(dir, kind);
    // A change committed between opening the dump and its index deletes the older generation's files: retry once
    // or twice on the newer generation.
    for (int attempt = 0; ; attempt++) {
      try {
        return openFilesOnce(dir, kind, modelId, dim, kb);
      } catch (NoSuchFileException e) {
        if (attempt >= 2) {
          throw e;
        }
      }
    }
  }

  private static Opened openFilesOnce(Path dir, String kind, String modelId, int dim, KernelBackend kb)
      throws IOException {
    Dump d = Dump.open(dir, new Expect(modelId, dim, null), Verify.ON_OPEN, false);
    IvfIndex idx = null;
    try {
      if (kind.equals("exact")) {
        return new Opened(d, null, PhraseSearcher.exact(d, kb));
      }
      // the generation's own index file, checked to be the one it recorded and built from this very dump
      idx = IvfIndex.openFor(d, Codec.parse(kind), new Expect(d.modelId(), d.dim(), null), Verify.ON_OPEN);
      return new Opened(d, idx, PhraseSearcher.ivf(d, idx, kb));
    } catch (IOException | RuntimeException e) {
      if (idx != null) {
        idx.close();
      }
      d.close();
      throw e;
    }
  }

  private static void checkFiles(Path dir, String kind) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "dump directory not found (build it with 'densephrases dump')");
    }
    if (!kind.equals("exact") && Generations.latest(dir) == 0) { // a changed dump's manifest names its index file
      Path f = IndexFiles.path(dir, Codec.parse(kind));
      if (!Files.exists(f)) {
        throw new NoSuchFileException(f.toString(), null,
            "index not found (build it with 'densephrases index --codec " + kind + "', or use the exact index)");
      }
    }
  }

  /**
   * The options a search uses when the caller gives none.
   *
   * @return the default options, nprobe resolved against the index
   */
  public SearchOptions defaults() {
    return defaults;
  }

  /**
   * The question trimmed, or an IllegalArgumentException saying why it cannot be searched (empty, or longer than
   * {@value #MAX_QUESTION_CHARS} characters).
   *
   * @param q the question as given
   * @return the question trimmed
   */
  public static String checkQuestion(String q) {
    String t = q == null ? "" : q.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("the question is empty");
    }
    if (t.length() > MAX_QUESTION_CHARS) {
      throw new IllegalArgumentException("the question has " + t.length() + " characters; at most "
          + MAX_QUESTION_CHARS + " are accepted");
    }
    return t;
  }

  /**
   * Answers and where the time went, for one batch of questions.
   *
   * @param answers per unit asked for, per question, the answers
   * @param encodeMs milliseconds encoding the batch
   * @param searchMs milliseconds searching it: the three stages below and what lies between them
   * @param firstStageMs of searchMs, the first stage (IVF or flat scan, both directions)
   * @param spanMs of searchMs, span scoring (the second stage)
   * @param aggregateMs of searchMs, grouping by unit with answer texts and evidence
   */
  public record Results(Map<Unit, List<List<Answer>>> answers, double encodeMs, double searchMs,
      double firstStageMs, double spanMs, double aggregateMs) {
    /**
     * The answers of one unit.
     *
     * @param unit one of the units asked for
     * @return per question, its answers
     */
    public List<List<Answer>> of(Unit unit) {
      List<List<Answer>> a = answers.get(unit);
      if (a == null) {
        throw new IllegalArgumentException("no answers by " + unit + " were asked for (units: " + answers.keySet()
            + ")");
      }
      return a;
    }
  }

  /**
   * Answers per question with the default options.
   *
   * @param questions the questions, each checked with {@link #checkQuestion}
   * @return per question, its answers
   */
  public List<List<Answer>> search(List<String> questions) {
    return search(questions, defaults);
  }

  /**
   * Answers per question, grouped by {@code options.unit()}.
   *
   * @param questions the questions, each checked with {@link #checkQuestion}
   * @param options the search options
   * @return per question, its answers
   */
  public List<List<Answer>> search(List<String> questions, SearchOptions options) {
    checkOptions(options);
    return search(questions, options, List.of(options.unit())).of(options.unit());
  }

  /**
   * One batched search: every question encoded in one pass and searched in one call, the same scored spans grouped
   * by each of {@code units} (options.unit() is ignored).
   *
   * @param questions at least one; each is checked with {@link #checkQuestion}
   * @param options the search options
   * @param units the units to group the same scored spans by
   * @return the answers per unit and question, and the time taken
   */
  public Results search(List<String> questions, SearchOptions options, List<Unit> units) {
    checkOptions(options);
    if (questions == null || questions.isEmpty()) {
      throw new IllegalArgumentException("no questions");
    }
    List<String> qs = questions.stream().map(SearchSession::checkQuestion).toList();
    long t0 = System.nanoTime();
    float[][] qv = encode(qs, qs.size());
    long t1 = System.nanoTime();
    StageTimes st = new StageTimes();
    Map<Unit, List<List<Answer>>> a = searcher.search(qv[0], qv[1], qs.size(), options, units, st);
    long t2 = System.nanoTime();
    return new Results(a, (t1 - t0) / 1e6, (t2 - t1) / 1e6, st.firstStageNanos() / 1e6, st.spanNanos() / 1e6,
        st.aggregateNanos() / 1e6);
  }

  /**
   * Searches encoded questions (from {@link #encode}, or a question-vector file of the dump's model).
   *
   * @param qStart (question)(dim)
   * @param qEnd (question)(dim)
   * @param numQuestions the questions
   * @param options the search options
   * @param units the units to group the same scored spans by
   * @return per unit, per question, the answers
   */
  public Map<Unit, List<List<Answer>>> searchVectors(float[] qStart, float[] qEnd, int numQuestions,
      SearchOptions options, List<Unit> units) {
    return searchVectors(qStart, qEnd, numQuestions, options, units, null);
  }

  /**
   * {@link #searchVectors(float[], float[], int, SearchOptions, List)}, adding each stage's time to {@code times}.
   *
   * @param qStart (question)(dim)
   * @param qEnd (question)(dim)
   * @param numQuestions the questions
   * @param options the search options
   * @param units the units to group the same scored spans by
   * @param times where the stages' nanoseconds are added, or null
   * @return per unit, per question, the answers
   */
  public Map<Unit, List<List<Answer>>> searchVectors(float[] qStart, float[] qEnd, int numQuestions,
      SearchOptions options, List<Unit> units, StageTimes times) {
    checkOptions(options);
    return searcher.search(qStart, qEnd, numQuestions, options, units, times);
  }

  /**
   * Encodes questions (not checked), one batch at a time across threads.
   *
   * @param questions the questions
   * @param batchSize questions per forward pass
   * @return {qStart, qEnd}, each (question)(dim)
   */
  public float[][] encode(List<String> questions, int batchSize) {
    if (encoder == null) {
      throw new IllegalStateException("this session has no question encoder (it searches given vectors only)");
    }
    shared.lock.lock();
    try {
      return encoder.encode(questions, batchSize);
    } finally {
      shared.lock.unlock();
    }
  }

  private void checkOptions(SearchOptions o) {
    if (o == null) {
      throw new IllegalArgumentException("search options are null");
    }
    if (index != null && o.nprobe() > index.nlist()) {
      throw new IllegalArgumentException("nprobe " + o.nprobe() + " exceeds the index's " + index.nlist() + " lists");
    }
  }

  /**
   * The question encoder.
   *
   * @return the encoder, or null for a session of given vectors
   */
  public QuestionEncoder encoder() {
    return encoder;
  }

  /**
   * The model.
   *
   * @return the model id of the dump (and of the questions)
   */
  public String modelId() {
    return dump.modelId();
  }

  /**
   * The dump searched.
   *
   * @return the open dump, owned by the session
   */
  public Dump dump() {
    return dump;
  }

  /**
   * The index searched.
   *
   * @return the IVF index, or null for exact search
   */
  public IvfIndex index() {
    return index;
  }

  /**
   * The kind of first stage.
   *
   * @return exact, sq8 or pq
   */
  public String indexKind() {
    return kind;
  }

  /**
   * The kernel backend.
   *
   * @return the backend searches run on
   */
  public KernelBackend backend() {
    return searcher.backend();
  }

  /**
   * The first stage's size per phrase.
   *
   * @return bytes per phrase: the index file, or the dump's vectors of the scanned type for exact search
   */
  public double bytesPerPhrase() {
    if (index != null) {
      return (double) index.byteSize() / dump.numTokens();
    }
    return dump.types().contains(VectorType.FP16) ? 2.0 * dump.dim() : dump.dim();
  }

  /**
   * The first stage's size.
   *
   * @return bytes: the index file, or the scanned dump vectors for exact search
   */
  public long indexBytes() {
    return index != null ? index.byteSize() : Math.round(bytesPerPhrase() * dump.numTokens());
  }

  /**
   * Frees the searcher, the index and the dump, and the encoder unless a session {@link #reopen()} made from this one
   * (or this one from another) is still open. A second call does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      searcher.close();
    } finally {
      try {
        if (index != null) {
          index.close();
        }
        dump.close();
      } finally {
        if (shared.users.decrementAndGet() == 0 && encoder != null) {
          encoder.close();
        }
      }
    }
  }
}
