package org.densephrases.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.densephrases.model.data.CorpusReader;
import org.densephrases.model.data.DataFiles;
import org.densephrases.model.text.Tokenizer;

/**
 * Tokenizer throughput, pure Java vs DJL's HuggingFace tokenizers, on one thread: every 10th corpus paragraph
 * (2,097 of 20,963), tokenized over and over for a fixed time after a warm-up. Not a JMH benchmark (it needs the
 * model module and the shared data, which the kernel benchmarks jar leaves out): run it with
 * {@code tools/bench-tokenizer.sh}.
 *
 * <p>Usage: {@code TokenizerThroughput [corpus.jsonl.gz] [tokenizer.json]}, system properties {@code warmup} and
 * {@code seconds} (per implementation, default 3 and 10).
 */
public final class TokenizerThroughput {
  private TokenizerThroughput() {}

  /**
   * Runs the measurement (see the class comment) and prints tokens/s per implementation.
   *
   * @param args optional corpus path, then optional tokenizer.json path
   */
  public static void main(String[] args) {
    Path corpus = args.length > 0 ? Path.of(args[0]) : DataFiles.dataDir().resolve("corpus/squad-paragraphs.jsonl.gz");
    Path json = args.length > 1 ? Path.of(args[1]) : Path.of("models/e5-small-tied/tokenizer.json");
    double warmup = Double.parseDouble(System.getProperty("warmup", "3"));
    double seconds = Double.parseDouble(System.getProperty("seconds", "10"));
    List<String> texts = new ArrayList<>();
    int[] n = {0};
    CorpusReader.forEach(corpus, p -> {
      if (n[0]++ % 10 == 0) {
        texts.add(p.text());
      }
    });
    long chars = texts.stream().mapToLong(String::length).sum();
    System.out.printf("sample: %d paragraphs, %d chars; tokenizer %s; warm-up %.0f s, measurement %.0f s, 1 thread%n",
        texts.size(), chars, json, warmup, seconds);
    for (Tokenizer.Implementation impl : List.of(Tokenizer.Implementation.JAVA, Tokenizer.Implementation.HF)) {
      try (Tokenizer t = Tokenizer.fromFile(json, impl)) {
        run(t, texts, warmup);
        long[] r = run(t, texts, seconds);
        double s = r[2] / 1e9;
        System.out.printf("%-5s %,12.0f tokens/s  %,10.0f paragraphs/s  %6.1f MB/s of text (%d passes, %.1f s)%n",
            impl, r[1] / s, r[0] / s, r[3] / s / 1e6, r[0] / texts.size(), s);
      }
    }
  }

  /** Tokenizes the texts round-robin for at least {@code seconds}: {texts, tokens, nanos, chars}. */
  private static long[] run(Tokenizer t, List<String> texts, double seconds) {
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (seconds * 1e9);
    long count = 0;
    long tokens = 0;
    long chars = 0;
    long now;
    do {
      for (String text : texts) {
        tokens += t.tokenize(text).size();
        chars += text.length();
      }
      count += texts.size();
      now = System.nanoTime();
    } while (now < deadline);
    return new long[] {count, tokens, now - t0, chars};
  }
}
