package org.densephrases.model.export;

import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.text.WindowConfig;

/**
 * What a reader of an exported phrase model needs besides the weights: the encoder shape and how passages and
 * questions are cut. Stored as JSON in the file's header (field names are the format: do not rename them).
 *
 * @param baseModel the pretrained encoder the model was trained from (for example {@code bert-base-uncased})
 * @param layout {@code "shared"} for one question encoder with linear start/end heads, else the paper's two
 *     question encoders
 * @param bert the encoder's shape (layers, hidden size, heads, vocabulary)
 * @param maxLength the passage window length in tokens, special tokens included
 * @param stride the overlap in tokens between consecutive windows of a long passage
 * @param maxTitleTokens the most title tokens put in front of each window
 * @param maxQuestionLength the most question tokens, special tokens included
 * @param trainedSteps the number of optimizer steps the weights were trained for
 * @param recipe a free-form description of the training run (data and options)
 * @param phraseModelId for a question-side export, the id of the phrase model it was tuned for; null otherwise
 */
public record PhraseModelMeta(String baseModel, String layout, BertConfig bert, int maxLength, int stride,
    int maxTitleTokens, int maxQuestionLength, long trainedSteps, String recipe, String phraseModelId) {
  /**
   * A phrase model's metadata (not a question-side export).
   *
   * @param baseModel the pretrained encoder the model was trained from
   * @param layout {@code "shared"} or the paper's two-question-encoder layout (see {@link #isShared()})
   * @param bert the encoder's shape
   * @param maxLength the passage window length in tokens
   * @param stride the overlap in tokens between consecutive windows
   * @param maxTitleTokens the most title tokens put in front of each window
   * @param maxQuestionLength the most question tokens
   * @param trainedSteps the number of optimizer steps trained
   * @param recipe a free-form description of the training run
   */
  public PhraseModelMeta(String baseModel, String layout, BertConfig bert, int maxLength, int stride,
      int maxTitleTokens, int maxQuestionLength, long trainedSteps, String recipe) {
    this(baseModel, layout, bert, maxLength, stride, maxTitleTokens, maxQuestionLength, trainedSteps, recipe, null);
  }

  /**
   * True for a question-side export ({@code densephrases train-query}): question encoder and heads only, tuned for
   * the phrase model {@link #phraseModelId} (whose dumps it searches); null in a phrase model's own file.
   *
   * @return true when {@link #phraseModelId} is set
   */
  public boolean isQuestionSide() {
    return phraseModelId != null;
  }

  /**
   * This metadata as a question-side export's, tuned for phrase model {@code id} after {@code steps} steps.
   *
   * @param id the phrase model id the question side was tuned for (its dumps are the ones searched)
   * @param recipe the question-side training recipe
   * @return a copy with layout {@code "shared"}, {@code phraseModelId = id} and the given recipe
   */
  public PhraseModelMeta asQuestionSide(String id, String recipe) {
    return new PhraseModelMeta(baseModel, "shared", bert, maxLength, stride, maxTitleTokens, maxQuestionLength,
        trainedSteps, recipe, id);
  }

  /**
   * How passages are cut into windows for this model.
   *
   * @return the window length, stride and title budget from this metadata
   */
  public WindowConfig windows() {
    return new WindowConfig(maxLength, stride, maxTitleTokens);
  }

  /**
   * True for one question encoder with linear start/end heads, false for the paper's two question encoders.
   *
   * @return true when {@link #layout} is {@code "shared"}
   */
  public boolean isShared() {
    return "shared".equals(layout);
  }
}
