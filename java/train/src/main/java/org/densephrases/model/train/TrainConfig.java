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
  public String trainFile = "../shared/data/squad/train-v1.1.reconstructed.json.gz";
  /** Use only the first N paragraphs of the train file (0 = all): for quick runs and ablations. */
  public int trainParagraphs = 0;
  public String ambiguous = "drop";
  public long seed = 42;
  public int maxLength = 256;
  public int stride = 128;
  public int maxTitleTokens = 32;
  public int maxQuestionLength = 64;
  /** Passage windows per batch (each with all of its questions). */
  public int batchWindows = 16;
  public float dropout = 0.1f;
  public float learningRate = 1e-4f;
  public float warmupFraction = 0.06f;
  public float weightDecay = 0.01f;
  public float clipNorm = 1.0f;
  public int epochs = 1;
  /** Stop after this many steps (0 = epochs x steps per epoch). The learning-rate schedule uses the planned total. */
  public int maxSteps = 0;
  /** lambda1: single-passage CE. */
  public float lambda1 = 1f;
  /** lambda2: distillation KL from the teacher (needs teacherLogits). */
  public float lambda2 = 2f;
  /** lambda3: in-batch + pre-batch negatives. */
  public float lambda3 = 4f;
  public float lambdaFilter = 1f;
  /** Pre-batch negatives: gold vectors of the previous C batches (0 = in-batch only). */
  public int prebatch = 2;
  /** Steps of in-batch negatives only before the pre-batch cache switches on. */
  public int prebatchWarmup = 200;
  /** Cached teacher logits (TeacherLogits file), or null for no distillation. */
  public String teacherLogits = null;
  /** start from this checkpoint's parameters (not its optimizer or step): e.g. a run pre-trained on augmented data */
  public String initCheckpoint = null;
  public int checkpointSteps = 100;
  public int checkpointMinutes = 10;
  /** Keep an exported model of every checkpoint (for a learning curve). */
  public boolean exportEveryCheckpoint = true;
  /** auto, cpu, gpu or gpu:N ({@link TrainDevice}); null = the densephrases.device property / environment / auto. */
  public String device = null;

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

  public String toJson() {
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(this);
  }

  public static TrainConfig fromJson(String json) {
    return new Gson().fromJson(json, TrainConfig.class);
  }

  /** Throws IllegalArgumentException naming the first bad field. */
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

  /** Fields that must match between a checkpoint and the run resuming it (the rest may change on resume). */
  public String identity() {
    return model + "|" + layout + "|" + freezeWordEmbeddings + "|" + trainFile.replaceAll(".*/", "") + "|"
        + trainParagraphs + "|" + ambiguous + "|" + seed + "|" + maxLength + "|" + stride + "|" + maxTitleTokens + "|"
        + maxQuestionLength + "|" + batchWindows;
  }
}
