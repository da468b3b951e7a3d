package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.encode.QuestionEncoderOptions;
import org.densephrases.app.EvalQuestions.Q;
import org.densephrases.app.encode.QuestionVectors;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.StageTimes;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.model.data.CorpusReader;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import org.densephrases.model.eval.SquadMetrics;
import org.densephrases.model.eval.SquadPredictions;
import org.densephrases.search.QuestionEncoder;
import org.densephrases.search.SearchSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases eval-open}: open-domain QA on the SQuAD dev questions, answered from the whole dump without
 * being told their paragraph. Per index (exact, IVF-SQ8, IVF-PQ) and backend: EM and F1 of the top phrase (official
 * SQuAD normalisation, java/model's SquadMetrics), top-k answer recall (a reference answer among the top-k phrases,
 * by EM), paragraph recall@k (the question's own paragraph among the top-k paragraphs: the same search aggregated by
 * paragraph), queries/s and p50/p99 latency of one-question searches, bytes per phrase. One markdown table.
 *
 * <p>Per row it also writes, under {@code --predictions}, {@code predictions-<index>-<backend>.json} (the top phrase
 * per question id, the official SQuAD v1.1 format the official evaluation script scores) and
 * {@code topk-<index>-<backend>.jsonl} (per question: id, question, reference answers and the top {@code --jsonl-k}
 * phrases with score, document, offsets and evidence).
 *
 * <p>Questions are encoded once, in batches; {@code --write-question-vectors} saves them and
 * {@code --question-vectors} reads them instead of loading the encoder (a machine without DJL runs the search part).
 */
@Command(name = "eval-open", mixinStandardHelpOptions = true,
    description = "Open-domain evaluation on SQuAD dev: EM/F1, answer and paragraph recall@k, latency per index.")
final class EvalOpenCommand implements Callable<Integer> {
  static final int[] KS = {1, 5, 10, 50};

  @Spec CommandSpec spec;

  @Option(names = "--dev", description = "SQuAD v1.1 file (default: ${DEFAULT-VALUE})")
  Path dev = Path.of(Workspace.DEFAULT_DEV);

  @Option(names = "--corpus", description = "the corpus the dump was made from, to find each question's paragraph"
      + " (default: ${DEFAULT-VALUE})")
  Path corpus = Path.of(Workspace.DEFAULT_CORPUS);

  @Option(names = "--dump", description = "dump directory (default: the model's dump of the default corpus)")
  Path dump;

  @Option(names = "--model", description = "question encoder (default: the committed model)")
  String model;

  @Mixin EncoderOptions encoder = new EncoderOptions();

  @Mixin QuestionEncoderOptions questionEncoder = new QuestionEncoderOptions();

  @Option(names = "--index", split = ",", description = "exact, sq8, pq (default: exact,sq8,pq)")
  List<String> indexes = List.of("exact", "sq8", "pq");

  @Option(names = "--backend", split = ",", description = "kernel backends: auto, cuda, simd, scalar (default: auto)")
  List<String> backends = List.of("auto");

  @Option(names = "--limit", description = "evaluate N questions spread evenly over the file (0 = all)")
  int limit = 0;

  @Option(names = "--nprobe", description = "IVF lists probed (default: ${DEFAULT-VALUE})")
  int nprobe = 64;

  @Option(names = "--candidates", description = "first-stage candidates per direction (default: ${DEFAULT-VALUE})")
  int candidates = 256;

  @Option(names = "--max-answer-length", description = "answer length in tokens (default: ${DEFAULT-VALUE})")
  int maxAnswerLength = 20;

  @Option(names = "--question-vectors", description = "read encoded questions from this file (no encoder loaded)")
  Path readVectors;

  @Option(names = "--write-question-vectors", description = "write the encoded questions to this file")
  Path writeVectors;

  @Option(names = "--out", description = "markdown table (default: ${DEFAULT-VALUE})")
  Path out = Path.of("benchmarks/results/open-domain.md");

  @Option(names = "--all-spans", description = "keep phrases that overlap a better answer of the same evidence"
      + " (default: distinct answers)")
  boolean allSpans;

