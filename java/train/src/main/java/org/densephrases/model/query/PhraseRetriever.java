package org.densephrases.model.query;

import java.util.List;

/**
 * The fixed phrase index as query-side fine-tuning sees it: for encoded questions, the top phrases of the index the
 * service searches, each with its text and its stored start and end vectors (the dump's, as the search rescores
 * with them). The phrase side never changes while the question encoder trains against it.
 */
public interface PhraseRetriever {
  /**
   * One retrieved phrase: its text and the dump's start/end token vectors (dim floats each).
   *
   * @param text the phrase text
   * @param start its start token vector
   * @param end its end token vector
   */
  record Phrase(String text, float[] start, float[] end) {}

  /**
   * The vector size.
   *
   * @return the dimension of the dump's vectors
   */
  int dim();

  /**
   * The top {@code k} phrases of each question, best first (fewer when the index holds fewer).
   *
   * @param qStart (question)(dim)
   * @param qEnd (question)(dim)
   * @param numQuestions the questions
   * @param k phrases per question
   * @return per question, its phrases
   */
  List<List<Phrase>> retrieve(float[] qStart, float[] qEnd, int numQuestions, int k);

  /**
   * The gold phrase of a training question, as stored in the dump: the tokens of the passage {@code context} that
   * start and end the answer at {@code [charStart, charEnd)}; null when the passage is not in the dump or its tokens
   * were filtered out.
   *
   * @param title the passage title
   * @param context the passage text
   * @param charStart the answer's first character in {@code context}
   * @param charEnd one past its last character
   * @return the gold phrase, or null
   */
  Phrase gold(String title, String context, int charStart, int charEnd);
}
