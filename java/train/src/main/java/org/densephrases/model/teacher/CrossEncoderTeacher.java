package org.densephrases.model.teacher;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.text.PassageWindow;

/**
 * The distillation teacher: a cross-attention reader (question and passage in one BERT, BERT's standard SQuAD span
 * head {@code Linear(H -> 2)} giving start and end logits per token). Unlike the phrase model, every token sees the
 * question, so it reads better and its start/end distributions are what the student is distilled towards.
 *
 * <p>Input {@code [CLS] question [SEP] title [SEP] context [SEP]} is the question's tokens followed by the student's
 * window minus its [CLS] ({@link #inputs}), so student window position t is teacher position {@code t + offset} with
 * {@code offset = questionTokens - 1}: the teacher's logits map onto the student's positions without any search.
 * Output: start and end logits (B)(T).
 */
public final class CrossEncoderTeacher extends AbstractBlock {
  private final BertEncoderBlock encoder;
  private final Parameter spanWeight; // (2)(H)
  private final Parameter spanBias; // (2)

  /**
   * A teacher over an encoder, with a new span head.
   *
   * @param encoder the BERT that reads question and window together; the span head starts random
   */
  public CrossEncoderTeacher(BertEncoderBlock encoder) {
    super((byte) 1);
    this.encoder = addChildBlock("encoder", encoder);
    int h = encoder.config().hiddenSize();
    spanWeight = addParameter(Parameter.builder().setName("span_weight").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(2, h)).optInitializer(new NormalInitializer(0.02f)).build());
    spanBias = addParameter(Parameter.builder().setName("span_bias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(2)).build());
  }

  /** {@return the BERT encoder} */
  public BertEncoderBlock encoder() {
    return encoder;
  }

  /**
   * {ids, types} of the teacher input for a question ([CLS] q [SEP]) and a student window.
   *
   * @param questionIds the question's ids, [CLS] q [SEP]
   * @param window a student window
   * @return {ids, types}: the question, then the window without its [CLS], types 1 after the question
   */
  public static long[][] inputs(long[] questionIds, PassageWindow window) {
    int q = questionIds.length;
    int n = q + window.length() - 1;
    long[] ids = new long[n];
    long[] types = new long[n];
    System.arraycopy(questionIds, 0, ids, 0, q);
    System.arraycopy(window.ids(), 1, ids, q, window.length() - 1);
    for (int i = q; i < n; i++) {
      types[i] = 1;
    }
    return new long[][] {ids, types};
  }

  /**
   * Teacher position of student window position t is t + offset(questionIds).
   *
   * @param questionIds the question's ids, [CLS] q [SEP]
   * @return the position shift, the question's length minus 1 (the window's [CLS] is dropped)
   */
  public static int offset(long[] questionIds) {
    return questionIds.length - 1;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray h = encoder.forward(ps, inputs, training).singletonOrThrow(); // (B)(T)(H)
    NDArray logits = Linear.linear(h, ps.getValue(spanWeight, h.getDevice(), training),
        ps.getValue(spanBias, h.getDevice(), training)).singletonOrThrow(); // (B)(T)(2)
    long b = h.getShape().get(0);
    long t = h.getShape().get(1);
    NDArray start = logits.get(":, :, 0").reshape(b, t);
    NDArray end = logits.get(":, :, 1").reshape(b, t);
    return new NDList(start, end);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {in[0], in[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    encoder.initialize(manager, dataType, in);
  }
}
