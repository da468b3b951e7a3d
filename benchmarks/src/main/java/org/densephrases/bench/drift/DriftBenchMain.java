package org.densephrases.bench.drift;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.densephrases.search.SearchSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.densephrases.app.EvalQuestions;
import org.densephrases.app.Main;
import org.densephrases.app.Workspace;
import org.densephrases.app.encode.QuestionVectors;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfSearcher;
import org.densephrases.index.ivf.Recall;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.VectorType;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.data.CorpusReader;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.eval.SquadMetrics;

/**
 * Index drift after adding documents ({@code tools/bench-drift.sh}): a subset of the corpus (the paragraphs of the
 * evaluated dev questions plus random others), then
 * <ol>
 *   <li>full rebuild: {@code dump} of the whole subset + {@code index} (timed);
 *   <li>80%: a copy of that dump with a random 20% removed and compacted (the same vectors as encoding the 80%), an
 *       index trained on it;
 *   <li>add: {@code add} of the 20% (encoded now, timed), the index kept current with its old centroids and codec;
 *   <li>retrain: {@code index --retrain} on the result;
 * </ol>
 * and for each: first-stage recall@10 and 10-recall@100 of IVF-SQ8 against exact search with the real question start
 * vectors, open-domain EM/F1 and paragraph recall@10 of the two-stage search, on all questions and on those whose
 * paragraph was added. Writes a markdown table and a PNG.
 */
public final class DriftBenchMain {
  private DriftBenchMain() {}

  record Eval(String name, double[] recall10, double[] recall100, double em, double f1, double pr10, double emAdded,
      double f1Added, int nAdded, double qps) {}

  /**
   * Runs the drift benchmark (see the class comment).
   *
   * @param a the options (see {@code tools/bench-drift.sh})
   * @throws Exception when a step fails; the run stops there
   */
  public static void main(String[] a) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("--corpus", Workspace.DEFAULT_CORPUS);
    o.put("--dev", Workspace.DEFAULT_DEV);
    o.put("--paragraphs", "5000");
    o.put("--questions", "1000");
    o.put("--add-fraction", "0.2");
    o.put("--split", "random");
    o.put("--recall-questions", "200");
    o.put("--exact", "yes");
    o.put("--nprobe", "8,32");
    o.put("--work", "work/drift");
    o.put("--out", "benchmarks/results/drift.md");
    o.put("--model", EncoderModel.defaultModel());
    for (int i = 0; i < a.length; i += 2) {
      if (!o.containsKey(a[i]) || i + 1 >= a.length) {
        System.err.println("bench-drift: unknown option or missing value: " + a[i] + " (options: " + o.keySet() + ")");
        System.exit(2);
      }
      o.put(a[i], a[i + 1]);
    }
    int nPara = Integer.parseInt(o.get("--paragraphs")); // 0: the whole corpus
    int nQ = Integer.parseInt(o.get("--questions"));
    double addFraction = Double.parseDouble(o.get("--add-fraction"));
    int[] nprobes = Arrays.stream(o.get("--nprobe").split(",")).mapToInt(Integer::parseInt).toArray();
    Path work = Path.of(o.get("--work"));
    String model = o.get("--model");
    long tAll = System.nanoTime();

