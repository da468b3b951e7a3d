package org.densephrases.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import org.densephrases.kernels.Progress;
import org.densephrases.model.augment.AnswerExtractor;
import org.densephrases.model.augment.AugmentFilter;
import org.densephrases.model.augment.AugmentedSquad;
import org.densephrases.model.augment.CandidateAnswer;
import org.densephrases.model.augment.GeneratedQuestion;
import org.densephrases.model.augment.Lexicon;
import org.densephrases.model.augment.QuestionGenerator;
import org.densephrases.model.augment.RuleQuestionGenerator;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.data.CorpusReader;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.teacher.TeacherReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code densephrases augment}: candidate answers of corpus paragraphs, a generated question for each, and only the
 * questions the teacher answers exactly (SQuAD normalisation) written as a SQuAD training file (gzip, atomic).
 */
@Command(name = "augment", mixinStandardHelpOptions = true,
    description = "Generate questions for corpus paragraphs; keep those the teacher answers exactly; write SQuAD json.gz.")
final class AugmentCommand implements Callable<Integer> {
  @Option(names = "--corpus", required = true, description = "corpus JSON Lines (plain or gzip)") Path corpus;
  @Option(names = "--teacher", required = true, description = "a `densephrases teacher --out` directory") Path teacher;
  @Option(names = "--out", required = true, description = "the augmented SQuAD file (.json.gz)") Path out;
  @Option(names = "--limit", description = "paragraphs to augment, a seeded random choice (0 = all)") int limit = 0;
  @Option(names = "--per-paragraph", description = "at most this many questions per paragraph (random choice)")
  int perParagraph = 8;
  @Option(names = "--exclude-titles-of", description = "SQuAD file (e.g. the dev file) whose article titles are "
      + "left out of the corpus, so that no evaluation paragraph is trained on") List<Path> exclude = List.of();
  @Option(names = "--seed") long seed = 42;
  @Option(names = "--device", description = "auto, cpu, gpu or gpu:N") String device;
  @Option(names = "--stats", description = "write generated/kept counts as JSON here") Path stats;
  @Option(names = "--examples", description = "write random kept examples as markdown here") Path examples;
  @Option(names = "--examples-count") int examplesCount = 30;
  @Option(names = "--write-unfiltered", description = "write every generated question, kept or not (the teacher "
      + "still answers them and the stats still count the kept ones): for plumbing tests with an untrained teacher "
      + "only, never for training") boolean writeUnfiltered;

  @Override
  public Integer call() throws Exception {
    return ModelCliErrors.run(this::execute);
  }

