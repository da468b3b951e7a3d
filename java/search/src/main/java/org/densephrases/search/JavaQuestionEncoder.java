package org.densephrases.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.infer.JavaPhraseModel;
import org.densephrases.model.text.Tokenizer;

/**
 * The question side of an exported model on the pure-Java engine (java/model's {@link JavaPhraseModel}: the Vector
 * API on a thread pool; no DJL, no native code). Questions are sorted by length into batches so that padding is
 * small (java/model's {@code QuestionEncoder.encodeAll}, shared with the command line's engines). Thread-safe.
 */
public final class JavaQuestionEncoder implements QuestionEncoder {
  /** Question tokens including [CLS] and [SEP] (DensePhrases: 64); an export may ask for fewer. */
  public static final int MAX_QUESTION_TOKENS = 64;

  private final JavaPhraseModel model;
  private final Tokenizer tokenizer;
  private final org.densephrases.model.text.QuestionEncoder questions;
  private final int maxQuestionTokens;

  private JavaQuestionEncoder(JavaPhraseModel model, Tokenizer tokenizer, int maxQuestionTokens) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxQuestionTokens = maxQuestionTokens;
    this.questions = new org.densephrases.model.text.QuestionEncoder(tokenizer, maxQuestionTokens);
  }

  /**
   * Loads an exported model ({@code densephrases export}: a directory with {@code phrase-model.dpm} and
   * {@code tokenizer.json}, or the .dpm file).
   *
   * @param dirOrFile the export directory or its phrase-model.dpm
   * @param threads the engine's threads, 0 = all processors
   * @return the encoder, to be closed by the caller
   * @throws IOException a missing or corrupt model file
   */
  public static JavaQuestionEncoder load(Path dirOrFile, int threads) throws IOException {
    if (threads < 0) {
      throw new IllegalArgumentException("encoder threads must be >= 0, got " + threads);
    }
    RawPhraseModel raw = RawPhraseModel.read(dirOrFile);
    Tokenizer tok = Tokenizer.fromFile(raw.tokenizerFile());
    try {
      JavaPhraseModel m = JavaPhraseModel.of(raw, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
      return new JavaQuestionEncoder(m, tok, Math.min(MAX_QUESTION_TOKENS, raw.meta().maxQuestionLength()));
    } catch (RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  @Override
  public String modelId() {
    return model.phraseModelId();
  }

  @Override
  public String questionModelId() {
    return model.modelId();
  }

  @Override
  public int dim() {
    return model.hiddenSize();
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
    return questions.encodeAll(qs, batchSize, dim(),
        b -> model.encodeQuestions(b.ids(), b.typeIds(), b.mask())); // {start, end} (B)(dim)
  }

  @Override
  public void close() {
    try {
      model.close();
    } finally {
      tokenizer.close();
    }
  }
}
