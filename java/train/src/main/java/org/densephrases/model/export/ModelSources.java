package org.densephrases.model.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.densephrases.model.bert.BertWeights;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.train.Checkpoint;
import org.densephrases.model.train.Checkpoints;
import org.densephrases.model.train.TrainConfig;
import org.densephrases.model.train.TrainDevice;

/** Where an inference-ready phrase model comes from: an export directory, a training checkpoint, or pretrained. */
public final class ModelSources {
  private ModelSources() {}

  /**
   * A training checkpoint (or parameters-only snapshot), with the pretrained encoder's tokenizer.
   *
   * @param file a {@code checkpoint.bin} or a parameters-only snapshot
   * @return the loaded model; the caller closes it
   * @throws IOException when the file cannot be read or is not a checkpoint of a known model
   */
  public static PhraseModelFile.Loaded fromCheckpoint(Path file) throws IOException {
    Checkpoint ckpt = Checkpoint.read(file);
    TrainConfig c = TrainConfig.fromJson(ckpt.configJson());
    PretrainedModels.Pretrained pre = PretrainedModels.byName(c.model);
    BertWeights w = pre.loadWeights();
    PhraseModel m = switch (c.layout) {
      case "shared" -> PhraseModel.sharedFromPretrained(w, 0f);
      case "tied" -> PhraseModel.tiedFromPretrained(w, 0f);
      default -> PhraseModel.fromPretrained(w, 0f);
    };
    Map<String, Parameter> params = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : m.getParameters()) {
      params.put(p.getKey(), p.getValue());
    }
    Checkpoints.assign(params, ckpt, file);
    NDManager manager = NDManager.newBaseManager(TrainDevice.fromEnvironment(), "PyTorch");
    m.initialize(manager, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
    // A tied model is a shared-layout file whose question tensors are aliases of the phrase encoder's.
    PhraseModelMeta meta = new PhraseModelMeta(c.model, c.layout.equals("tied") ? "shared" : c.layout, w.config(), c.maxLength, c.stride,
        c.maxTitleTokens, c.maxQuestionLength, ckpt.step(), ckpt.configJson());
    return new PhraseModelFile.Loaded("densephrases-" + c.model + "-" + c.layout + "-step" + ckpt.step(), meta, m,
        Tokenizer.fromResource(pre.tokenizerResource()), manager);
  }

  /**
   * The untrained model (all encoders = the pretrained encoder): the floor any training must beat.
   *
   * @param name a pretrained encoder name
   * @param layout {@code shared}, {@code paper} or {@code tied}
   * @return the loaded model; the caller closes it
   */
  public static PhraseModelFile.Loaded pretrained(String name, String layout) {
    PretrainedModels.Pretrained pre = PretrainedModels.byName(name);
    BertWeights w = pre.loadWeights();
    PhraseModel m = layout.equals("shared") ? PhraseModel.sharedFromPretrained(w, 0f)
        : PhraseModel.fromPretrained(w, 0f);
    NDManager manager = NDManager.newBaseManager(TrainDevice.fromEnvironment(), "PyTorch");
    m.initialize(manager, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
    TrainConfig d = new TrainConfig();
    PhraseModelMeta meta = new PhraseModelMeta(name, layout, w.config(), d.maxLength, d.stride,
        d.maxTitleTokens, d.maxQuestionLength, 0, "untrained");
    return new PhraseModelFile.Loaded(name + "-untrained", meta, m, Tokenizer.fromResource(pre.tokenizerResource()),
        manager);
  }
}
