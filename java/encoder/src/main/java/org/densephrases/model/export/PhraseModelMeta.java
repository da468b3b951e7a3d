package org.densephrases.model.export;

import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.text.WindowConfig;

/**
 * What a reader of an exported phrase model needs besides the weights: the encoder shape and how passages and
 * questions are cut. Stored as JSON in the file's header (field names are the format: do not rename them).
 */
public record PhraseModelMeta(String baseModel, String layout, BertConfig bert, int maxLength, int stride,
    int maxTitleTokens, int maxQuestionLength, long trainedSteps, String recipe) {
  public WindowConfig windows() {
    return new WindowConfig(maxLength, stride, maxTitleTokens);
  }

  /** True for one question encoder with linear start/end heads, false for the paper's two question encoders. */
  public boolean isShared() {
    return "shared".equals(layout);
  }
}
