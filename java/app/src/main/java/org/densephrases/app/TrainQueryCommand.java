package org.densephrases.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpShard;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.VectorType;
import org.densephrases.model.data.SquadAnswer;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.query.PhraseRetriever;
import org.densephrases.model.query.QueryTrainer;
import org.densephrases.search.SearchSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code densephrases train-query}: query-side fine-tuning (java/train's {@link QueryTrainer}) of a phrase model's
 * question encoder against one of its dumps and the index the service searches. Writes a question-side export
 * ({@code question-model.dpm}) that searches that phrase model's dumps ({@code search --model OUT}, {@code eval-open
 * --model OUT}) and loads beside it for reading comprehension ({@code eval-rc --question-model OUT}).
 */
@Command(name = "train-query", mixinStandardHelpOptions = true,
    description = "Query-side fine-tuning: train the question encoder against a fixed dump and index.")
final class TrainQueryCommand implements Callable<Integer> {
  @Option(names = "--model", description = "the exported phrase model the dump was made with (default: the committed"
      + " model)")
  String model;

  @Option(names = "--dump", required = true, description = "the phrase dump (made by --model), kept as it is")
  Path dump;

  @Option(names = "--index", description = "the index retrieved from: exact, sq8 or pq (default ${DEFAULT-VALUE})")
  String index = "sq8";

  @Option(names = "--backend", description = "kernel backend: auto, java, simd or cuda (default ${DEFAULT-VALUE})")
  String backend = "auto";

  @Option(names = "--nprobe", description = "IVF lists probed (default: the search default)")
  Integer nprobe;

  @Option(names = "--train-file", required = true, description = "SQuAD-format training questions (.json or .json.gz)")
  Path trainFile;

  @Option(names = "--limit", description = "first N training questions only (0 = all)")
  int limit;

  @Option(names = "--out", required = true, description = "output directory: question-model.dpm, config, loss log")
  Path out;

  @Option(names = "--epochs") Integer epochs;
  @Option(names = "--max-steps", description = "stop after N steps (0 = no limit)") Long maxSteps;
  @Option(names = "--batch", description = "questions per step") Integer batch;
  @Option(names = "--lr") Float lr;
  @Option(names = "--warmup", description = "warm-up fraction of the steps") Float warmup;
  @Option(names = "--top-k", description = "phrases retrieved per question (the paper: 100)") Integer topK;

  @Option(names = "--no-positive", description = "a question without a gold phrase in its top k: gold (add its gold"
      + " phrase) or skip")
  String noPositive;

  @Option(names = "--dropout") Float dropout;
  @Option(names = "--tune-word-embeddings", description = "train the word embeddings too") boolean tuneEmbeddings;
  @Option(names = "--seed") Long seed;
  @Option(names = "--device", description = "auto (GPU when the engine sees one), cpu, gpu or gpu:N") String device;
  @Option(names = "--log-every", description = "a progress line every N steps") Integer logEvery;

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  QueryTrainer.Options options() {
    QueryTrainer.Options d = QueryTrainer.Options.defaults();
    QueryTrainer.NoPositive np = d.noPositive();
    if (noPositive != null) {
      np = switch (noPositive.trim().toLowerCase(Locale.ROOT)) {
        case "gold" -> QueryTrainer.NoPositive.GOLD;
        case "skip" -> QueryTrainer.NoPositive.SKIP;
        default -> throw new IllegalArgumentException("--no-positive: '" + noPositive + "' (gold or skip)");
      };
    }
    return new QueryTrainer.Options(epochs != null ? epochs : d.epochs(), maxSteps != null ? maxSteps : d.maxSteps(),
        batch != null ? batch : d.batch(), lr != null ? lr : d.learningRate(),
        warmup != null ? warmup : d.warmupFraction(), topK != null ? topK : d.topK(), np,
        dropout != null ? dropout : d.dropout(), tuneEmbeddings, seed != null ? seed : d.seed(),
        device != null ? device : d.device(), logEvery != null ? logEvery : d.logEvery());
  }

  private Integer execute() throws Exception {
    QueryTrainer.Options o = options();
    if (limit < 0) {
      throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
    }
    String spec = model != null ? model : EncoderModel.defaultModel();
    Path modelDir = Path.of(spec);
    if (!RawPhraseModel.isExport(modelDir)) {
      throw new IllegalArgumentException("--model: " + spec + " is not an exported phrase model (a directory with "
          + RawPhraseModel.MODEL_FILE + ")");
    }
    if (out.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException("--out must not be the phrase model's directory (" + spec
          + "): the phrase model stays as it is");
    }
    List<QueryTrainer.Example> examples = examples(SquadReader.read(trainFile), limit);
    String phraseId = RawPhraseModel.readModelId(modelDir);
    SearchSession.Builder b = SearchSession.builder().dump(dump).index(index).backend(Backend.of(backend))
        .vectorsOnly(phraseId, RawPhraseModel.read(modelDir).meta().bert().hiddenSize());
    try (SearchSession session = Sessions.open(b, nprobe);
        QueryTrainer t = new QueryTrainer(modelDir, o, System.out)) {
      System.out.printf(Locale.ROOT, "train-query: %d questions from %s; dump %s (%d docs, %d phrases), index %s on"
          + " %s; %d steps planned%n", examples.size(), trainFile.getFileName(), dump, session.dump().numDocs(),
          session.dump().numTokens(), session.indexKind(), session.backend().name(), t.plannedSteps(examples.size()));
      QueryTrainer.Stats s = t.train(examples, new SessionRetriever(session, o.topK()), out);
      System.out.printf(Locale.ROOT, "train-query: %d steps, %d questions in %.1f s; positive in top %d: %.1f%% ->"
          + " %.1f%%, loss %.4f -> %.4f; gold added %d, skipped %d%n", s.steps(), s.questions(), s.seconds(),
          o.topK(), 100 * s.firstHitRate(), 100 * s.lastHitRate(), s.firstLoss(), s.lastLoss(), s.goldAdded(),
          s.skipped());
    }
    return 0;
  }

