package org.densephrases.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.UnsupportedBackendException;
import org.densephrases.kernels.cuda.CudaBert;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertWeights;
import org.densephrases.model.export.PhraseModelMeta;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.Tokenizer;

/**
 * The question side of an exported model on the GPU: the same model, tokenisation and batching as
 * {@link JavaQuestionEncoder}, the forward pass by libdensephrases' BERT encoder ({@link CudaBert}: float32 weights
 * uploaded once, float32 arithmetic; the vectors agree with the Java engine's within about 1e-4). Shared layout (and
 * question-side exports of {@code densephrases train-query}): one encoder whose [CLS] output goes through the
 * q_start and q_end heads, in the same launch sequence; paper layout: two encoders, [CLS] outputs. Thread-safe; no
 * DJL.
 */
public final class CudaQuestionEncoder implements QuestionEncoder {
  private final String modelId;
  private final String questionModelId;
  private final int dim;
  private final int maxQuestionTokens;
  private final Tokenizer tokenizer;
  private final org.densephrases.model.text.QuestionEncoder questions;
  private final CudaBert start; // shared layout: both heads
  private final CudaBert end; // paper layout only

  private CudaQuestionEncoder(RawPhraseModel raw, Tokenizer tokenizer, CudaBert start, CudaBert end) {
    this.modelId = raw.phraseModelId();
    this.questionModelId = raw.modelId();
    this.dim = raw.meta().bert().hiddenSize();
    this.maxQuestionTokens = Math.min(JavaQuestionEncoder.MAX_QUESTION_TOKENS, raw.meta().maxQuestionLength());
    this.tokenizer = tokenizer;
    this.questions = new org.densephrases.model.text.QuestionEncoder(tokenizer, maxQuestionTokens);
    this.start = start;
    this.end = end;
  }

  /**
   * Why this encoder cannot run here, or null when it can (the CUDA backend can run): what {@code --question-encoder
   * auto} and the facade's {@code questionEncoder("auto")} decide by.
   *
   * @return null, or the reason the CUDA backend is unavailable
   */
  public static String unavailableReason() {
    try {
      Backends.byName("cuda");
      return null;
    } catch (UnsupportedBackendException e) {
      return e.getMessage();
    }
  }

  /**
   * Loads an exported model ({@code densephrases export} or {@code train-query}: a directory with its .dpm and
   * {@code tokenizer.json}, or the .dpm file) onto the GPU.
   *
   * @param dirOrFile the export directory or its .dpm file
   * @return the encoder, to be closed by the caller
   * @throws IOException a missing or corrupt model file
   * @throws org.densephrases.kernels.UnsupportedBackendException when libdensephrases or a CUDA device is missing
   *     (the message says why)
   */
  public static CudaQuestionEncoder load(Path dirOrFile) throws IOException {
    RawPhraseModel raw = RawPhraseModel.read(dirOrFile);
    Tokenizer tok = Tokenizer.fromFile(raw.tokenizerFile());
    try {
      return of(raw, tok);
    } catch (RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  /** The encoder of an export already read, with its tokenizer (owned by the encoder from then on). */
  static CudaQuestionEncoder of(RawPhraseModel raw, Tokenizer tok) {
    PhraseModelMeta meta = raw.meta();
    if (meta.isShared()) {
      CudaBert s = upload(raw, "question.", 2);
      try {
        int h = meta.bert().hiddenSize();
        s.set("heads.0.weight", raw.tensor("q_start.weight", h, h));
        s.set("heads.0.bias", raw.tensor("q_start.bias", h));
        s.set("heads.1.weight", raw.tensor("q_end.weight", h, h));
        s.set("heads.1.bias", raw.tensor("q_end.bias", h));
        return new CudaQuestionEncoder(raw, tok, s, null);
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
    }
    CudaBert s = upload(raw, "question_start.", 0);
    try {
      return new CudaQuestionEncoder(raw, tok, s, upload(raw, "question_end.", 0));
    } catch (RuntimeException ex) {
      s.close();
      throw ex;
    }
  }

  /** One BERT encoder of the export (tensors under {@code prefix}) on the device, its weights checked by shape. */
  private static CudaBert upload(RawPhraseModel raw, String prefix, int outputs) {
    BertConfig c = raw.meta().bert();
    CudaBert b = CudaBert.create(new CudaBert.Shape(c.vocabSize(), c.hiddenSize(), c.numLayers(), c.numHeads(),
        c.intermediateSize(), c.maxPositions(), c.typeVocabSize(), c.layerNormEps()), outputs);
    try {
      for (Map.Entry<String, long[]> w : BertWeights.expectedShapes(c).entrySet()) {
        b.set(w.getKey(), raw.tensor(prefix + w.getKey(), w.getValue()));
      }
      return b;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public String questionModelId() {
    return questionModelId;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public int maxQuestionTokens() {
    return maxQuestionTokens;
  }

  @Override
  public int questionTokens(String question) {
    return tokenizer.tokenize(question).size();
  }

  @Override
  public float[][] encode(List<String> qs, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    return questions.encodeAll(qs, Math.min(batchSize, CudaBert.MAX_BATCH), dim, this::forward);
  }

  /** {qStart, qEnd} (rows)(dim) of a padded batch: rows of tokens then padding, as Batch.pad makes them. */
  private float[][] forward(Batch b) {
    int rows = b.rows();
    int seq = b.length();
    int[] ids = new int[rows * seq];
    int[] types = new int[rows * seq];
    int[] lengths = new int[rows];
    for (int r = 0; r < rows; r++) {
      long[] m = b.mask()[r];
      int len = seq;
      while (len > 0 && m[len - 1] == 0) {
        len--;
      }
      for (int i = 0; i < seq; i++) {
        if (i < len && m[i] == 0) {
          throw new IllegalArgumentException("row " + r + " has padding before its last token: the CUDA encoder"
              + " takes rows of tokens then padding");
        }
        ids[r * seq + i] = Math.toIntExact(b.ids()[r][i]);
        types[r * seq + i] = Math.toIntExact(b.typeIds()[r][i]);
      }
      lengths[r] = len;
    }
    int n = rows * dim;
    if (end == null) {
      float[] out = start.encode(ids, types, lengths, seq, CudaBert.FIRST); // (2)(rows)(dim): heads 0 and 1
      return new float[][] {java.util.Arrays.copyOfRange(out, 0, n), java.util.Arrays.copyOfRange(out, n, 2 * n)};
    }
    return new float[][] {start.encode(ids, types, lengths, seq, CudaBert.FIRST),
        end.encode(ids, types, lengths, seq, CudaBert.FIRST)};
  }

  @Override
  public void close() {
    try {
      start.close();
      if (end != null) {
        end.close();
      }
    } finally {
      tokenizer.close();
    }
  }
}
