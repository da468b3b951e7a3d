package org.densephrases.model.infer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertWeights;
import org.densephrases.model.export.PhraseModelMeta;
import org.densephrases.model.export.RawPhraseModel;

/**
 * The exported phrase model ({@code phrase-model.dpm}) for inference in plain Java: no DJL, no native code. It computes
 * what java/train's DJL {@code PhraseModel} computes (see there for the model), from the same file:
 *
 * <ul>
 *   <li>{@link #encodePassages}: token vectors (B)(T)(H) (the phrase encoder's last hidden states) and filter logits
 *       (B)(T)(2) (start, end);
 *   <li>{@link #encodeQuestions}: q_start and q_end (B)(H): in the shared layout the question encoder's [CLS] output
 *       through the linear start/end heads, in the paper layout the [CLS] outputs of the two question encoders.
 * </ul>
 *
 * <p>Weights are float32 in memory whatever the file stores (fp16 widened, int8 rows dequantized on load), so the
 * results match the DJL model loaded from the same file within float32 rounding. Work runs on a pool of
 * {@code threads} (default: all processors); calls may come from several threads at once. Close to stop the pool.
 */
public final class JavaPhraseModel implements AutoCloseable {
  private final String modelId;
  private final PhraseModelMeta meta;
  private final JavaBert phrase;
  private final JavaBert questionStart;
  private final JavaBert questionEnd; // null in the shared layout
  private final Dense startHead; // shared layout only
  private final Dense endHead;
  private final Dense filter;
  private final Exec exec;

  /**
   * Passage outputs: (B)(T)(H) token vectors and (B)(T)(2) filter logits, 0 after each row's last token.
   *
   * @param tokenVectors (B)(T)(H) token vectors, row-major
   * @param filterLogits (B)(T)(2) start/end filter logits, row-major
   */
  public record Passages(float[] tokenVectors, float[] filterLogits) {}

  private JavaPhraseModel(RawPhraseModel raw, Exec exec) {
    this.modelId = raw.modelId();
    this.meta = raw.meta();
    BertConfig c = meta.bert();
    int h = c.hiddenSize();
    Set<String> used = new HashSet<>();
    boolean questionSide = meta.isQuestionSide();
    phrase = questionSide ? null : bert(raw, "phrase.", used);
    if (meta.isShared()) {
      questionStart = bert(raw, "question.", used);
      questionEnd = null;
      startHead = new Dense(take(raw, "q_start.weight", used, h, h), take(raw, "q_start.bias", used, h), h, h);
      endHead = new Dense(take(raw, "q_end.weight", used, h, h), take(raw, "q_end.bias", used, h), h, h);
    } else {
      questionStart = bert(raw, "question_start.", used);
      questionEnd = bert(raw, "question_end.", used);
      startHead = null;
      endHead = null;
    }
    filter = questionSide ? null
        : new Dense(take(raw, "filter.weight", used, 2, h), take(raw, "filter.bias", used, 2), 2, h);
    for (String k : raw.tensors().keySet()) {
      if (!used.contains(k)) {
        throw new IllegalArgumentException(raw.file() + ": unexpected tensor " + k + " for a " + meta.layout()
            + "-layout model");
      }
    }
    this.exec = exec;
  }

