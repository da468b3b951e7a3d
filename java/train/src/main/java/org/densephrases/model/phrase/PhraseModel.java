package org.densephrases.model.phrase;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.BertWeights;

/**
 * The DensePhrases phrase model (Lee et al. 2021): no cross-attention between question and passage, only inner
 * products.
 *
 * <ul>
 *   <li>Phrase encoder: a BERT over {@code [CLS] title [SEP] context [SEP]}; its last hidden state h_i is the token
 *       vector, used both as the start and as the end representation (a phrase (i, j) is [h_i ; h_j]).
 *   <li>Question start and end encoders: two more BERTs over {@code [CLS] question [SEP]}; q_start and q_end are their
 *       [CLS] outputs. score(i, j) = q_start . h_i + q_end . h_j. Or, in the shared layout ({@link #shared}), one
 *       question BERT whose [CLS] output c goes through two linear heads: q_start = W_s c + b_s, q_end = W_e c + b_e
 *       (both start as the identity). The shared layout is what fits the committed model under 50 MB and costs one
 *       question forward instead of two.
 *   <li>Filter head: a linear layer h_i -> (start logit, end logit) scoring how likely token i starts / ends an answer,
 *       trained with the filter loss and used to drop tokens from the dump.
 * </ul>
 *
 * <p>Block input: (passageIds, passageTypes, passageMask) (B)(T) and (questionIds, questionTypes, questionMask)
 * (B)(Q). Output: tokenVectors (B)(T)(H), filterLogits (B)(T)(2), qStart (B)(H), qEnd (B)(H).
 */
public final class PhraseModel extends AbstractBlock {
  private final BertEncoderBlock phraseEncoder;
  private final BertEncoderBlock questionStartEncoder;
  private final BertEncoderBlock questionEndEncoder; // null in the shared layout
  private final Parameter startHeadWeight; // (H)(H), shared layout only
  private final Parameter startHeadBias;
  private final Parameter endHeadWeight;
  private final Parameter endHeadBias;
  private final Parameter filterWeight; // (2)(H): row 0 start, row 1 end
  private final Parameter filterBias; // (2)

  /**
   * The paper's layout: three BERTs.
   *
   * @param phraseEncoder encodes passage windows into token vectors
   * @param questionStartEncoder its [CLS] output is the start query vector
   * @param questionEndEncoder its [CLS] output is the end query vector (not null)
   */
  public PhraseModel(BertEncoderBlock phraseEncoder, BertEncoderBlock questionStartEncoder,
      BertEncoderBlock questionEndEncoder) {
    this(phraseEncoder, questionStartEncoder, java.util.Objects.requireNonNull(questionEndEncoder), false);
  }

  /**
   * The shared layout: one question BERT with linear start/end heads on its [CLS] output (identity at start).
   *
   * @param phraseEncoder encodes passage windows into token vectors
   * @param questionEncoder its [CLS] output feeds the start and end heads
   * @return a shared-layout model; the heads start at the identity
   */
  public static PhraseModel shared(BertEncoderBlock phraseEncoder, BertEncoderBlock questionEncoder) {
    return new PhraseModel(phraseEncoder, questionEncoder, null, true);
  }