  /** Every question with an answer, with its first answer's place in its passage. */
  static List<QueryTrainer.Example> examples(SquadDataset data, int limit) {
    List<QueryTrainer.Example> out = new ArrayList<>();
    for (SquadParagraph p : data.paragraphs()) {
      for (SquadQuestion q : p.questions()) {
        if (q.answers().isEmpty()) {
          continue;
        }
        SquadAnswer a = q.answers().get(0);
        out.add(new QueryTrainer.Example(q.question(), q.answerTexts(), p.title(), p.context(), a.charStart(),
            a.charEnd()));
        if (limit > 0 && out.size() >= limit) {
          return out;
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the training file has no answered questions");
    }
    return out;
  }

  /**
   * The session's index as a {@link PhraseRetriever}: top-k phrases (every span, not only distinct texts) with the
   * dump's stored vectors of their start and end tokens (FP16 when the dump has them: what the search rescores with).
   */
  static final class SessionRetriever implements PhraseRetriever {
    private final SearchSession session;
    private final SearchOptions options;
    private final Dump dump;
    private final VectorType type;
    private Map<String, Integer> docOfText; // built on first use

    SessionRetriever(SearchSession session, int k) {
      this.session = session;
      this.dump = session.dump();
      SearchOptions d = session.defaults();
      this.options = new SearchOptions(k, Math.max(d.candidates(), k), d.nprobe(), d.maxAnswerLength(), Unit.PHRASE,
          d.mirror(), d.rescoreType(), false);
      this.type = dump.types().contains(VectorType.FP16) ? VectorType.FP16 : dump.types().iterator().next();
    }

    @Override
    public int dim() {
      return dump.dim();
    }

    @Override
    public List<List<Phrase>> retrieve(float[] qStart, float[] qEnd, int n, int k) {
      List<List<Answer>> found = session.searchVectors(qStart, qEnd, n, options.withK(k),
          List.of(Unit.PHRASE)).get(Unit.PHRASE);
      List<List<Phrase>> out = new ArrayList<>(n);
      for (List<Answer> as : found) {
        List<Phrase> ps = new ArrayList<>(as.size());
        for (Answer a : as) {
          ps.add(new Phrase(a.text(), vector(a.startToken()), vector(a.endToken())));
        }
        out.add(ps);
      }
      return out;
    }

    private float[] vector(long globalToken) {
      DumpShard s = dump.shardOfToken(globalToken);
      float[] v = new float[dump.dim()];
      EncodedVectors ev = s.vectors(type);
      ev.decodeRow(globalToken - s.tokenBase(), v);
      return v;
    }

    @Override
    public Phrase gold(String title, String context, int charStart, int charEnd) {
      if (docOfText == null) {
        Map<String, Integer> m = new HashMap<>();
        for (DumpShard s : dump.shards()) {
          for (int d = 0; d < s.numDocs(); d++) {
            m.putIfAbsent(s.text(d), s.docBase() + d);
          }
        }
        docOfText = m;
      }
      Integer doc = docOfText.get(context);
      if (doc == null) {
        return null;
      }
      DumpShard s = null;
      for (DumpShard x : dump.shards()) {
        if (doc >= x.docBase() && doc < x.docBase() + x.numDocs()) {
          s = x;
        }
      }
      int local = doc - s.docBase();
      long from = s.docTokenStarts()[local];
      long to = s.docTokenStarts()[local + 1];
      long start = -1;
      long end = -1;
      for (long t = from; t < to; t++) {
        if (start < 0 && s.charEnd(t) > charStart) {
          start = t;
        }
        if (s.charStart(t) < charEnd) {
          end = t;
        }
      }
      if (start < 0 || end < start || s.charStart(start) > charStart || s.charEnd(end) < charEnd
          || s.tokenPosition(end) - s.tokenPosition(start) >= options.maxAnswerLength()) {
        return null; // the answer's first or last token was filtered out of the dump, or the span is too long
      }
      float[] hs = new float[dump.dim()];
      float[] he = new float[dump.dim()];
      s.vectors(type).decodeRow(start, hs);
      s.vectors(type).decodeRow(end, he);
      return new Phrase(context.substring(s.charStart(start), s.charEnd(end)), hs, he);
    }
  }
}