  /**
   * The model of an export (directory or phrase-model.dpm), on all processors.
   *
   * @param dirOrFile a model directory or its {@code phrase-model.dpm}
   * @return the model, ready to encode; close it to stop its threads
   * @throws IOException when the export cannot be read or is corrupt
   */
  public static JavaPhraseModel load(Path dirOrFile) throws IOException {
    return load(dirOrFile, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The model of an export, on a given number of threads.
   *
   * @param dirOrFile a model directory or its {@code phrase-model.dpm}
   * @param threads the most threads a forward pass uses, at least 1 (capped at the shared pool's size)
   * @return the model, ready to encode; close it to stop its threads
   * @throws IOException when the export cannot be read or is corrupt
   */
  public static JavaPhraseModel load(Path dirOrFile, int threads) throws IOException {
    return of(RawPhraseModel.read(dirOrFile), threads);
  }

  /**
   * The model of an export already read.
   *
   * @param raw the export's tensors and metadata
   * @param threads the most threads a forward pass uses, at least 1 (capped at the shared pool's size)
   * @return the model, ready to encode; close it to stop its threads
   * @throws IllegalArgumentException when a tensor is missing, has the wrong shape, or is not expected for the layout
   */
  public static JavaPhraseModel of(RawPhraseModel raw, int threads) {
    return new JavaPhraseModel(raw, new Exec(threads));
  }

  /** On a given {@link Exec} (the tests choose its SIMD switch). */
  static JavaPhraseModel of(RawPhraseModel raw, Exec exec) {
    return new JavaPhraseModel(raw, exec);
  }

  private static JavaBert bert(RawPhraseModel raw, String prefix, Set<String> used) {
    BertConfig c = raw.meta().bert();
    Map<String, long[]> shapes = BertWeights.expectedShapes(c);
    return new JavaBert(c, name -> take(raw, prefix + name, used, shapes.get(name)));
  }

  private static float[] take(RawPhraseModel raw, String name, Set<String> used, long... shape) {
    used.add(name);
    return raw.tensor(name, shape);
  }

  /** {@return the export's model id} */
  public String modelId() {
    return modelId;
  }

  /**
   * The phrase model whose dumps this model's questions search (see {@link RawPhraseModel#phraseModelId}).
   *
   * @return {@link #modelId()} for a phrase model, else the phrase model id in the question-side metadata
   */
  public String phraseModelId() {
    return meta.isQuestionSide() ? meta.phraseModelId() : modelId;
  }

  /** {@return the export's metadata} */
  public PhraseModelMeta meta() {
    return meta;
  }

  /** {@return the encoder's hidden size (the vector dimension)} */
  public int hiddenSize() {
    return meta.bert().hiddenSize();
  }

  /** {@return true for the shared layout (one question encoder with start/end heads)} */
  public boolean isShared() {
    return questionEnd == null;
  }

  /** {@return the most threads a forward pass uses} */
  public int threads() {
    return exec.threads();
  }

  /**
   * Token vectors and filter logits of passage windows: ids, types and mask (B)(T) (mask 1 = token, 0 = padding).
   *
   * @param ids token ids (B)(T)
   * @param types token types (B)(T)
   * @param mask attention mask (B)(T)
   * @return the token vectors and filter logits
   */
  public Passages encodePassages(long[][] ids, long[][] types, long[][] mask) {
    if (phrase == null) {
      throw new IllegalStateException("model " + modelId + " is a question-side export (tuned for phrase model '"
          + meta.phraseModelId() + "'): it encodes questions only; encode passages with that phrase model");
    }
    JavaBert.Packed p = phrase.forward(ids, types, mask, false, exec);
    int h = hiddenSize();
    int n = p.tokens();
    float[] f = new float[n * 2];
    filter.apply(p.h(), n, f, false, exec);
    int t = ids.length == 0 ? 0 : ids[0].length;
    float[] vec = new float[ids.length * t * h];
    float[] logits = new float[ids.length * t * 2];
    for (int b = 0; b < ids.length; b++) {
      System.arraycopy(p.h(), p.offset()[b] * h, vec, b * t * h, p.length()[b] * h);
      System.arraycopy(f, p.offset()[b] * 2, logits, b * t * 2, p.length()[b] * 2);
    }
    return new Passages(vec, logits);
  }

  /**
   * {qStart, qEnd}, each (B)(H), of question rows [CLS] q [SEP] (types 0, mask 1 = token).
   *
   * @param ids token ids (B)(T)
   * @param types token types (B)(T)
   * @param mask attention mask (B)(T)
   * @return {qStart, qEnd}
   */
  public float[][] encodeQuestions(long[][] ids, long[][] types, long[][] mask) {
    int b = ids.length;
    int h = hiddenSize();
    float[] s;
    float[] e;
    if (isShared()) {
      float[] cls = questionStart.forwardFirst(ids, types, mask, exec);
      s = new float[b * h];
      e = new float[b * h];
      startHead.apply(cls, b, s, false, exec);
      endHead.apply(cls, b, e, false, exec);
    } else {
      s = questionStart.forwardFirst(ids, types, mask, exec);
      e = questionEnd.forwardFirst(ids, types, mask, exec);
    }
    return new float[][] {s, e};
  }

  @Override
  public void close() {
    exec.close();
  }
}