  private PhraseModel(BertEncoderBlock phraseEncoder, BertEncoderBlock questionStartEncoder,
      BertEncoderBlock questionEndEncoder, boolean shared) {
    super((byte) 1);
    BertConfig c = phraseEncoder.config();
    if (questionStartEncoder.config().hiddenSize() != c.hiddenSize()
        || (questionEndEncoder != null && questionEndEncoder.config().hiddenSize() != c.hiddenSize())) {
      throw new IllegalArgumentException("phrase and question encoders must share the hidden size: "
          + c.hiddenSize() + ", " + questionStartEncoder.config().hiddenSize()
          + (questionEndEncoder == null ? "" : ", " + questionEndEncoder.config().hiddenSize()));
    }
    this.phraseEncoder = addChildBlock("phrase", phraseEncoder);
    if (shared) {
      this.questionStartEncoder = addChildBlock("question", questionStartEncoder);
      this.questionEndEncoder = null;
      long h = c.hiddenSize();
      startHeadWeight = addParameter(Parameter.builder().setName("q_start_weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(h, h)).optInitializer(new IdentityInitializer()).build());
      startHeadBias = addParameter(Parameter.builder().setName("q_start_bias").setType(Parameter.Type.BIAS)
          .optShape(new Shape(h)).build());
      endHeadWeight = addParameter(Parameter.builder().setName("q_end_weight").setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(h, h)).optInitializer(new IdentityInitializer()).build());
      endHeadBias = addParameter(Parameter.builder().setName("q_end_bias").setType(Parameter.Type.BIAS)
          .optShape(new Shape(h)).build());
    } else {
      this.questionStartEncoder = addChildBlock("question_start", questionStartEncoder);
      this.questionEndEncoder = addChildBlock("question_end", questionEndEncoder);
      startHeadWeight = null;
      startHeadBias = null;
      endHeadWeight = null;
      endHeadBias = null;
    }
    filterWeight = addParameter(Parameter.builder().setName("filter_weight").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(2, c.hiddenSize())).optInitializer(new NormalInitializer(0.02f)).build());
    filterBias = addParameter(Parameter.builder().setName("filter_bias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(2)).build());
  }

  /**
   * All three encoders start from the same pretrained weights (as in the paper); the filter starts random.
   *
   * @param weights the pretrained encoder
   * @param dropout dropout probability in [0, 1)
   * @return the paper-layout model, not yet initialised
   */
  public static PhraseModel fromPretrained(BertWeights weights, float dropout) {
    return new PhraseModel(BertEncoderBlock.pretrained(weights, dropout), BertEncoderBlock.pretrained(weights, dropout),
        BertEncoderBlock.pretrained(weights, dropout));
  }

  /**
   * The shared layout: all encoders and heads from the same pretrained weights, heads at the identity.
   *
   * @param weights the pretrained encoder
   * @param dropout dropout probability in [0, 1)
   * @return the shared-layout model, not yet initialised
   */
  public static PhraseModel sharedFromPretrained(BertWeights weights, float dropout) {
    return shared(BertEncoderBlock.pretrained(weights, dropout), BertEncoderBlock.pretrained(weights, dropout));
  }

  /**
   * The shared layout with one BERT for passages and questions: the question encoder IS the phrase encoder (same
   * block, same parameters; its gradient sums both uses). Exports store it once (the question tensors are aliases).
   *
   * @param weights the pretrained encoder
   * @param dropout dropout probability in [0, 1)
   * @return the tied model, not yet initialised
   */
  public static PhraseModel tiedFromPretrained(BertWeights weights, float dropout) {
    BertEncoderBlock enc = BertEncoderBlock.pretrained(weights, dropout);
    return shared(enc, enc);
  }

  /**
   * True when the question encoder is the phrase encoder itself ({@link #tiedFromPretrained}).
   *
   * @return true for a tied model
   */
  public boolean isTied() {
    return questionStartEncoder == phraseEncoder;
  }

  /**
   * True for one question encoder with start/end heads, false for the paper's two question encoders.
   *
   * @return true for the shared layout
   */
  public boolean isShared() {
    return questionEndEncoder == null;
  }

  /**
   * The start/end head parameters {startW, startB, endW, endB} of the shared layout (null otherwise).
   *
   * @return the four head parameters, or null
   */
  public Parameter[] questionHeads() {
    return isShared() ? new Parameter[] {startHeadWeight, startHeadBias, endHeadWeight, endHeadBias} : null;
  }

  /** {@return the filter head parameters {weight (2)(H), bias (2)}: row 0 scores starts, row 1 ends} */
  public Parameter[] filterHead() {
    return new Parameter[] {filterWeight, filterBias};
  }

  /** {@return the encoder shape (that of the phrase encoder; every encoder has it)} */
  public BertConfig config() {
    return phraseEncoder.config();
  }

  /** {@return the hidden size, the dimension of token and query vectors} */
  public int hiddenSize() {
    return phraseEncoder.config().hiddenSize();
  }

  /** {@return the passage encoder} */
  public BertEncoderBlock phraseEncoder() {
    return phraseEncoder;
  }

  /**
   * In the shared layout: the one question encoder.
   *
   * @return the start question encoder (the only one in the shared layout)
   */
  public BertEncoderBlock questionStartEncoder() {
    return questionStartEncoder;
  }

  /** {@return the end question encoder of the paper layout, or null in the shared layout} */
  public BertEncoderBlock questionEndEncoder() {
    return questionEndEncoder;
  }

  /**
   * Shapes for initialize(): passages (b)(t), questions (b)(q).
   *
   * @param b the batch size
   * @param t the passage window length
   * @param q the question length
   * @return the shapes of passage ids, types, mask, then question ids, types, mask
   */
  public static Shape[] inputShapes(long b, long t, long q) {
    return new Shape[] {new Shape(b, t), new Shape(b, t), new Shape(b, t), new Shape(b, q), new Shape(b, q),
        new Shape(b, q)};
  }

  /**
   * tokenVectors (B)(T)(H) and filterLogits (B)(T)(2) of passage windows.
   *
   * @param ps the parameter store
   * @param ids token ids (B)(T)
   * @param types token types (B)(T)
   * @param mask attention mask (B)(T), 1 for tokens
   * @param training whether dropout is active
   * @return {tokenVectors, filterLogits}
   */
  public NDList encodePassages(ParameterStore ps, NDArray ids, NDArray types, NDArray mask, boolean training) {
    NDArray h = phraseEncoder.forward(ps, new NDList(ids, types, mask), training).singletonOrThrow();
    NDArray filter = Linear.linear(h, ps.getValue(filterWeight, h.getDevice(), training),
        ps.getValue(filterBias, h.getDevice(), training)).singletonOrThrow();
    return new NDList(h, filter);
  }

  /**
   * qStart (B)(H) and qEnd (B)(H): the [CLS] outputs of the two question encoders (or heads on the shared one).
   *
   * @param ps the parameter store
   * @param ids question token ids (B)(Q)
   * @param types token types (B)(Q)
   * @param mask attention mask (B)(Q), 1 for tokens
   * @param training whether dropout is active
   * @return {qStart, qEnd}
   */
  public NDList encodeQuestions(ParameterStore ps, NDArray ids, NDArray types, NDArray mask, boolean training) {
    NDList in = new NDList(ids, types, mask);
    if (isShared()) {
      NDArray cls = questionStartEncoder.forward(ps, in, training).singletonOrThrow().get(new NDIndex(":, 0, :"));
      NDArray s = Linear.linear(cls, ps.getValue(startHeadWeight, cls.getDevice(), training),
          ps.getValue(startHeadBias, cls.getDevice(), training)).singletonOrThrow();
      NDArray e = Linear.linear(cls, ps.getValue(endHeadWeight, cls.getDevice(), training),
          ps.getValue(endHeadBias, cls.getDevice(), training)).singletonOrThrow();
      return new NDList(s, e);
    }
    NDArray s = questionStartEncoder.forward(ps, in, training).singletonOrThrow().get(new NDIndex(":, 0, :"));
    NDArray e = questionEndEncoder.forward(ps, in, training).singletonOrThrow().get(new NDIndex(":, 0, :"));
    return new NDList(s, e);
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    if (inputs.size() != 6) {
      throw new IllegalArgumentException("PhraseModel takes 3 passage and 3 question arrays, got " + inputs.size());
    }
    NDList p = encodePassages(ps, inputs.get(0), inputs.get(1), inputs.get(2), training);
    NDList q = encodeQuestions(ps, inputs.get(3), inputs.get(4), inputs.get(5), training);
    return new NDList(p.get(0), p.get(1), q.get(0), q.get(1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    long h = hiddenSize();
    return new Shape[] {in[0].addAll(new Shape(h)), in[0].addAll(new Shape(2)), new Shape(in[3].get(0), h),
        new Shape(in[3].get(0), h)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    phraseEncoder.initialize(manager, dataType, in[0], in[1], in[2]);
    questionStartEncoder.initialize(manager, dataType, in[3], in[4], in[5]);
    if (questionEndEncoder != null) {
      questionEndEncoder.initialize(manager, dataType, in[3], in[4], in[5]);
    }
  }

  /** The identity matrix: the shared layout's question heads start as pass-throughs of [CLS]. */
  private static final class IdentityInitializer implements ai.djl.training.initializer.Initializer {
    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      return manager.eye((int) shape.get(0)).toType(dataType, false);
    }
  }
}
