package org.densephrases.index.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpShard;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.IvfSearcher;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.TopKMerger;
import org.densephrases.kernels.VectorType;
import org.densephrases.kernels.scan.ScanTable;
import org.densephrases.kernels.span.Direction;
import org.densephrases.kernels.span.SpanQuery;
import org.densephrases.kernels.span.SpanResult;
import org.densephrases.kernels.span.TokenTable;

/**
 * Two-stage phrase search over a dump, on one kernel backend.
 *
 * <ol>
 *   <li>First stage, start candidates: the {@code candidates} tokens with the highest {@code q_start . v}, from the
 *       IVF index ({@code nprobe} lists, approximate codes) or, for exact search, a flat scan of the dump's vectors.
 *       With {@code mirror}, end candidates likewise from {@code q_end}.
 *   <li>Second stage, exact span scoring from the dump's vectors (FP16 or INT8): each start candidate's best end
 *       within L tokens of its document (and each end candidate's best start), score = start + end. Candidates go to
 *       the span scorer shard by shard, all questions of a batch in one call.
 *   <li>Aggregation by unit (phrase, sentence, paragraph, document), best first, with the answer text, character
 *       offsets and the surrounding sentence as evidence.
 * </ol>
 *
 * <p>Tables are loaded into the backend lazily, once per vector type (a device copy for CUDA), and freed by
 * {@link #close()}. The searcher does not own the dump or the index. Thread-safe for concurrent searches.
 */
public final class PhraseSearcher implements AutoCloseable {
  private final Dump dump;
  private final IvfIndex index;
  private final KernelBackend backend;
  private final IvfSearcher ivf;
  private final Map<VectorType, List<TokenTable>> tokenTables = new EnumMap<>(VectorType.class);
  private final Map<VectorType, List<ScanTable>> flatTables = new EnumMap<>(VectorType.class);
  private boolean closed;

  private PhraseSearcher(Dump dump, IvfIndex index, KernelBackend backend) throws IOException {
    Checks.require(dump != null, "dump is null");
    Checks.require(backend != null, "backend is null");
    this.dump = dump;
    this.index = index;
    this.backend = backend;
    if (index != null) {
      index.checkServes(dump);
      this.ivf = new IvfSearcher(index, backend);
    } else {
      this.ivf = null;
    }
  }

  /**
   * IVF search over {@code dump} with {@code index} (checked to be built from that dump), on {@link Backends#best()}.
   *
   * @param dump the open dump
   * @param index an index built from that dump
   * @return the searcher; closing it does not close the dump or the index
   * @throws IOException when the dump's vectors cannot be loaded
   * @throws org.densephrases.index.format.FileFormatException when the index was not built from {@code dump}
   */
  public static PhraseSearcher ivf(Dump dump, IvfIndex index) throws IOException {
    return ivf(dump, index, Backends.best());
  }

  /**
   * IVF search over {@code dump} with {@code index} (checked to be built from that dump) on a given backend.
   *
   * @param dump the open dump
   * @param index an index built from that dump (not null)
   * @param backend the kernels to run on
   * @return the searcher; closing it does not close the dump or the index
   * @throws IOException when the dump's vectors cannot be loaded
   */
  public static PhraseSearcher ivf(Dump dump, IvfIndex index, KernelBackend backend) throws IOException {
    Checks.require(index != null, "index is null (use exact() for search without an index)");
    return new PhraseSearcher(dump, index, backend);
  }

  /**
   * Exact search: the first stage scans every dump vector (the baseline an index is measured against).
   *
   * @param dump the open dump
   * @return the searcher; closing it does not close the dump
   * @throws IOException when the dump's vectors cannot be loaded
   */
  public static PhraseSearcher exact(Dump dump) throws IOException {
    return exact(dump, Backends.best());
  }

  /**
   * Exact search on a given backend.
   *
   * @param dump the open dump
   * @param backend the kernels to run on
   * @return the searcher; closing it does not close the dump
   * @throws IOException when the dump's vectors cannot be loaded
   */
  public static PhraseSearcher exact(Dump dump, KernelBackend backend) throws IOException {
    return new PhraseSearcher(dump, null, backend);
  }