  @Option(names = "--predictions", description = "directory of predictions-<index>-<backend>.json (official SQuAD"
      + " v1.1 format) and topk-<index>-<backend>.jsonl (default: ${DEFAULT-VALUE})")
  Path predictions = Path.of("work", "eval-open");

  @Option(names = "--jsonl-k", description = "phrases per question in the top-k JSONL, 1..50 (default: ${DEFAULT-VALUE})")
  int jsonlK = 10;

  @Option(names = "--warmup", description = "searches before timing (default: ${DEFAULT-VALUE})")
  int warmup = 5;

  /** The question-side export's id when --model is one (train-query), else null. */
  private String questionSide;

  /** The engine that encoded the questions (for the report), null when they were read. */
  private String encoderEngine;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::evaluate);
  }

  /** One row of the table. */
  record Row(String index, String backend, String device, int n, double em, double f1, double[] answerRecall,
      double[] paragraphRecall, double qps, double p50, double p99, double bytesPerPhrase, Stages stages) {}

  /**
   * Per-question milliseconds by stage, (question) each: encode (NaN when the vectors were read), first stage, span
   * scoring, aggregation.
   */
  record Stages(double[] encode, double[] first, double[] span, double[] aggregate) {
    boolean encoded() {
      return !Double.isNaN(encode[0]);
    }
  }

  private Integer evaluate() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    Options.checkRange("--limit", limit, 0, Integer.MAX_VALUE);
    Options.checkRange("--warmup", warmup, 0, 10_000);
    Options.checkRange("--jsonl-k", jsonlK, 1, KS[KS.length - 1]);
    SearchOptions opts = SearchFlags.named(() -> SearchOptions.defaults().withK(KS[KS.length - 1]).withNprobe(nprobe)
        .withCandidates(candidates).withMaxAnswerLength(maxAnswerLength).withDistinct(!allSpans));
    for (String ix : indexes) {
      if (!SearchSession.INDEXES.contains(ix.trim().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("--index: unknown index '" + ix + "': expected exact, sq8 or pq");
      }
    }
    for (String b : backends) {
      Backend.of(b); // a backend that cannot run here fails before any work
    }
    List<Q> qs = EvalQuestions.questions(SquadReader.read(dev), limit);
    o.printf(Locale.ROOT, "eval-open: %d questions of %s%n", qs.size(), dev);
    o.flush();

    if (readVectors != null) {
      QuestionVectors qv = select(QuestionVectors.read(readVectors, null), qs);
      o.printf(Locale.ROOT, "eval-open: question vectors of model %s read from %s%n", qv.modelId(), readVectors);
      return evaluate(qs, qv, null, Double.NaN, opts, o);
    }
    // Encoded once in batches (the vectors file, the batch rate) and kept open: the timed searches encode each
    // question again on its own, so their latency is end to end.
    String modelSpec = model != null ? model : EncoderModel.defaultModel();
    encoder.check(modelSpec);
    String engine = questionEncoder.resolve(modelSpec, encoder.engine);
    try (QuestionEncoder m = Sessions.load(modelSpec, encoder, engine)) {
      long t0 = System.nanoTime();
      float[][] v = m.encode(qs.stream().map(Q::text).toList(), 64);
      double encodeSec = (System.nanoTime() - t0) / 1e9;
      QuestionVectors qv = new QuestionVectors(m.modelId(), m.dim(), qs.stream().map(Q::id).toList(),
          qs.stream().map(Q::text).toList(), v[0], v[1]);
      encoderEngine = engine;
      if (!m.questionModelId().equals(m.modelId())) {
        questionSide = m.questionModelId();
      }
      o.printf(Locale.ROOT, "eval-open: encoded %d questions in %.1fs (%.1f questions/s, batches of 64, %s encoder)%n",
          qs.size(), encodeSec, qs.size() / encodeSec, encoderEngine);
      if (writeVectors != null) {
        qv.write(writeVectors);
        o.println("eval-open: question vectors written to " + writeVectors);
      }
      return evaluate(qs, qv, m, encodeSec, opts, o);
    }
  }

  /** Every (index, backend) row over the questions; {@code enc} null when the vectors were read from a file. */
  private Integer evaluate(List<Q> qs, QuestionVectors qv, QuestionEncoder enc, double encodeSec, SearchOptions opts,
      PrintWriter o) throws Exception {
    o.flush();
    Path dir = dump != null ? dump : Workspace.defaultDump(qv.modelId());

    // ---- gold paragraphs: corpus ids whose text is the question's context
    Map<String, Set<String>> idsByText = new HashMap<>();
    Set<String> contexts = new HashSet<>();
    qs.forEach(q -> contexts.add(q.context()));
    CorpusReader.forEach(corpus, p -> {
      if (contexts.contains(p.text())) {
        idsByText.computeIfAbsent(p.text(), x -> new HashSet<>()).add(p.id());
      }
    });

    List<Row> rows = new ArrayList<>();
    String dumpInfo = "";
    for (String ix : indexes) {
      for (String b : backends) {
        try (SearchSession s = Sessions.openVectors(dir, qv.modelId(), qv.dim(), ix, b, opts)) {
          dumpInfo = String.format(Locale.ROOT, "%s: %d paragraphs, %d phrases (tokens) x %d, model %s",
              dir, s.dump().numDocs(), s.dump().numTokens(), s.dump().dim(), s.dump().modelId());
          Row r = run(s, enc, qv, qs, idsByText, opts, o);
          rows.add(r);
          o.println("eval-open: " + line(r));
          o.flush();
        }
      }
    }
    String md = markdown(rows, qs.size(), dumpInfo, encodeSec, qv.modelId());
    TextFiles.writeAtomically(out, md);
    o.println(md);
    o.println("eval-open: table written to " + out);
    o.flush();
    return 0;
  }

  /**
   * Answers every question one at a time and scores them. With an encoder, each question is encoded on its own inside
   * the timed span (latency end to end: encode, first stage, span scoring, aggregation); without one (vectors read
   * from a file), the latency starts at the vectors.
   */
  private Row run(SearchSession s, QuestionEncoder enc, QuestionVectors qv, List<Q> qs,
      Map<String, Set<String>> gold, SearchOptions opts, PrintWriter o) throws java.io.IOException {
    KernelBackend kb = s.backend();
    int dim = qv.dim();
    int n = qs.size();
    List<Unit> units = List.of(Unit.PHRASE, Unit.PARAGRAPH);
    StageTimes st = new StageTimes();
    for (int i = 0; i < Math.min(warmup, n); i++) {
      float[][] v = enc != null ? enc.encode(List.of(qs.get(i).text()), 1)
          : new float[][] {row(qv.qStart(), i, dim), row(qv.qEnd(), i, dim)};
      s.searchVectors(v[0], v[1], 1, opts, units, st);
    }
    Stages stages = new Stages(new double[n], new double[n], new double[n], new double[n]);
    Map<String, String> preds = new java.util.LinkedHashMap<>();
    String name = s.indexKind() + "-" + kb.name();
    Path jsonl = predictions.resolve("topk-" + name + ".jsonl");
    Files.createDirectories(predictions);
    Path jsonlTmp = predictions.resolve(jsonl.getFileName() + ".tmp");
    java.io.BufferedWriter topk = Files.newBufferedWriter(jsonlTmp, StandardCharsets.UTF_8);
    double[] lat = new double[n];
    double em = 0;
    double f1 = 0;
    double[] ar = new double[KS.length];
    double[] pr = new double[KS.length];
    long t0 = System.nanoTime();
    long last = t0;
    for (int i = 0; i < n; i++) {
      long ts = System.nanoTime();
      float[][] v = enc != null ? enc.encode(List.of(qs.get(i).text()), 1)
          : new float[][] {row(qv.qStart(), i, dim), row(qv.qEnd(), i, dim)};
      long tv = System.nanoTime();
      st.reset();
      Map<Unit, List<List<Answer>>> res = s.searchVectors(v[0], v[1], 1, opts, units, st);
      long te = System.nanoTime();
      lat[i] = (te - ts) / 1e6;
      stages.encode()[i] = enc != null ? (tv - ts) / 1e6 : Double.NaN;
      stages.first()[i] = st.firstStageNanos() / 1e6;
      stages.span()[i] = st.spanNanos() / 1e6;
      stages.aggregate()[i] = st.aggregateNanos() / 1e6;
      Q q = qs.get(i);
      List<Answer> phrases = res.get(Unit.PHRASE).get(0);
      List<Answer> paras = res.get(Unit.PARAGRAPH).get(0);
      preds.put(q.id(), phrases.isEmpty() ? "" : phrases.get(0).text());
      topk.write(TopKJsonl.line(q.id(), q.text(), q.answers(), phrases, jsonlK));
      topk.write('\n');
      if (!phrases.isEmpty()) {
        em += SquadMetrics.maxExactMatch(phrases.get(0).text(), q.answers());
        f1 += SquadMetrics.maxF1(phrases.get(0).text(), q.answers());
      }
      Set<String> g = gold.getOrDefault(q.context(), Set.of());
      for (int j = 0; j < KS.length; j++) {
        int k = KS[j];
        boolean hit = false;
        for (int r = 0; r < Math.min(k, phrases.size()) && !hit; r++) {
          hit = SquadMetrics.maxExactMatch(phrases.get(r).text(), q.answers()) > 0;
        }
        ar[j] += hit ? 1 : 0;
        boolean ph = false;
        for (int r = 0; r < Math.min(k, paras.size()) && !ph; r++) {
          ph = g.contains(paras.get(r).docId());
        }
        pr[j] += ph ? 1 : 0;
      }
      if (te - last > 10e9) {
        last = te;
        double sec = (te - t0) / 1e9;
        o.printf(Locale.ROOT, "eval-open: %s/%s %d / %d questions, %.1f q/s, ETA %.0fs%n", s.indexKind(), kb.name(),
            i + 1,
            n, (i + 1) / sec, (n - i - 1) / ((i + 1) / sec));
        o.flush();
      }
    }
    double sec = (System.nanoTime() - t0) / 1e9;
    topk.close();
    Files.move(jsonlTmp, jsonl, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Path pf = predictions.resolve("predictions-" + name + ".json");
    SquadPredictions.write(pf, preds);
    o.println("eval-open: " + pf + " (official SQuAD v1.1 format) and " + jsonl + " written");
    for (int j = 0; j < KS.length; j++) {
      ar[j] = 100 * ar[j] / n;
      pr[j] = 100 * pr[j] / n;
    }
    double[] sorted = lat.clone();
    Arrays.sort(sorted);
    return new Row(s.indexKind(), kb.name(), kb.device(), n, 100 * em / n, 100 * f1 / n, ar, pr, n / sec,
        Percentiles.of(sorted, 0.50), Percentiles.of(sorted, 0.99), s.bytesPerPhrase(), stages);
  }

  private static float[] row(float[] a, int i, int dim) {
    return Arrays.copyOfRange(a, i * dim, (i + 1) * dim);
  }

  /** The rows of {@code qv} for the selected questions, by id (a file of other questions is an error). */
  private static QuestionVectors select(QuestionVectors qv, List<Q> qs) {
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < qv.size(); i++) {
      at.put(qv.ids().get(i), i);
    }
    int dim = qv.dim();
    float[] s = new float[qs.size() * dim];
    float[] e = new float[qs.size() * dim];
    for (int i = 0; i < qs.size(); i++) {
      Integer r = at.get(qs.get(i).id());
      if (r == null) {
        throw new IllegalArgumentException("--question-vectors: the file has no vector for question " + qs.get(i).id()
            + " (it holds " + qv.size() + " questions; write it with the same --dev and --limit)");
      }
      System.arraycopy(qv.qStart(), r * dim, s, i * dim, dim);
      System.arraycopy(qv.qEnd(), r * dim, e, i * dim, dim);
    }
    return new QuestionVectors(qv.modelId(), dim, qs.stream().map(Q::id).toList(), qs.stream().map(Q::text).toList(),
        s, e);
  }

  static String line(Row r) {
    return String.format(Locale.ROOT, "%s/%s: EM %.2f F1 %.2f, answer R@1/5/10/50 %.1f/%.1f/%.1f/%.1f, paragraph"
            + " R@1/5/10/50 %.1f/%.1f/%.1f/%.1f, %.2f q/s, p50 %.1f ms, p99 %.1f ms, %.1f bytes/phrase", r.index(),
        r.backend(), r.em(), r.f1(), r.answerRecall()[0], r.answerRecall()[1], r.answerRecall()[2],
        r.answerRecall()[3], r.paragraphRecall()[0], r.paragraphRecall()[1], r.paragraphRecall()[2],
        r.paragraphRecall()[3], r.qps(), r.p50(), r.p99(), r.bytesPerPhrase());
  }

  private String markdown(List<Row> rows, int n, String dumpInfo, double encodeSec, String modelId) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Open-domain QA on SQuAD dev (eval-open)\n\n");
    sb.append(String.format(Locale.ROOT, "- run: %s, %d cores visible to the JVM%n", Instant.now(),
        Runtime.getRuntime().availableProcessors()));
    sb.append("- questions: ").append(n).append(" of ").append(dev)
        .append(limit > 0 ? " (spread evenly: --limit " + limit + ")" : "").append('\n');
    sb.append("- dump: ").append(dumpInfo).append('\n');
    sb.append("- question encoder: ").append(questionSide != null ? questionSide + " (question side tuned for phrase"
        + " model " + modelId + ")" : modelId)
        .append(Double.isNaN(encodeSec) ? " (vectors read from " + readVectors + ")"
            : String.format(Locale.ROOT, " (%s encoder; %.1f questions/s in batches of 64; the timed searches encode"
                + " each question on its own)", encoderEngine, n / encodeSec)).append('\n');
    sb.append(String.format(Locale.ROOT, "- search: k1 = %d candidates per direction, mirror on, L = %d tokens,"
        + " nprobe %d (IVF), FP16 rescoring, %s; latency = one question per call, %s, after %d warm-up"
        + " questions%n", candidates, maxAnswerLength, nprobe, allSpans ? "all spans (--all-spans)"
            : "distinct phrases (no two overlapping spans of one document)", Double.isNaN(encodeSec)
            ? "from the question vectors (encoding not included)" : "end to end (question encoding included)", warmup));
    sb.append("- EM/F1: top phrase, official SQuAD normalisation; answer R@k: a reference answer (EM) among the top-k"
        + " phrases; paragraph R@k: the question's own paragraph among the top-k paragraphs of the same search\n");
    sb.append("- bytes/phrase: the first stage's data per stored token (index file / tokens; exact: the FP16"
        + " vectors); the second stage also reads the dump's FP16 vectors of the candidates\n\n");
    sb.append("| index | backend | EM | F1 | answer R@1 | R@5 | R@10 | R@50 | paragraph R@1 | R@5 | R@10 | R@50"
        + " | q/s | p50 ms | p99 ms | bytes/phrase |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f"
              + " | %.1f | %.2f | %.1f | %.1f | %.1f |%n", r.index().equals("exact") ? "exact (flat FP16)"
              : "IVF-" + r.index().toUpperCase(Locale.ROOT), r.backend() + " (" + r.device() + ")", r.em(), r.f1(),
          r.answerRecall()[0], r.answerRecall()[1], r.answerRecall()[2], r.answerRecall()[3],
          r.paragraphRecall()[0], r.paragraphRecall()[1], r.paragraphRecall()[2], r.paragraphRecall()[3], r.qps(),
          r.p50(), r.p99(), r.bytesPerPhrase()));
    }
    sb.append("\nWhere a question's time goes (ms per question, p50 / p99 / mean; q/s, p50 and p99 above are the whole"
        + " question):\n\n");
    sb.append("| index | backend | encode | first stage | span scoring | aggregation | total |\n");
    sb.append("|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      Stages st = r.stages();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.1f / %.1f / %.1f |%n", r.index(),
          r.backend(), st.encoded() ? stage(st.encode()) : "not included", stage(st.first()), stage(st.span()),
          stage(st.aggregate()), r.p50(), r.p99(), 1000.0 / r.qps()));
    }
    return sb.toString();
  }

  /** "p50 / p99 / mean" of per-question milliseconds. */
  static String stage(double[] ms) {
    double[] s = ms.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", Percentiles.of(s, 0.5), Percentiles.of(s, 0.99),
        Arrays.stream(ms).average().orElse(Double.NaN));
  }
}
