package org.densephrases.model.export;

import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.text.WindowConfig;

/**
 * What a reader of an exported phrase model needs besides the weights: the encoder shape and how passages and
 * questions are cut. Stored as JSON in the file's header (field names are the format: do not rename them).
 */
public record PhraseModelMeta(String baseModel, String layout, BertConfig bert, int maxLength, int stride,
    int maxTitleTokens, int maxQuestionLength, long trainedSteps, String recipe, String phraseModelId) {
  /** A phrase model's metadata (not a question-side export). */
  public PhraseModelMeta(String baseModel, String layout, BertConfig bert, int maxLength, int stride,
      int maxTitleTokens, int maxQuestionLength, long trainedSteps, String recipe) {
    this(baseModel, layout, bert, maxLength, stride, maxTitleTokens, maxQuestionLength, trainedSteps, recipe, null);
  }

  /**
   * True for a question-side export ({@code densephrases train-query}): question encoder and heads only, tuned for
   * the phrase model {@link #phraseModelId} (whose dumps it searches); null in a phrase model's own file.
   */
  public boolean isQuestionSide() {
    return phraseModelId != null;
  }

  /** This metadata as a question-side export's, tuned for phrase model {@code id} after {@code steps} steps. */
  public PhraseModelMeta asQuestionSide(String id, String recipe) {
    return new PhraseModelMeta(baseModel, "shared", bert, maxLength, stride, maxTitleTokens, maxQuestionLength,
        trainedSteps, recipe, id);
  }

  public WindowConfig windows() {
    return new WindowConfig(maxLength, stride, maxTitleTokens);
  }

  /** True for one question encoder with linear start/end heads, false for the paper's two question encoders. */
  public boolean isShared() {
    return "shared".equals(layout);
  }
}
