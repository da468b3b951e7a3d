package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.encode.QuestionEncoderOptions;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.search.QuestionEncoder;
import org.densephrases.search.SearchSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases search "question" ...}: a thin verb over a {@link SearchSession}. All questions are encoded and
 * searched in one batch; each gets its answers with score, title, document id, character offsets and the evidence
 * sentence with the answer marked [[like this]].
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

  @Mixin QuestionEncoderOptions questionEncoder = new QuestionEncoderOptions();

  @Option(names = "--index", description = "exact, sq8 or pq (default: ${DEFAULT-VALUE})")
  String index = "sq8";

  @Mixin SearchFlags flags = new SearchFlags(5);

  @Option(names = "--backend", description = "kernel backend: auto, cuda, simd, scalar (default: auto)")
  String backend = "auto";

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::search);
  }

  private Integer search() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Every option and question is checked before anything slow is loaded.
    SearchOptions opts = flags.options();
    List<String> qs = new ArrayList<>();
    for (String q : questions) {
      qs.add(SearchSession.checkQuestion(q));
    }
    long t0 = System.nanoTime();
    try (SearchSession s = Sessions.open(dump, model, encoder, questionEncoder, index, backend, opts,
        flags.nprobe)) {
      long tOpen = System.nanoTime();
      QuestionEncoder m = s.encoder();
      for (String q : qs) {
        int t = m.questionTokens(q);
        if (t > m.maxQuestionTokens() - 2) {
          err.printf(Locale.ROOT, "note: the question has %d word pieces; only the first %d are used%n", t,
              m.maxQuestionTokens() - 2);
        }
      }
      SearchSession.Results r = s.search(qs, s.defaults(), List.of(opts.unit()));
      List<List<Answer>> answers = r.of(opts.unit());
      for (int i = 0; i < qs.size(); i++) {
        out.printf(Locale.ROOT, "Q: %s%n", qs.get(i));
        print(out, answers.get(i));
        out.println();
      }
      out.printf(Locale.ROOT, "(%s search, %s backend, unit %s, %d question(s) in one batch: encode %.1f ms,"
          + " search %.1f ms)%n", s.indexKind(), s.backend().name(), opts.unit(), qs.size(), r.encodeMs(),
          r.searchMs());
      out.printf(Locale.ROOT, "open model, dump and index %.1fs%n", (tOpen - t0) / 1e9);
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
}