    // ---- the subset and its split
    List<EvalQuestions.Q> qs = EvalQuestions.questions(SquadReader.read(Path.of(o.get("--dev"))), nQ);
    Set<String> contexts = new HashSet<>();
    qs.forEach(q -> contexts.add(q.context()));
    List<CorpusParagraph> corpus = CorpusReader.readAll(Path.of(o.get("--corpus")));
    List<Integer> gold = new ArrayList<>();
    List<Integer> other = new ArrayList<>();
    for (int i = 0; i < corpus.size(); i++) {
      (contexts.contains(corpus.get(i).text()) ? gold : other).add(i);
    }
    Collections.shuffle(other, new Random(7));
    Set<Integer> chosen = new HashSet<>(gold);
    int others = nPara <= 0 ? other.size() : Math.max(0, Math.min(other.size(), nPara - gold.size()));
    chosen.addAll(other.subList(0, others));
    List<Integer> subset = chosen.stream().sorted().toList();
    List<Integer> shuffled = new ArrayList<>(subset);
    Collections.shuffle(shuffled, new Random(11));
    int nAdd = (int) Math.round(subset.size() * addFraction);
    Set<Integer> added = new HashSet<>();
    String split = o.get("--split");
    if (split.equals("random")) {
      added.addAll(shuffled.subList(0, nAdd));
    } else if (split.equals("titles")) {
      // whole articles: the added paragraphs are about topics the 80% never saw
      Map<String, List<Integer>> byTitle = new LinkedHashMap<>();
      subset.forEach(i -> byTitle.computeIfAbsent(corpus.get(i).title(), t -> new ArrayList<>()).add(i));
      List<String> titles = new ArrayList<>(byTitle.keySet());
      Collections.shuffle(titles, new Random(11));
      for (String t : titles) {
        if (added.size() >= nAdd) {
          break;
        }
        added.addAll(byTitle.get(t));
      }
    } else {
      System.err.println("bench-drift: --split must be random or titles, got " + split);
      System.exit(2);
    }
    Files.createDirectories(work);
    Path subsetFile = work.resolve("subset.jsonl");
    Path addFile = work.resolve("added.jsonl");
    writeJsonl(subsetFile, subset.stream().map(corpus::get).toList());
    writeJsonl(addFile, subset.stream().filter(added::contains).map(corpus::get).toList());
    Set<String> addedTexts = new HashSet<>();
    added.forEach(i -> addedTexts.add(corpus.get(i).text()));
    System.out.printf(Locale.ROOT, "bench-drift: %d paragraphs (%d of them the %d questions' own), %d added later%n",
        subset.size(), gold.size(), qs.size(), added.size());

