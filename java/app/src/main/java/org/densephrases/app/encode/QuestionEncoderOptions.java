package org.densephrases.app.encode;

import java.util.List;
import java.util.Locale;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.search.CudaQuestionEncoder;
import picocli.CommandLine.Option;

/**
 * {@code --question-encoder java|cuda|auto}: where the verbs that search (search, eval-open, serve) encode the questions
 * of an exported model. java: the pure-Java engine on the CPU; cuda: libdensephrases' BERT encoder on the GPU (the
 * search module's CudaQuestionEncoder); auto: cuda when the CUDA backend can run here, else java. A pretrained name
 * (the DJL engine) takes java or auto only. A picocli mixin.
 */
public final class QuestionEncoderOptions {
  /** The choices of {@code --question-encoder}. */
  public static final List<String> CHOICES = List.of("java", "cuda", "auto");

  /**
   * The defaults ({@code auto}: on the H200 the GPU encoder took 0.6 ms a question where the Java engine on 16 cores
   * took 4.1-4.4 ms, with the same answers; benchmarks/results/latency-gpu.md); picocli fills the field from the
   * command line.
   */
  public QuestionEncoderOptions() {}

  /** The {@code --question-encoder} value: {@code java}, {@code cuda} or {@code auto}. */
  @Option(names = "--question-encoder", description = "where an exported model encodes questions: java (CPU), cuda"
      + " (GPU, libdensephrases), auto (cuda when the CUDA backend is available, else java) (default: ${DEFAULT-VALUE})")
  public String device = "auto";

  /**
   * The engine that will encode the questions of {@code spec}, checked before anything slow: {@code java},
   * {@code cuda} or {@code djl}.
   *
   * @param spec the model the verb will load
   * @param engine the {@code --encoder} value
   * @return {@code cuda} when the GPU encoder is chosen (and can run here), else the engine of {@code --encoder}
   * @throws IllegalArgumentException an unknown value, cuda for a pretrained name, or cuda where it cannot run
   */
  public String resolve(String spec, String engine) {
    String d = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
    if (!CHOICES.contains(d)) {
      throw new IllegalArgumentException("--question-encoder: unknown value '" + device + "' (java, cuda, auto)");
    }
    String e = EncoderModel.resolveEngine(spec, engine);
    if (d.equals("java")) {
      return e;
    }
    if (!e.equals("java")) {
      if (d.equals("cuda")) {
        throw new IllegalArgumentException("--question-encoder cuda runs exported models only; '" + spec
            + "' runs on the " + e + " engine (export it, or leave --question-encoder java)");
      }
      return e; // auto: the DJL engine as it is
    }
    String why = CudaQuestionEncoder.unavailableReason();
    if (why != null && d.equals("cuda")) {
      throw new IllegalArgumentException("--question-encoder cuda cannot run here: " + why);
    }
    return why == null ? "cuda" : "java";
  }
}
