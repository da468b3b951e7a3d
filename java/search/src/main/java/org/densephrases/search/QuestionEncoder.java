package org.densephrases.search;

import java.util.List;

/**
 * Questions into (q_start, q_end) vectors: what a {@link SearchSession} needs of a model. {@link JavaQuestionEncoder}
 * is the one without DJL (pure Java, exported models); the command line adapts its DJL engine to this interface for
 * pretrained names. Implementations need not be thread-safe: the session calls {@link #encode} from one thread at a
 * time.
 */
public interface QuestionEncoder extends AutoCloseable {
  /**
   * The model id, compared with the dump's (a dump is never searched with another model's questions): the phrase
   * model whose dumps these questions search.
   *
   * @return the id of the model
   */
  String modelId();

  /**
   * The id of the question encoder itself: {@link #modelId} for a phrase model's own question side, the tuned
   * model's id for a question-side export ({@code densephrases train-query}), whose {@link #modelId} is the phrase
   * model it was tuned for.
   *
   * @return the question encoder's own id
   */
  default String questionModelId() {
    return modelId();
  }

  /**
   * The vector size.
   *
   * @return the dimension of q_start and q_end
   */
  int dim();

  /**
   * The longest question encoded; longer ones are cut.
   *
   * @return question tokens including [CLS] and [SEP]
   */
  int maxQuestionTokens();

  /**
   * The length of a question, to tell a user when it is cut.
   *
   * @param question the question
   * @return its word pieces without [CLS] and [SEP]
   */
  int questionTokens(String question);

  /**
   * Encodes questions in batches of at most {@code batchSize}.
   *
   * @param questions the questions
   * @param batchSize questions per forward pass
   * @return {qStart, qEnd}, each (question)(dim)
   */
  float[][] encode(List<String> questions, int batchSize);

  @Override
  void close();
}
