package org.densephrases.model.encode;

import java.util.List;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.text.WindowConfig;

/**
 * The phrase model as the app uses it: passages into encoded documents, questions into (q_start, q_end). Two engines
 * implement it: DJL ({@code DjlEncoder} in java/train, PyTorch on the CPU) and pure Java ({@link JavaEncoder}, the
 * Vector API, no native code); {@link EncoderModel#load(String, String, int)} picks one. Windowing, batching and the max-context rule
 * are shared ({@link WindowedEncoder}), so both give the same documents up to float rounding.
 */
public interface PhraseEncoder extends AutoCloseable {
  /**
   * The model id: goes into every dump and question-vector file.
   *
   * @return the model id
   */
  String id();

  /**
   * "djl" or "java".
   *
   * @return the engine name
   */
  String engine();

  /**
   * Vector size (the encoder's hidden size).
   *
   * @return the dimension of phrase start/end and question vectors
   */
  int dim();

  /**
   * How passages are cut into windows.
   *
   * @return the window length, stride and title budget
   */
  WindowConfig windows();

  /**
   * Question tokens including [CLS] and [SEP] this model encodes.
   *
   * @return the most question tokens, special tokens included
   */
  int maxQuestionTokens();

  /**
   * Word pieces of a question (without [CLS]/[SEP]), to tell the user when it is cut.
   *
   * @param question the question text
   * @return its number of word pieces
   */
  int questionTokens(String question);

  /**
   * Encodes paragraphs into dump documents: one vector and filter score per context token, each token from the window
   * that gives it the most context.
   *
   * @param batchWindows windows per forward pass
   * @return one document per paragraph, in order (a paragraph without tokens gives a document with none)
   * @param paragraphs the corpus paragraphs to encode
   */
  List<EncodedDocument> encodeDocuments(List<CorpusParagraph> paragraphs, int batchWindows);

  /**
   * Encodes questions in length-sorted batches.
   *
   * @return {qStart, qEnd}, each (question)(dim)
   * @param questions the question texts, in the order the rows come back
   * @param batchSize the most questions per forward pass
   */
  float[][] encodeQuestions(List<String> questions, int batchSize);

  @Override
  void close();
}
