package org.densephrases.model.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.densephrases.model.bert.PretrainedModels;

/**
 * Everything a training run depends on. Read from a JSON file (any subset of the fields; the rest keep these
 * defaults), then overridden by command-line flags. Saved next to the checkpoint so a resume can check it trains the
 * same thing.
 */
public final class TrainConfig {
  /** A config with every field at its default (what JSON and flags then override). */
  public TrainConfig() {}

  /** Pretrained encoder: all-minilm-l6-v2, e5-small-v2 or bge-small-en-v1.5 (its jar must be on the classpath). */
  public String model = "all-minilm-l6-v2";
  /**
   * "shared": one question encoder with start/end heads; "paper": separate start and end question encoders; "tied":
   * the shared layout with the question encoder tied to the phrase encoder (one BERT for passages and questions, so
   * an export stores one encoder: what keeps a 12-layer model under 50 MB).
   */
  public String layout = "shared";
  /** Word embeddings stay at their pretrained values (so export stores them once for all encoders). */
  public boolean freezeWordEmbeddings = true;
  /** The SQuAD v1.1 training file (gzip or plain JSON). */
  public String trainFile = "../shared/data/squad/train-v1.1.reconstructed.json.gz";
  /** Use only the first N paragraphs of the train file (0 = all): for quick runs and ablations. */
  public int trainParagraphs = 0;
  /**
   * What to do with an answer whose text occurs more than once in its context: {@code drop} it or take the
   * {@code first} occurrence.
   */
  public String ambiguous = "drop";
  /** The seed of the batch order and the random initialisation. */
  public long seed = 42;
  /** Tokens per passage window, special and title tokens included; 16 to 512. */
  public int maxLength = 256;
  /** Context tokens between the starts of consecutive windows. */
  public int stride = 128;
  /** The most title tokens in front of each window. */
  public int maxTitleTokens = 32;
  /** The most question tokens, [CLS] and [SEP] included. */
  public int maxQuestionLength = 64;
  /** Passage windows per batch (each with all of its questions). */
  public int batchWindows = 16;
  /** Dropout probability in the encoders, in [0, 1). */
  public float dropout = 0.1f;
  /** Peak learning rate, in (0, 1). */
  public float learningRate = 1e-4f;
  /** Fraction of the planned steps spent warming the learning rate up linearly, in [0, 1). */
  public float warmupFraction = 0.06f;
  /** AdamW decoupled weight decay. */
  public float weightDecay = 0.01f;
  /** Gradients are clipped to this global L2 norm. */
  public float clipNorm = 1.0f;
  /** Passes over the training data (at least 1). */
  public int epochs = 1;
  /** Stop after this many steps (0 = epochs x steps per epoch). The learning-rate schedule uses the planned total. */
  public int maxSteps = 0;
  /** lambda1: single-passage CE. */
  public float lambda1 = 1f;
  /** lambda2: distillation KL from the teacher (needs teacherLogits). */
  public float lambda2 = 2f;
  /** lambda3: in-batch + pre-batch negatives. */
  public float lambda3 = 4f;
  /** Weight of the filter head's binary cross-entropy. */
  public float lambdaFilter = 1f;
  /** Pre-batch negatives: gold vectors of the previous C batches (0 = in-batch only). */
  public int prebatch = 2;
  /** Steps of in-batch negatives only before the pre-batch cache switches on. */
  public int prebatchWarmup = 200;
  /** Cached teacher logits (TeacherLogits file), or null for no distillation. */
  public String teacherLogits = null;
  /** start from this checkpoint's parameters (not its optimizer or step): e.g. a run pre-trained on augmented data */
  public String initCheckpoint = null;
  /** Write a checkpoint every this many steps (at least 1). */
  public int checkpointSteps = 100;
  /** Also write a checkpoint when this many minutes have passed since the last one (at least 1). */
  public int checkpointMinutes = 10;
  /** Keep an exported model of every checkpoint (for a learning curve). */
  public boolean exportEveryCheckpoint = true;
  /** auto, cpu, gpu or gpu:N ({@link TrainDevice}); null = the densephrases.device property / environment / auto. */
  public String device = null;

  /**
   * Reads a config JSON; fields it leaves out keep their defaults. It is not validated: call {@link #validate()}.
   *
   * @param file the JSON file
   * @return the config, fields absent from the file at their defaults
   * @throws IOException when the file is missing or cannot be read
   * @throws IllegalArgumentException when it is empty or not valid JSON for this class
   */
  public static TrainConfig load(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file + " (training config) does not exist");
    }
    try {
      TrainConfig c = new Gson().fromJson(Files.readString(file), TrainConfig.class);
      if (c == null) {
        throw new IllegalArgumentException(file + ": empty config");
      }
      return c;
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(file + " is not a valid training config: " + e.getMessage(), e);
    }
  }

  /** {@return all fields as pretty-printed JSON (nulls included): what a checkpoint stores} */
  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(this);
  }

  /**
   * Parses a config from JSON; fields it leaves out keep their defaults.
   *
   * @param json a config as JSON (for example a checkpoint's {@link Checkpoint#configJson()})
   * @return the config, not validated
   */
  public static TrainConfig fromJson(String json) {
    return new Gson().fromJson(json, TrainConfig.class);
  }

  /**
   * Throws IllegalArgumentException naming the first bad field.
   *
   * @return this config
   * @throws IllegalArgumentException when a field is out of range or unknown (the model name, layout, ambiguous)
   */
  public TrainConfig validate() {
    PretrainedModels.byName(model); // unknown names fail here with the known list
    if (!layout.equals("shared") && !layout.equals("paper") && !layout.equals("tied")) {
      throw new IllegalArgumentException("layout must be 'shared', 'paper' or 'tied', got '" + layout + "'");
    }
    if (!ambiguous.equals("drop") && !ambiguous.equals("first")) {
      throw new IllegalArgumentException("ambiguous must be 'drop' or 'first', got '" + ambiguous + "'");
    }
    check(batchWindows >= 1, "batchWindows must be >= 1");
    check(maxLength >= 16 && maxLength <= 512, "maxLength must be in [16, 512]");
    check(learningRate > 0 && learningRate < 1, "learningRate must be in (0, 1)");
    check(warmupFraction >= 0 && warmupFraction < 1, "warmupFraction must be in [0, 1)");
    check(epochs >= 1, "epochs must be >= 1");
    check(maxSteps >= 0, "maxSteps must be >= 0");
    check(prebatch >= 0 && prebatchWarmup >= 0, "prebatch and prebatchWarmup must be >= 0");
    check(dropout >= 0 && dropout < 1, "dropout must be in [0, 1)");
    check(lambda1 >= 0 && lambda2 >= 0 && lambda3 >= 0 && lambdaFilter >= 0, "loss weights must be >= 0");
    check(checkpointSteps >= 1 && checkpointMinutes >= 1, "checkpointSteps and checkpointMinutes must be >= 1");
    return this;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Fields that must match between a checkpoint and the run resuming it (the rest may change on resume).
   *
   * @return the identity fields joined with {@code |}; two configs train the same thing when they are equal
   */
  public String identity() {
    return model + "|" + layout + "|" + freezeWordEmbeddings + "|" + trainFile.replaceAll(".*/", "") + "|"
        + trainParagraphs + "|" + ambiguous + "|" + seed + "|" + maxLength + "|" + stride + "|" + maxTitleTokens + "|"
        + maxQuestionLength + "|" + batchWindows;
  }
}