    // ---- 1. full rebuild
    Path full = work.resolve("full");
    Path base = work.resolve("base");
    deleteTree(base);
    Path times = full.resolve("BENCH_TIMES"); // the full rebuild's timings, kept with it for runs on the same subset
    double tDump;
    double tIndex;
    String subsetCrc = Workspace.corpusChecksum(subsetFile);
    Map<String, String> kept = Files.exists(full.resolve(org.densephrases.index.dump.DumpManifest.FILE))
        ? org.densephrases.index.dump.DumpManifest.read(full, org.densephrases.index.format.Expect.ANY).spec().source()
        : Map.of();
    String reused = "";
    long tokens;
    if (Files.exists(times) && subsetCrc.equals(kept.get("corpus_crc32c"))) {
      Map<String, String> t = new LinkedHashMap<>();
      for (String line : Files.readAllLines(times)) {
        t.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
      tDump = Double.parseDouble(t.get("dump"));
      tIndex = Double.parseDouble(t.get("index"));
      reused = " (the full rebuild of the same subset was reused from an earlier run: its times are that run's)";
      System.out.println("bench-drift: reusing the full rebuild in " + full + reused);
    } else {
      deleteTree(full);
      tDump = verb("dump", "--corpus", subsetFile.toString(), "--out", full.toString(), "--model", model);
      tIndex = -1;
    }
    try (var d = org.densephrases.index.dump.Dump.open(full)) {
      tokens = d.numTokens();
    }
    String nlist = Integer.toString(IndexSpec.defaultNlist(tokens));
    if (tIndex < 0) {
      tIndex = verb("index", "--dump", full.toString(), "--codec", "sq8", "--nlist", nlist, "--recall-queries", "0");
      Files.writeString(times, "dump=" + tDump + "\nindex=" + tIndex + "\n");
    }

    // ---- 2. the 80%: the full dump's vectors without the added paragraphs, index trained on them
    Files.createDirectories(base);
    try (Stream<Path> s = Files.list(full)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith("shard-") || n.equals("MANIFEST") || n.equals("SOURCE")) {
          Files.copy(p, base.resolve(n));
        }
      }
    }
    List<String> addedIds = subset.stream().filter(added::contains).map(i -> corpus.get(i).id()).toList();
    verb("remove", "--dump", base.toString(), "--ids", String.join(",", addedIds));
    verb("compact", "--dump", base.toString());
    double tIndexBase = verb("index", "--dump", base.toString(), "--codec", "sq8", "--nlist", nlist,
        "--recall-queries", "0");

    // ---- 3. add the 20% with the old centroids and codec
    double tAdd = verb("add", "--dump", base.toString(), "--corpus", addFile.toString(), "--model", model);
    double drift;
    try (var d = org.densephrases.index.dump.Dump.open(base)) {
      drift = d.manifest().indexes().get("sq8").drift();
    }

    // ---- evaluation
    KernelBackend kb = Backends.best();
    QuestionVectors qv;
    try (PhraseEncoder m = EncoderModel.load(model, "auto", 0)) {
      float[][] v = m.encodeQuestions(qs.stream().map(EvalQuestions.Q::text).toList(), 64);
      qv = new QuestionVectors(m.id(), m.dim(),
          qs.stream().map(EvalQuestions.Q::id).toList(), qs.stream().map(EvalQuestions.Q::text).toList(), v[0],
          v[1]);
    }
    Map<String, Set<String>> goldIds = new LinkedHashMap<>();
    for (int i : subset) {
      if (contexts.contains(corpus.get(i).text())) {
        goldIds.computeIfAbsent(corpus.get(i).text(), x -> new HashSet<>()).add(corpus.get(i).id());
      }
    }
    int nRecall = Math.min(qs.size(), Integer.parseInt(o.get("--recall-questions")));
    List<Eval> evals = new ArrayList<>();
    Eval exact = o.get("--exact").equals("no") ? null
        : evaluate("exact search, full rebuild", full, "exact", 0, kb, qv, qs, goldIds, addedTexts, nprobes, nRecall);
    evals.add(evaluate("IVF-SQ8, full rebuild", full, "sq8", nprobes[0], kb, qv, qs, goldIds,
        addedTexts, nprobes, nRecall));
    evals.add(evaluate("IVF-SQ8, 80% + add 20% (old centroids)", base, "sq8", nprobes[0], kb, qv, qs,
        goldIds, addedTexts, nprobes, nRecall));
    double tRetrain = verb("index", "--dump", base.toString(), "--codec", "sq8", "--nlist", nlist, "--retrain",
        "--recall-queries", "0");
    evals.add(evaluate("IVF-SQ8, after index --retrain", base, "sq8", nprobes[0], kb, qv, qs,
        goldIds, addedTexts, nprobes, nRecall));

    // ---- report
    StringBuilder md = new StringBuilder();
    md.append("# Index drift: adding documents to an existing index vs a full rebuild\n\n");
    md.append(String.format(Locale.ROOT, "Command: `tools/bench-drift.sh %s` on the 2-core dev machine (shared), "
        + "model %s, %s backend; total %.0f s%s.%n%n", String.join(" ", a), qv.modelId(), kb.name(),
        (System.nanoTime() - tAll) / 1e9, reused));
    md.append(String.format(Locale.ROOT, "Corpus: %,d paragraphs of the SQuAD corpus (%,d tokens): the %,d paragraphs"
        + " of the %,d evaluated dev-even questions (every %d-th) plus random others. %d%% of them (%,d paragraphs, %s)"
        + " are added to a dump and IVF%s-SQ8 index built on the other %d%%. The 80%% dump is the full dump"
        + " with those paragraphs removed and compacted (the same vectors as encoding the 80%%).%n%n",
        subset.size(), tokens, gold.size(), qs.size(), Math.max(1, 5397 / Math.max(1, qs.size())),
        Math.round(100 * addFraction), added.size(), split.equals("random") ? "chosen at random"
        : "whole articles (titles) chosen at random: topics the 80% never saw", nlist, Math.round(100 * (1 - addFraction))));
    md.append("| time | seconds |\n|---|---|\n");
    md.append(row2("full rebuild: dump of all paragraphs + IVF-SQ8 index", tDump + tIndex));
    md.append(row2("  of which dump (encoding)", tDump));
    md.append(row2("  of which index", tIndex));
    md.append(row2(String.format(Locale.ROOT, "add %,d paragraphs (encode, append a shard, update the index)",
        added.size()), tAdd));
    md.append(row2("index on the 80% (for reference)", tIndexBase));
    md.append(row2("index --retrain after the add", tRetrain));
    md.append(String.format(Locale.ROOT, "%nDrift of the kept-current index after the add (added rows' mean squared"
        + " distance to their centroid over the trained rows', minus 1): %+.4f.%n%n", drift));
    md.append("| index | ");
    for (int np : nprobes) {
      md.append("recall@10 np").append(np).append(" | ");
    }
    for (int np : nprobes) {
      md.append("10-recall@100 np").append(np).append(" | ");
    }
    md.append("EM | F1 | paragraph R@10 | EM / F1 on added paragraphs' questions | q/s |\n|---|");
    md.append("---|".repeat(2 * nprobes.length + 5)).append('\n');
    List<Eval> all = new ArrayList<>();
    if (exact != null) {
      all.add(exact);
    }
    all.addAll(evals);
    for (Eval e : all) {
      md.append("| ").append(e.name()).append(" | ");
      for (double r : e.recall10()) {
        md.append(Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r)).append(" | ");
      }
      for (double r : e.recall100()) {
        md.append(Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r)).append(" | ");
      }
      md.append(String.format(Locale.ROOT, "%.2f | %.2f | %.1f | %.2f / %.2f (%d questions) | %.1f |%n", e.em(), e.f1(),
          e.pr10(), e.emAdded(), e.f1Added(), e.nAdded(), e.qps()));
    }
    md.append(String.format(Locale.ROOT, "%nTwo-stage search at nprobe %d, 256 candidates per direction, L = 20. "
        + "Recall columns: the first stage alone, the start vectors of %d of the questions (spread evenly), IVF top-10"
        + " (top-100) against the exact top-10 of the same dump.%n", nprobes[0], nRecall));
    Path out = Path.of(o.get("--out"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    Files.writeString(tmp, md, StandardCharsets.UTF_8);
    Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    List<String> groups = new ArrayList<>();
    for (int np : nprobes) {
      groups.add("recall@10 np" + np);
    }
    groups.addAll(List.of("EM", "F1", "para R@10", "EM (added)"));
    List<BarChart.Series> series = new ArrayList<>();
    for (Eval e : evals) {
      double[] v = new double[groups.size()];
      for (int i = 0; i < nprobes.length; i++) {
        v[i] = 100 * e.recall10()[i];
      }
      v[nprobes.length] = e.em();
      v[nprobes.length + 1] = e.f1();
      v[nprobes.length + 2] = e.pr10();
      v[nprobes.length + 3] = e.emAdded();
      series.add(new BarChart.Series(e.name(), v));
    }
    Path png = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".png");
    BarChart.write(png, String.format(Locale.ROOT, "Drift: add %d%% to an index built on %d%% vs full rebuild"
        + " (%,d paragraphs)", Math.round(100 * addFraction), Math.round(100 * (1 - addFraction)), subset.size()),
        "percent (recall x 100)", groups, series, 100);
    System.out.println(md);
    System.out.println("bench-drift: written " + out + " and " + png);
  }

  private static String row2(String name, double s) {
    return String.format(Locale.ROOT, "| %s | %.1f |%n", name, s);
  }

  /** Runs a verb in this JVM; fails the benchmark on a non-zero exit. Returns its wall seconds. */
  private static double verb(String... args) {
    System.out.println("bench-drift: densephrases " + String.join(" ", Arrays.stream(args)
        .map(x -> x.length() > 80 ? x.substring(0, 77) + "..." : x).toList()));
    long t0 = System.nanoTime();
    int rc = Main.commandLine().execute(args);
    double s = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) {
      throw new IllegalStateException("densephrases " + args[0] + " failed with exit code " + rc);
    }
    System.out.printf(Locale.ROOT, "bench-drift: %s took %.1fs%n", args[0], s);
    return s;
  }

  private static Eval evaluate(String name, Path dir, String kind, int nprobe, KernelBackend kb,
      QuestionVectors qv, List<EvalQuestions.Q> qs, Map<String, Set<String>> gold,
      Set<String> addedTexts, int[] nprobes, int nRecall) throws IOException {
    System.out.println("bench-drift: evaluating " + name);
    int n = qs.size();
    int dim = qv.dim();
    double[] r10 = new double[nprobes.length];
    double[] r100 = new double[nprobes.length];
    Arrays.fill(r10, Double.NaN);
    Arrays.fill(r100, Double.NaN);
    try (SearchSession s = SearchSession.builder().dump(dir).index(kind).backend(kb).vectorsOnly(qv.modelId(), dim)
        .open()) {
      if (s.index() != null) {
        VectorSource src = VectorSource.ofDump(s.dump(), VectorType.FP16, Float.NEGATIVE_INFINITY);
        // the first nRecall questions spread evenly: exact top-10 by a flat scan of the dump is the slow part
        float[] rq = new float[nRecall * dim];
        for (int i = 0; i < nRecall; i++) {
          int qi = (int) ((long) i * n / nRecall);
          System.arraycopy(qv.qStart(), qi * dim, rq, i * dim, dim);
        }
        TopK ex = Recall.exact(src, rq, nRecall, 10, kb.vectorScanner());
        try (IvfSearcher iv = new IvfSearcher(s.index(), kb)) {
          for (int i = 0; i < nprobes.length; i++) {
            int np = Math.min(nprobes[i], iv.maxNprobe());
            r10[i] = Recall.measure(iv, ex, rq, nRecall, 10, 10, np).recall();
            r100[i] = Recall.measure(iv, ex, rq, nRecall, 10, 100, np).recall();
          }
        }
      }
      SearchOptions opts = SearchOptions.defaults().withK(10).withNprobe(Math.max(1, nprobe));
      double em = 0;
      double f1 = 0;
      double pr = 0;
      double emA = 0;
      double f1A = 0;
      int nA = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        float[] a = Arrays.copyOfRange(qv.qStart(), i * dim, (i + 1) * dim);
        float[] b = Arrays.copyOfRange(qv.qEnd(), i * dim, (i + 1) * dim);
        Map<Unit, List<List<Answer>>> res = s.searchVectors(a, b, 1, opts, List.of(Unit.PHRASE, Unit.PARAGRAPH));
        List<Answer> ph = res.get(Unit.PHRASE).get(0);
        EvalQuestions.Q q = qs.get(i);
        double e = ph.isEmpty() ? 0 : SquadMetrics.maxExactMatch(ph.get(0).text(), q.answers());
        double f = ph.isEmpty() ? 0 : SquadMetrics.maxF1(ph.get(0).text(), q.answers());
        em += e;
        f1 += f;
        if (addedTexts.contains(q.context())) {
          emA += e;
          f1A += f;
          nA++;
        }
        Set<String> g = gold.getOrDefault(q.context(), Set.of());
        pr += res.get(Unit.PARAGRAPH).get(0).stream().anyMatch(x -> g.contains(x.docId())) ? 1 : 0;
        if ((i + 1) % 200 == 0) {
          double sec = (System.nanoTime() - t0) / 1e9;
          System.out.printf(Locale.ROOT, "bench-drift: %s: %d / %d questions, %.1f q/s, ETA %.0fs%n", name, i + 1, n,
              (i + 1) / sec, (n - i - 1) / ((i + 1) / sec));
        }
      }
      double qps = n / ((System.nanoTime() - t0) / 1e9);
      return new Eval(name, r10, r100, 100 * em / n, 100 * f1 / n, 100 * pr / n, nA == 0 ? 0 : 100 * emA / nA,
          nA == 0 ? 0 : 100 * f1A / nA, nA, qps);
    }
  }

  private static void writeJsonl(Path f, List<CorpusParagraph> ps) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (CorpusParagraph p : ps) {
      JsonObject j = new JsonObject();
      j.addProperty("id", p.id());
      j.addProperty("title", p.title());
      j.addProperty("text", p.text());
      sb.append(j).append('\n');
    }
    Files.writeString(f, sb, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
