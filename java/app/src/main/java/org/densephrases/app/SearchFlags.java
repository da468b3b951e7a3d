package org.densephrases.app;

import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import picocli.CommandLine.Option;

/**
 * The search options of search, serve and eval-open (a picocli mixin): one declaration, and one check, by
 * {@link SearchOptions}' constructor, whose messages get the option's flag name. A verb sets its own defaults by
 * initialising the mixin ({@code new SearchFlags(k)}).
 */
final class SearchFlags {
  @Option(names = "--unit", description = "phrase, sentence, paragraph or document (default: ${DEFAULT-VALUE})")
  String unit = "phrase";

  @Option(names = {"-k", "--k"}, description = "answers per question, 1..1000 (default: ${DEFAULT-VALUE})")
  int k;

  @Option(names = "--nprobe", description = "IVF lists probed (default: 64, or every list of a smaller index)")
  Integer nprobe;

  @Option(names = "--candidates", description = "first-stage candidates per direction (default: ${DEFAULT-VALUE})")
  int candidates = 256;

  @Option(names = "--max-answer-length", description = "answer length in tokens (default: ${DEFAULT-VALUE})")
  int maxAnswerLength = 20;

  @Option(names = "--all-spans", description = "phrase unit: keep spans that overlap a better answer of the same"
      + " evidence (default: distinct answers)")
  boolean allSpans;

  SearchFlags() {
    this(10);
  }

  SearchFlags(int k) {
    this.k = k;
  }

  /** The options, checked; a bad value is an IllegalArgumentException naming its flag (exit code 2). */
  SearchOptions options() {
    return named(() -> {
      SearchOptions o = SearchOptions.defaults().withUnit(Unit.parse(unit)).withK(k).withCandidates(candidates)
          .withMaxAnswerLength(maxAnswerLength).withDistinct(!allSpans);
      return nprobe != null ? o.withNprobe(nprobe) : o;
    });
  }

  /** Builds options with {@link SearchOptions}' checks, naming the command-line flag in the message. */
  static SearchOptions named(java.util.function.Supplier<SearchOptions> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new IllegalArgumentException(m.startsWith("maxAnswerLength ") ? "--max-answer-length"
          + m.substring("maxAnswerLength".length()) : m.startsWith("unknown unit") ? "--unit: " + m : "--" + m, e);
    }
  }
}