  /** {@return the kernels the searcher runs on} */
  public KernelBackend backend() {
    return backend;
  }

  /** {@return true for exact search (no index)} */
  public boolean isExact() {
    return index == null;
  }

  /** {@return the dump searched} */
  public Dump dump() {
    return dump;
  }

  /**
   * Answers for one question: qStart, qEnd (dim) each.
   *
   * @param qStart the start vector (dim)
   * @param qEnd the end vector (dim)
   * @param options k, candidates, nprobe, L, unit and rescoring
   * @return at most {@code options.k()} answers, best first
   */
  public List<Answer> search(float[] qStart, float[] qEnd, SearchOptions options) {
    return search(qStart, qEnd, 1, options).get(0);
  }

  /**
   * Answers for a batch of questions (one kernel call per stage and shard for the whole batch).
   *
   * @param qStart (question)(dim)
   * @param qEnd (question)(dim)
   * @param numQuestions the number of questions
   * @param options k, candidates, nprobe, L, unit and rescoring
   * @return per question, at most {@code options.k()} answers, best first
   */
  public List<List<Answer>> search(float[] qStart, float[] qEnd, int numQuestions, SearchOptions options) {
    Checks.require(options != null, "options are null");
    return search(qStart, qEnd, numQuestions, options, List.of(options.unit())).get(options.unit());
  }

  /**
   * Like {@link #search(float[], float[], int, SearchOptions)}, but aggregates the same scored spans by several
   * units (options.unit() is ignored): one search gives, e.g., the top phrases and the top paragraphs of a question,
   * as open-domain evaluation needs.
   *
   * @return per unit, per question, at most options.k() answers
   * @param qStart (question)(dim)
   * @param qEnd (question)(dim)
   * @param numQuestions the number of questions
   * @param options k, candidates, nprobe, L and rescoring
   * @param units the units to aggregate by (not empty)
   */
  public Map<Unit, List<List<Answer>>> search(float[] qStart, float[] qEnd, int numQuestions, SearchOptions options,
      List<Unit> units) {
    return search(qStart, qEnd, numQuestions, options, units, null);
  }

