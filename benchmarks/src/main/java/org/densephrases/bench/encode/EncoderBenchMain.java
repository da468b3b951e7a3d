package org.densephrases.bench.encode;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.data.CorpusReader;
import org.densephrases.model.encode.EncodedDocument;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * A short comparison of the encoder engines on this machine: dump encoding (tokens/s, wall and process CPU time) of
 * the first paragraphs of the corpus, and question encoding latency (one question; a batch of 64). Each measurement
 * follows a warm-up run. Process CPU time is printed because on a shared machine wall time depends on the load.
 *
 * <pre>
 *   mvn -q -B -Ddensephrases.skipNative=true -DskipTests -pl benchmarks -am package
 *   java --add-modules jdk.incubator.vector \
 *     -cp benchmarks/target/densephrases-benchmarks-0.1.0-SNAPSHOT.jar:java/app/target/densephrases.jar \
 *     org.densephrases.bench.encode.EncoderBenchMain --paragraphs 50 --engines java,djl
 * </pre>
 */
@Command(name = "encoder-bench", mixinStandardHelpOptions = true,
    description = "Compare the java and djl encoders: dump tokens/s, question latency.")
public final class EncoderBenchMain implements Callable<Integer> {
  private EncoderBenchMain() {}

  @Option(names = "--model", description = "exported model directory (default: the committed model)")
  String model;

  @Option(names = "--corpus", description = "JSONL corpus (default: ${DEFAULT-VALUE})")
  Path corpus = Path.of("../shared/data/corpus/squad-paragraphs.jsonl.gz");

  @Option(names = "--paragraphs", description = "paragraphs encoded (default: ${DEFAULT-VALUE})")
  int paragraphs = 50;

  @Option(names = "--batch", description = "windows per forward pass, as dump's --batch (default: ${DEFAULT-VALUE})")
  int batch = 16;

  @Option(names = "--engines", split = ",", description = "engines to run (default: java,djl)")
  List<String> engines = List.of("java", "djl");

  @Option(names = "--threads", description = "java engine threads (default: 0 = all processors)")
  int threads = 0;

  @Option(names = "--reps", description = "timed repetitions of each measurement (default: ${DEFAULT-VALUE})")
  int reps = 3;

  /**
   * Runs the comparison and exits with its status.
   *
   * @param args the options (see {@code --help})
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new EncoderBenchMain()).execute(args));
  }

  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  @Override
  public Integer call() throws Exception {
    String spec = model != null ? model : EncoderModel.defaultModel();
    List<CorpusParagraph> paras = new ArrayList<>();
    CorpusReader.forEach(corpus, p -> {
      if (paras.size() < paragraphs) {
        paras.add(p);
      }
    });
    List<String> questions = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      questions.add("Which river town built bridge number " + i + " across the Green River, and in what year?");
    }
    System.out.printf(Locale.ROOT, "model %s, %d paragraphs, %d processors, load average %.2f%n", spec,
        paras.size(), Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    for (String engine : engines) {
      try (PhraseEncoder m = EncoderModel.load(spec, engine, threads)) {
        long tokens = 0;
        m.encodeDocuments(paras, batch); // warm-up
        double[] wall = new double[reps];
        double[] cpu = new double[reps];
        for (int r = 0; r < reps; r++) {
          double c0 = cpuSeconds();
          long t0 = System.nanoTime();
          tokens = 0;
          for (EncodedDocument d : m.encodeDocuments(paras, batch)) {
            tokens += d.numTokens();
          }
          wall[r] = (System.nanoTime() - t0) / 1e9;
          cpu[r] = cpuSeconds() - c0;
        }
        double w = median(wall);
        double c = median(cpu);
        System.out.printf(Locale.ROOT, "%s: dump encoding %d tokens: %.2fs wall (%.0f tokens/s), %.2f CPU-s"
            + " (%.0f tokens per CPU-second)%n", m.engine(), tokens, w, tokens / w, c, tokens / c);
        double[] one = new double[Math.max(10, reps * 5)];
        m.encodeQuestions(questions.subList(0, 1), 1);
        for (int r = 0; r < one.length; r++) {
          long t0 = System.nanoTime();
          m.encodeQuestions(List.of(questions.get(r % questions.size())), 1);
          one[r] = (System.nanoTime() - t0) / 1e6;
        }
        double[] b64 = new double[reps];
        m.encodeQuestions(questions, 64);
        for (int r = 0; r < reps; r++) {
          long t0 = System.nanoTime();
          m.encodeQuestions(questions, 64);
          b64[r] = (System.nanoTime() - t0) / 1e6;
        }
        System.out.printf(Locale.ROOT, "%s: 1 question %.1f ms (median of %d), batch of 64 %.1f ms (median of %d)%n",
            m.engine(), median(one), one.length, median(b64), reps);
      }
    }
    System.out.printf(Locale.ROOT, "load average at the end %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return 0;
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
