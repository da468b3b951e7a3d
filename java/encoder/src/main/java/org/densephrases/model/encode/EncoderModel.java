package org.densephrases.model.encode;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.export.RawPhraseModel;

/**
 * Which phrase model the app encodes with, and with which engine.
 *
 * <p>Which model: {@code --model} names a trained model exported by java/train ({@code densephrases export}: a
 * directory with {@code phrase-model.dpm} and {@code tokenizer.json}; its windows and question length come from the
 * export) or a pretrained encoder ({@code all-minilm-l6-v2}, ...: phrase and question encoders are the pretrained
 * BERT, the filter head is untrained and seeded, so the pipeline runs end to end but answers are a floor, not a
 * result). The model id goes into every dump and question-vector file, so a dump is never searched with another
 * model's questions.
 *
 * <p>Which engine ({@code --encoder}): {@code java} ({@link JavaEncoder}: pure Java, no DJL, no native code; exported
 * models only), {@code djl} ({@code DjlEncoder} in java/train, loaded by name: PyTorch through DJL) or {@code auto}:
 * java for an exported model, djl for a pretrained name. This class loads no DJL class unless djl is chosen.
 */
public final class EncoderModel {
  /** Questions longer than this many characters are refused (before tokenization). */
  public static final int MAX_QUESTION_CHARS = 512;
  /** Question tokens including [CLS] and [SEP] (DensePhrases: 64); longer questions are cut, with a note. */
  public static final int MAX_QUESTION_TOKENS = 64;
  /** The engines {@code --encoder} accepts. */
  public static final List<String> ENGINES = List.of("auto", "djl", "java");

  private EncoderModel() {}

  /** Where a committed trained model is looked for, in order (relative to the working directory). */
  public static final List<String> DEFAULT_MODEL_DIRS =
      List.of("models/e5-small-tied", "models/default", "models/phrase-model", "models");

  /** A model directory's optional search-side defaults (e.g. {@code {"filterThreshold": -4.0}}). */
  public static final String DEFAULTS_FILE = "defaults.json";