  /**
   * Like {@link #search(float[], float[], int, SearchOptions, List)}, adding the time of each stage to {@code times}
   * (null: not timed).
   *
   * @param qStart (question)(dim)
   * @param qEnd (question)(dim)
   * @param numQuestions the number of questions
   * @param options k, candidates, nprobe, L and rescoring
   * @param units the units to aggregate by (not empty)
   * @param times receives the stage times (added to what it holds), or null
   * @return per unit, per question, at most {@code options.k()} answers
   */
  public Map<Unit, List<List<Answer>>> search(float[] qStart, float[] qEnd, int numQuestions, SearchOptions options,
      List<Unit> units, StageTimes times) {
    Checks.require(options != null, "options are null");
    Checks.require(units != null && !units.isEmpty(), "units are empty");
    Checks.require(numQuestions >= 1, "numQuestions must be >= 1, got " + numQuestions);
    int dim = dump.dim();
    Checks.checkLength("qStart", qStart, numQuestions, dim);
    Checks.checkLength("qEnd", qEnd, numQuestions, dim);
    Checks.checkFinite("qStart", qStart);
    Checks.checkFinite("qEnd", qEnd);
    if (ivf != null && options.nprobe() > ivf.maxNprobe()) {
      throw new IllegalArgumentException("nprobe " + options.nprobe() + " exceeds the index's " + index.nlist()
          + " lists (at most " + ivf.maxNprobe() + ")");
    }
    VectorType type = rescoreType(options);
    int k1 = (int) Math.min(options.candidates(), dump.numTokens());
    if (dump.numDeletedTokens() > 0) {
      // deleted documents' tokens are dropped after the first stage: ask for that many more, in proportion
      double live = Math.max(1, dump.numTokens() - dump.numDeletedTokens());
      k1 = (int) Math.min(Math.min(KernelLimits.MAX_K, dump.numTokens()),
          Math.max(k1, Math.ceil(k1 * (dump.numTokens() / live))));
    }

    long t0 = System.nanoTime();
    TopK starts;
    TopK ends = null;
    if (options.mirror()) {
      // Both directions in one first-stage call: (start questions)(end questions) as one batch of queries, so the
      // scan's threads share the work of one question (and an exact scan decodes each tile once for both).
      float[] both = Arrays.copyOf(qStart, qStart.length + qEnd.length);
      System.arraycopy(qEnd, 0, both, qStart.length, qEnd.length);
      TopK all = firstStage(both, 2 * numQuestions, options, type, k1);
      starts = slice(all, 0, numQuestions);
      ends = slice(all, numQuestions, numQuestions);
    } else {
      starts = firstStage(qStart, numQuestions, options, type, k1);
    }
    long t1 = System.nanoTime();
    List<List<Aggregator.Span>> spans = new ArrayList<>();
    for (int q = 0; q < numQuestions; q++) {
      spans.add(new ArrayList<>());
    }
    secondStage(qStart, qEnd, numQuestions, starts, Direction.START_TO_END, options, type, spans);
    if (ends != null) {
      secondStage(qStart, qEnd, numQuestions, ends, Direction.END_TO_START, options, type, spans);
    }
    long t2 = System.nanoTime();
    Map<Unit, List<List<Answer>>> out = new EnumMap<>(Unit.class);
    for (Unit u : units) {
      out.put(u, new ArrayList<>());
    }
    for (List<Aggregator.Span> s : spans) {
      List<Aggregator.Span> d = dedupe(s);
      Aggregator agg = new Aggregator(dump);
      for (Unit u : units) {
        out.get(u).add(agg.aggregate(d, u, options.k(), options.distinct()));
      }
    }
    if (times != null) {
      times.firstStageNanos += t1 - t0;
      times.spanNanos += t2 - t1;
      times.aggregateNanos += System.nanoTime() - t2;
    }
    return out;
  }

  /** Queries [from, from + n) of a top-k result. */
  private static TopK slice(TopK t, int from, int n) {
    int k = t.k();
    return new TopK(n, k, Arrays.copyOfRange(t.scores(), from * k, (from + n) * k),
        Arrays.copyOfRange(t.ids(), from * k, (from + n) * k));
  }

  private VectorType rescoreType(SearchOptions o) {
    if (o.rescoreType() != null) {
      Checks.require(dump.types().contains(o.rescoreType()),
          "the dump holds no " + o.rescoreType() + " vectors (it has " + dump.types() + ")");
      return o.rescoreType();
    }
    return dump.types().contains(VectorType.FP16) ? VectorType.FP16 : VectorType.INT8;
  }

  /** Top-k1 token ids per question by q . v: IVF, or a flat scan of every shard merged. */
  private TopK firstStage(float[] q, int n, SearchOptions o, VectorType type, int k1) {
    if (ivf != null) {
      return ivf.search(q, n, o.nprobe(), k1);
    }
    List<ScanTable> tables = flatTables(type);
    TopKMerger best = new TopKMerger(n, k1);
    for (int s = 0; s < tables.size(); s++) {
      DumpShard shard = dump.shards().get(s);
      int kk = (int) Math.min(k1, shard.numTokens());
      long base = shard.tokenBase();
      best.add(backend.vectorScanner().search(tables.get(s), q, n, kk), id -> base + id);
    }
    return best.result();
  }