  private Integer execute() throws Exception {
    if (perParagraph < 1) {
      throw new IllegalArgumentException("--per-paragraph must be >= 1, got " + perParagraph);
    }
    Set<String> excluded = new HashSet<>();
    for (Path f : exclude) {
      SquadReader.read(f).paragraphs().forEach(p -> excluded.add(p.title()));
    }
    List<CorpusParagraph> all = CorpusReader.readAll(corpus);
    Lexicon lexicon = Lexicon.of(all.stream().map(CorpusParagraph::text).toList());
    List<CorpusParagraph> pool = new ArrayList<>(all.stream().filter(p -> !excluded.contains(p.title())).toList());
    System.out.printf(Locale.ROOT, "corpus: %d paragraphs, %d left after excluding %d titles%n", all.size(),
        pool.size(), excluded.size());
    Random rnd = new Random(seed);
    Collections.shuffle(pool, rnd);
    if (limit > 0 && limit < pool.size()) {
      pool = pool.subList(0, limit);
    }
    AnswerExtractor extractor = new AnswerExtractor(lexicon);
    QuestionGenerator generator = new RuleQuestionGenerator(lexicon);
    long t0 = System.nanoTime();
    Progress gen = new Progress("generate (paragraphs)", pool.size(), TeacherProgress.STDOUT, 15);
    List<AugmentFilter.Paragraph> asked = new ArrayList<>();
    int candidates = 0;
    for (CorpusParagraph p : pool) {
      List<CandidateAnswer> cands = extractor.extract(p.text());
      candidates += cands.size();
      List<GeneratedQuestion> qs = new ArrayList<>();
      for (CandidateAnswer c : cands) {
        generator.generate(p.text(), c).ifPresent(qs::add);
      }
      Collections.shuffle(qs, rnd);
      if (qs.size() > perParagraph) {
        qs = new ArrayList<>(qs.subList(0, perParagraph));
      }
      qs.sort(java.util.Comparator.comparingInt(q -> q.answer().start()));
      if (!qs.isEmpty()) {
        asked.add(new AugmentFilter.Paragraph("aug-" + p.id(), p.title(), p.text(), qs));
      }
      gen.advance(1);
    }
    double genSec = gen.finish();
    int generated = asked.stream().mapToInt(p -> p.questions().size()).sum();
    System.out.printf(Locale.ROOT, "generated %d questions for %d candidate answers in %d paragraphs (%.1f s)%n",
        generated, candidates, pool.size(), genSec);
    AugmentFilter.Result r;
    long teacherStep;
    long t1 = System.nanoTime();
    try (TeacherReader reader = TeacherReader.open(teacher, device, System.out)) {
      teacherStep = reader.step();
      r = new AugmentFilter(reader).filter(asked);
    }
    double filterSec = (System.nanoTime() - t1) / 1e9;
    AugmentedSquad.write(writeUnfiltered ? r.asked() : r.kept(), out);
    if (writeUnfiltered) {
      System.out.println("warning: --write-unfiltered: " + out + " holds all " + r.generated() + " generated questions");
    }
    System.out.printf(Locale.ROOT, "kept %d of %d generated questions (%.1f%%; teacher %s step %d, %.1f questions/s)"
        + " -> %s%n", r.keptCount(), r.generated(), 100.0 * r.keptCount() / Math.max(1, r.generated()), teacher,
        teacherStep, r.generated() / Math.max(1e-9, filterSec), out);
    if (stats != null) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("paragraphs", pool.size());
      o.put("candidate_answers", candidates);
      o.put("generated", r.generated());
      o.put("kept", r.keptCount());
      o.put("teacher", teacher.toString());
      o.put("teacher_step", teacherStep);
      o.put("generate_seconds", genSec);
      o.put("filter_seconds", filterSec);
      o.put("seconds", (System.nanoTime() - t0) / 1e9);
      TextFiles.writeAtomically(stats, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o)
          + "\n");
    }
    if (examples != null) {
      TextFiles.writeAtomically(examples, examplesMarkdown(r, teacher, teacherStep));
    }
    return 0;
  }

  private String examplesMarkdown(AugmentFilter.Result r, Path teacherDir, long step) {
    record Ex(SquadParagraph p, SquadQuestion q) {}
    List<Ex> kept = new ArrayList<>();
    r.kept().paragraphs().forEach(p -> p.questions().forEach(q -> kept.add(new Ex(p, q))));
    Collections.shuffle(kept, new Random(seed + 1));
    StringBuilder sb = new StringBuilder("# Augmentation: random kept examples\n\n");
    sb.append(String.format(Locale.ROOT, "%d of %d generated questions kept by the teacher `%s` (step %d); "
        + "%d shown, chosen at random (seed %d). Answer in **bold** in its sentence.%n%n", r.keptCount(),
        r.generated(), teacherDir, step, Math.min(examplesCount, kept.size()), seed + 1));
    int i = 0;
    for (Ex e : kept.subList(0, Math.min(examplesCount, kept.size()))) {
      var a = e.q().answers().get(0);
      String c = e.p().context();
      int from = Math.max(0, c.lastIndexOf(". ", a.charStart()) + 1);
      int to = c.indexOf(". ", a.charEnd());
      to = to < 0 ? c.length() : to + 1;
      String sentence = (c.substring(from, a.charStart()) + "**" + a.text() + "**" + c.substring(a.charEnd(), to))
          .strip().replace("|", "\\|");
      sb.append(String.format(Locale.ROOT, "%d. **Q:** %s  %n   **A:** %s  %n   *%s* — %s%n%n", ++i, e.q().question(),
          a.text(), e.p().title(), sentence));
    }
    return sb.toString();
  }

  /** Progress lines on stdout. */
  private static final class TeacherProgress {
    static final Progress.Listener STDOUT = (phase, done, total, rate, eta, finished) ->
        System.out.println(Progress.format(phase, done, total, rate, eta, finished));
  }
}