  /**
   * The filter threshold a dump uses when none is given: {@code filterThreshold} of the model directory's
   * {@value #DEFAULTS_FILE} (the trained filter head's chosen cut, see the model's README), else -Infinity (keep every
   * token; a pretrained model's untrained filter means nothing). A malformed file is an error naming it.
   *
   * @param spec a model directory, an export file or a pretrained encoder name
   * @return the threshold on the filter score, or {@link Float#NEGATIVE_INFINITY} to keep every token
   * @throws IOException when the defaults file exists but cannot be read or parsed
   */
  public static float defaultFilterThreshold(String spec) throws IOException {
    if (!isPath(spec)) {
      return Float.NEGATIVE_INFINITY;
    }
    Path f = Path.of(spec).resolve(DEFAULTS_FILE);
    if (!Files.isRegularFile(f)) {
      return Float.NEGATIVE_INFINITY;
    }
    try {
      com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(f)).getAsJsonObject();
      if (!o.has("filterThreshold")) {
        return Float.NEGATIVE_INFINITY;
      }
      float t = o.get("filterThreshold").getAsFloat();
      if (Float.isNaN(t)) {
        throw new IllegalArgumentException(f + ": filterThreshold is NaN");
      }
      return t;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(f + " is not a valid defaults file ({\"filterThreshold\": number}): "
          + e.getMessage(), e);
    }
  }

  /**
   * The committed default: the first of {@link #DEFAULT_MODEL_DIRS} holding an exported model
   * ({@code phrase-model.dpm}, java/train's PhraseModelFile), else pretrained MiniLM with untrained heads.
   *
   * @return a model spec to pass to {@link #load(String)}: a directory path or a pretrained name
   */
  public static String defaultModel() {
    for (String p : DEFAULT_MODEL_DIRS) {
      if (Files.isRegularFile(Path.of(p, RawPhraseModel.MODEL_FILE))) {
        return p;
      }
    }
    return PretrainedModels.MINILM_L6.name();
  }

  /**
   * The model id that {@code spec} loads, without loading the weights (for file names and mismatch checks): an
   * export's id is read from its header (for a question-side export: the phrase model it was tuned for, whose dumps
   * it searches), a pretrained encoder's is {@code <name>+untrained-heads}.
   *
   * @param spec a model directory, an export file or a pretrained encoder name
   * @return the model id
   * @throws IOException when an export's header cannot be read
   */
  public static String idOf(String spec) throws IOException {
    if (isPath(spec)) {
      return RawPhraseModel.readPhraseModelId(Path.of(spec));
    }
    return PretrainedModels.byName(spec).name() + "+untrained-heads";
  }

  /** True when {@code spec} names an exported model (a path), false for a pretrained name. */
  static boolean isPath(String spec) {
    return spec.contains("/") || spec.endsWith(".dpm") || Files.isDirectory(Path.of(spec));
  }

  /**
   * The engine {@code auto} resolves to for {@code spec}: java for an export, djl for a pretrained name.
   *
   * @param spec a model directory, an export file or a pretrained encoder name
   * @param engine {@code auto}, {@code djl} or {@code java}
   * @return {@code djl} or {@code java}: {@code engine} itself unless it is {@code auto}
   */
  public static String resolveEngine(String spec, String engine) {
    String e = engine == null ? "auto" : engine.trim().toLowerCase(Locale.ROOT);
    if (!ENGINES.contains(e)) {
      throw new IllegalArgumentException("--encoder: unknown engine '" + engine + "' (auto, djl, java)");
    }
    if (e.equals("auto")) {
      return isPath(spec) ? "java" : "djl";
    }
    if (e.equals("java") && !isPath(spec)) {
      throw new IllegalArgumentException("--encoder java runs exported models only (a directory with "
          + RawPhraseModel.MODEL_FILE + "); '" + spec + "' is a pretrained name with untrained heads: use"
          + " --encoder djl, or export it (densephrases export)");
    }
    return e;
  }

  /**
   * Loads the model named by {@code spec} with the automatic engine on all processors.
   *
   * @param spec a model directory, an export file or a pretrained encoder name
   * @return the encoder, ready to use; the caller closes it
   * @throws IOException when the model files cannot be read
   */
  public static PhraseEncoder load(String spec) throws IOException {
    return load(spec, "auto", 0);
  }

  /**
   * Loads the model named by {@code spec} (see the class comment).
   *
   * @param engine auto, djl or java
   * @param threads the Java engine's threads (0 = all processors); DJL uses its own
   * @param spec a model directory, an export file or a pretrained encoder name
   * @return the encoder, ready to use; the caller closes it
   * @throws IOException when the model files cannot be read
   */
  public static PhraseEncoder load(String spec, String engine, int threads) throws IOException {
    String e = resolveEngine(spec, engine);
    if (threads < 0) {
      throw new IllegalArgumentException("--encoder-threads must be >= 0, got " + threads);
    }
    if (e.equals("java")) {
      return JavaEncoder.load(Path.of(spec), threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
    }
    return loadDjl(spec);
  }

  /** The DJL engine lives in java/train; it is loaded by name so that this module never links a DJL class. */
  private static final String DJL_ENCODER = "org.densephrases.model.encode.DjlEncoder";

  private static PhraseEncoder loadDjl(String spec) throws IOException {
    Method load;
    Object arg;
    try {
      Class<?> c = Class.forName(DJL_ENCODER);
      if (isPath(spec)) {
        load = c.getDeclaredMethod("loadExport", Path.class);
        arg = Path.of(spec);
      } else {
        load = c.getDeclaredMethod("loadPretrained", String.class, String.class);
        arg = null;
      }
      load.setAccessible(true);
    } catch (ClassNotFoundException | NoClassDefFoundError | NoSuchMethodException e) {
      throw new IllegalArgumentException("the DJL encoder is not on this classpath (densephrases-train and DJL"
          + " are missing: " + e.getMessage() + "): use an exported model with --encoder java", e);
    }
    try {
      return (PhraseEncoder) (arg != null ? load.invoke(null, arg) : load.invoke(null, spec, idOf(spec)));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(DJL_ENCODER + " cannot be called", e);
    } catch (InvocationTargetException ite) {
      Throwable err = ite.getCause();
      if (err instanceof NoClassDefFoundError ncd && ncd.getMessage() != null
          && ncd.getMessage().startsWith("ai/djl/")) {
        throw new IllegalArgumentException("the DJL encoder is not on this classpath (" + ncd.getMessage()
            + " is missing): use an exported model with --encoder java", ncd);
      }
      if (err instanceof RuntimeException re && !(re instanceof IllegalArgumentException)
          && re.getClass().getName().startsWith("ai.djl.")) {
        throw new IllegalArgumentException("the DJL encoder cannot run here (" + re.getMessage()
            + "): use an exported model with --encoder java", re);
      }
      if (err instanceof IOException io) {
        throw io;
      }
      if (err instanceof RuntimeException re) {
        throw re;
      }
      if (err instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(err);
    }
  }
}
