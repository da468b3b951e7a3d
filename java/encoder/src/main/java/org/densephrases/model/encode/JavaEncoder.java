package org.densephrases.model.encode;

import java.io.IOException;
import java.nio.file.Path;
import org.densephrases.model.export.RawPhraseModel;
import org.densephrases.model.infer.JavaPhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.Tokenizer;

/**
 * The pure-Java engine (java/encoder's {@link JavaPhraseModel}: the Vector API on a thread pool, no DJL, no native
 * code) over an exported model. Loads no DJL class, so it runs on a classpath without DJL (SearchSideMain).
 * Thread-safe: questions may be encoded from several threads at once.
 */
final class JavaEncoder extends WindowedEncoder {
  private final JavaPhraseModel model;

  private JavaEncoder(JavaPhraseModel model, Tokenizer tokenizer, int maxQuestionTokens) {
    super(model.phraseModelId(), model.hiddenSize(), tokenizer, model.meta().windows(), maxQuestionTokens);
    this.model = model;
  }

  /** An exported model directory (or its phrase-model.dpm) on {@code threads} threads. */
  static JavaEncoder load(Path dirOrFile, int threads) throws IOException {
    RawPhraseModel raw = RawPhraseModel.read(dirOrFile);
    Tokenizer tok = Tokenizer.fromFile(raw.tokenizerFile());
    try {
      JavaPhraseModel m = JavaPhraseModel.of(raw, threads);
      return new JavaEncoder(m, tok, Math.min(EncoderModel.MAX_QUESTION_TOKENS, raw.meta().maxQuestionLength()));
    } catch (RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  @Override
  public String engine() {
    return "java";
  }

  /** Threads of the engine's pool. */
  int threads() {
    return model.threads();
  }

  @Override
  PassageOutput forwardPassages(Batch batch) {
    JavaPhraseModel.Passages p = model.encodePassages(batch.ids(), batch.typeIds(), batch.mask());
    return new PassageOutput(p.tokenVectors(), p.filterLogits());
  }

  @Override
  float[][] forwardQuestions(Batch batch) {
    return model.encodeQuestions(batch.ids(), batch.typeIds(), batch.mask());
  }

  @Override
  void closeEngine() {
    model.close();
  }
}
