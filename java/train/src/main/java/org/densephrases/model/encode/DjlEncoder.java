package org.densephrases.model.encode;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;

/**
 * The DJL engine (PyTorch on the CPU): an exported model (PhraseModelFile) or a pretrained encoder with untrained,
 * seeded heads. Only {@link EncoderModel} names this class, in the branch that wants DJL, so the Java engine's
 * classpath needs no DJL.
 */
final class DjlEncoder extends WindowedEncoder {
  /** The seed of the untrained heads' initialisation, so that every process builds the same model. */
  static final long SEED = 42;

  private final PhraseModel model;
  private final NDManager manager;

  private DjlEncoder(String id, PhraseModel model, Tokenizer tokenizer, WindowConfig windows, NDManager manager,
      int maxQuestionTokens) {
    super(id, model.hiddenSize(), tokenizer, windows, maxQuestionTokens);
    this.model = model;
    this.manager = manager;
  }

  /** An exported model directory (or its phrase-model.dpm). */
  static PhraseEncoder loadExport(Path dirOrFile) throws IOException {
    PhraseModelFile.Loaded l = PhraseModelFile.load(dirOrFile);
    return new DjlEncoder(l.modelId(), l.model(), l.tokenizer(), l.meta().windows(), l.manager(),
        Math.min(EncoderModel.MAX_QUESTION_TOKENS, l.meta().maxQuestionLength()));
  }

  /** A pretrained encoder: phrase and question encoders are the pretrained BERT, the filter head is seeded. */
  static PhraseEncoder loadPretrained(String name, String id) {
    PretrainedModels.Pretrained p = PretrainedModels.byName(name);
    PhraseModel m = PhraseModel.fromPretrained(p.loadWeights(), 0f);
    NDManager manager = NDManager.newBaseManager();
    try {
      Engine.getInstance().setRandomSeed((int) SEED); // the untrained filter head: same in every process
      m.initialize(manager, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      return new DjlEncoder(id, m, Tokenizer.fromResource(p.tokenizerResource()), WindowConfig.DEFAULT, manager,
          EncoderModel.MAX_QUESTION_TOKENS);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public String engine() {
    return "djl";
  }

  @Override
  PassageOutput forwardPassages(Batch batch) {
    try (NDManager sub = manager.newSubManager()) {
      NDList out = model.encodePassages(new ParameterStore(sub, false), sub.create(batch.ids()),
          sub.create(batch.typeIds()), sub.create(batch.mask()), false);
      return new PassageOutput(out.get(0).toFloatArray(), out.get(1).toFloatArray());
    }
  }

  @Override
  float[][] forwardQuestions(Batch batch) {
    try (NDManager sub = manager.newSubManager()) {
      NDList enc = model.encodeQuestions(new ParameterStore(sub, false), sub.create(batch.ids()),
          sub.create(batch.typeIds()), sub.create(batch.mask()), false);
      return new float[][] {enc.get(0).toFloatArray(), enc.get(1).toFloatArray()};
    }
  }

  @Override
  void closeEngine() {
    manager.close();
  }
}
