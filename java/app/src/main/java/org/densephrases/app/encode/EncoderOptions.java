package org.densephrases.app.encode;

import org.densephrases.model.encode.EncoderModel;
import org.densephrases.model.encode.PhraseEncoder;
import picocli.CommandLine.Option;

/** {@code --encoder} and {@code --encoder-threads}, shared by the verbs that encode (a picocli mixin). */
public final class EncoderOptions {
  /** The defaults ({@code auto}, all processors); picocli fills the fields from the command line. */
  public EncoderOptions() {}

  /** The {@code --encoder} engine: {@code auto}, {@code djl} or {@code java}. */
  @Option(names = "--encoder", description = "encoder engine: auto, djl, java (default: auto = java for an exported"
      + " model, djl for a pretrained name)")
  public String engine = "auto";

  /** The {@code --encoder-threads} of the Java encoder, 0 to 4096 (0 = all processors). */
  @Option(names = "--encoder-threads", description = "threads of the java encoder (default: 0 = all processors)")
  public int threads = 0;

  /**
   * Loads {@code spec} with these options.
   *
   * @param spec a model directory, export file or pretrained encoder name
   * @return the loaded encoder; the caller closes it
   * @throws java.io.IOException when the model files cannot be read
   */
  public PhraseEncoder load(String spec) throws java.io.IOException {
    return EncoderModel.load(spec, engine, threads);
  }

  /**
   * Fails early (before anything slow) on a bad engine name or a pretrained name with --encoder java.
   *
   * @param spec the model the verb will load
   * @throws IllegalArgumentException when the engine is unknown or cannot load {@code spec}, or the thread count is
   *     outside [0, 4096]
   */
  public void check(String spec) {
    EncoderModel.resolveEngine(spec, engine);
    if (threads < 0 || threads > 4096) {
      throw new IllegalArgumentException("--encoder-threads must be in [0, 4096], got " + threads);
    }
  }
}