  /** Scores every candidate's best span, shard by shard, and appends the spans to each question's list. */
  private void secondStage(float[] qStart, float[] qEnd, int n, TopK cands, Direction dir, SearchOptions o,
      VectorType type, List<List<Aggregator.Span>> out) {
    List<TokenTable> tables = tokenTables(type);
    List<DumpShard> shards = dump.shards();
    // (shard)(question) -> local candidate ids
    Map<Integer, long[][]> byShard = new HashMap<>();
    Map<Integer, int[]> counts = new HashMap<>();
    int k1 = cands.k();
    for (int qi = 0; qi < n; qi++) {
      for (int j = 0; j < k1; j++) {
        long id = cands.id(qi, j);
        if (id < 0 || dump.isDeletedToken(id)) { // a removed or replaced document is never an answer
          continue;
        }
        DumpShard s = dump.shardOfToken(id);
        long[][] per = byShard.computeIfAbsent(s.index(), x -> new long[n][k1]);
        int[] c = counts.computeIfAbsent(s.index(), x -> new int[n]);
        per[qi][c[qi]++] = id - s.tokenBase();
      }
    }
    for (Map.Entry<Integer, long[][]> e : byShard.entrySet()) {
      int si = e.getKey();
      int[] c = counts.get(si);
      int kc = 0;
      for (int x : c) {
        kc = Math.max(kc, x);
      }
      long[] flat = new long[n * kc]; // (question)(K), -1 padding
      Arrays.fill(flat, -1);
      for (int qi = 0; qi < n; qi++) {
        System.arraycopy(e.getValue()[qi], 0, flat, qi * kc, c[qi]);
      }
      SpanQuery query = new SpanQuery(qStart, qEnd, n, flat, kc, o.maxAnswerLength(), dir,
          Math.min(kc, KernelLimits.MAX_K));
      SpanResult r = backend.spanScorer().score(tables.get(si), query);
      long base = shards.get(si).tokenBase();
      for (int qi = 0; qi < n; qi++) {
        for (int j = qi * kc; j < qi * kc + c[qi]; j++) {
          long cand = flat[j];
          long other = r.candidateOther()[j];
          if (other < 0) {
            continue;
          }
          long st = dir == Direction.START_TO_END ? cand : other;
          long en = dir == Direction.START_TO_END ? other : cand;
          out.get(qi).add(new Aggregator.Span(base + st, base + en, r.candidateScore()[j]));
        }
      }
    }
  }

  /** Distinct (start, end) spans, best first. */
  private static List<Aggregator.Span> dedupe(List<Aggregator.Span> spans) {
    Map<List<Long>, Aggregator.Span> best = new HashMap<>();
    for (Aggregator.Span s : spans) {
      best.merge(List.of(s.start(), s.end()), s, (a, b) -> a.score() >= b.score() ? a : b);
    }
    List<Aggregator.Span> out = new ArrayList<>(best.values());
    // descending score; ties broken by position so that results do not depend on hash order
    out.sort((a, b) -> a.score() != b.score() ? Float.compare(b.score(), a.score())
        : a.start() != b.start() ? Long.compare(a.start(), b.start()) : Long.compare(a.end(), b.end()));
    return out;
  }

  private synchronized List<TokenTable> tokenTables(VectorType type) {
    checkOpen();
    List<TokenTable> t = tokenTables.get(type);
    if (t == null) {
      t = new ArrayList<>();
      tokenTables.put(type, t); // registered before loading, so close() frees what a failure left loaded
      for (DumpShard s : dump.shards()) {
        t.add(backend.spanScorer().load(s.vectors(type), s.docTokenStarts()));
      }
    }
    return t;
  }

  private synchronized List<ScanTable> flatTables(VectorType type) {
    checkOpen();
    List<ScanTable> t = flatTables.get(type);
    if (t == null) {
      t = new ArrayList<>();
      flatTables.put(type, t);
      for (DumpShard s : dump.shards()) {
        t.add(backend.vectorScanner().load(s.vectors(type)));
      }
    }
    return t;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the searcher is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (List<TokenTable> l : tokenTables.values()) {
      l.forEach(TokenTable::close);
    }
    for (List<ScanTable> l : flatTables.values()) {
      l.forEach(ScanTable::close);
    }
    if (ivf != null) {
      ivf.close();
    }
  }
}
