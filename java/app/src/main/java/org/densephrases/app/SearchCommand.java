package org.densephrases.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.KernelLimits;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases search "question" ...}: encodes each question with the question encoders, searches the dump
 * (exact, or through an IVF index) and prints the answers with score, title, document id, character offsets and the
 * evidence sentence with the answer marked [[like this]].
 */
@Command(name = "search", mixinStandardHelpOptions = true,
    description = "Answer questions from a phrase dump: answers with score, title, doc id, offsets and evidence.")
final class SearchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "QUESTION", description = "one or more questions")
  List<String> questions;

  @Option(names = "--dump", description = "dump directory (default: the model's dump of the default corpus)")
  Path dump;

  @Option(names = "--model", description = "question encoder: must be the dump's model (default: the committed model)")
  String model;

  @Mixin EncoderOptions encoder = new EncoderOptions();

  @Option(names = "--index", description = "exact, sq8 or pq (default: ${DEFAULT-VALUE})")
  String index = "sq8";

  @Option(names = "--unit", description = "phrase, sentence, paragraph or document (default: ${DEFAULT-VALUE})")
  String unit = "phrase";

  @Option(names = {"-k", "--k"}, description = "answers per question, 1..1000 (default: ${DEFAULT-VALUE})")
  int k = 5;

  /** Lists probed when --nprobe is not given, capped at the index's list count (a small index has fewer). */
  static final int DEFAULT_NPROBE = 64;

  @Option(names = "--nprobe", description = "IVF lists probed (default: 64, or every list of a smaller index)")
  Integer nprobe;

  @Option(names = "--candidates", description = "first-stage candidates per direction (default: ${DEFAULT-VALUE})")
  int candidates = 256;

  @Option(names = "--max-answer-length", description = "answer length in tokens (default: ${DEFAULT-VALUE})")
  int maxAnswerLength = 20;

  @Option(names = "--backend", description = "kernel backend: auto, cuda, simd, scalar (default: auto)")
  String backend = "auto";

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::search);
  }

  private Integer search() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Every option is checked before anything slow is loaded.
    Unit u = Unit.parse(unit);
    Options.checkRange("--k", k, 1, SearchOptions.MAX_RESULTS);
    if (nprobe != null) {
      Options.checkRange("--nprobe", nprobe, 1, KernelLimits.MAX_K);
    }
    Options.checkRange("--candidates", candidates, 1, KernelLimits.MAX_K);
    Options.checkRange("--max-answer-length", maxAnswerLength, 1, KernelLimits.MAX_ANSWER_LENGTH);
    List<String> qs = new ArrayList<>();
    for (String q : questions) {
      qs.add(checkQuestion(q));
    }
    SearchOptions opts = SearchOptions.defaults().withUnit(u).withK(k).withCandidates(candidates)
        .withMaxAnswerLength(maxAnswerLength);
    String modelSpec = model != null ? model : EncoderModel.defaultModel();
    encoder.check(modelSpec);
    String modelId = EncoderModel.idOf(modelSpec);
    Path dir = dump != null ? dump : defaultDump(modelSpec);
    KernelBackend kb = Backend.of(backend);
    long t0 = System.nanoTime();
    try (Searchers s = Searchers.open(dir, index, modelId, 0, kb)) {
      long tOpen = System.nanoTime();
      // An explicit --nprobe above the index's lists is refused by the searcher; the default adapts to the index.
      opts = opts.withNprobe(nprobe != null ? nprobe
          : s.index != null ? Math.min(DEFAULT_NPROBE, s.index.nlist()) : DEFAULT_NPROBE);
      float[][] qv;
      try (PhraseEncoder m = encoder.load(modelSpec)) {
        for (String q : qs) {
          int t = m.questionTokens(q);
          if (t > m.maxQuestionTokens() - 2) {
            err.printf(Locale.ROOT, "note: the question has %d word pieces; only the first %d are used%n", t,
                m.maxQuestionTokens() - 2);
          }
        }
        qv = m.encodeQuestions(qs, 32);
      }
      long tEnc = System.nanoTime();
      int dim = s.dump.dim();
      for (int i = 0; i < qs.size(); i++) {
        long ts = System.nanoTime();
        List<Answer> answers = s.searcher.search(java.util.Arrays.copyOfRange(qv[0], i * dim, (i + 1) * dim),
            java.util.Arrays.copyOfRange(qv[1], i * dim, (i + 1) * dim), opts);
        double ms = (System.nanoTime() - ts) / 1e6;
        out.printf(Locale.ROOT, "Q: %s%n", qs.get(i));
        print(out, answers);
        out.printf(Locale.ROOT, "   (%s search, %s backend, unit %s, %.1f ms)%n%n", s.kind, kb.name(), u, ms);
      }
      out.printf(Locale.ROOT, "open dump+index %.1fs, load model + encode %d question(s) %.1fs%n",
          (tOpen - t0) / 1e9, qs.size(), (tEnc - tOpen) / 1e9);
      out.flush();
    }
    return 0;
  }

  static void print(PrintWriter out, List<Answer> answers) {
    if (answers.isEmpty()) {
      out.println("   (no answer)");
    }
    int r = 1;
    for (Answer a : answers) {
      out.printf(Locale.ROOT, "%2d. %s   score %.3f   %s [doc %s, chars %d-%d]%n", r++, a.text(), a.score(),
          a.title(), a.docId(), a.charStart(), a.charEnd());
      String ev = a.evidence();
      int s = Math.max(0, Math.min(ev.length(), a.startInEvidence()));
      int e = Math.max(s, Math.min(ev.length(), s + a.text().length()));
      out.printf("    %s[[%s]]%s%n", ev.substring(0, s), ev.substring(s, e), ev.substring(e));
    }
  }

  /** The question, trimmed; an empty or overlong one is an error (exit 2). */
  static String checkQuestion(String q) {
    String t = q == null ? "" : q.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("the question is empty");
    }
    if (t.length() > EncoderModel.MAX_QUESTION_CHARS) {
      throw new IllegalArgumentException("the question has " + t.length() + " characters; at most "
          + EncoderModel.MAX_QUESTION_CHARS + " are accepted (and only the first "
          + (EncoderModel.MAX_QUESTION_TOKENS - 2) + " word pieces are encoded)");
    }
    return t;
  }

  static Path defaultDump(String modelSpec) throws IOException {
    String spec = modelSpec != null ? modelSpec : EncoderModel.defaultModel();
    return Workspace.defaultDump(EncoderModel.idOf(spec), Path.of(Workspace.DEFAULT_CORPUS), 0);
  }
}
