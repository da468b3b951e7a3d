package org.densephrases.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.model.encode.EncoderModel;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.encode.QuestionEncoderOptions;
import org.densephrases.model.encode.PhraseEncoder;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.search.CudaQuestionEncoder;
import org.densephrases.search.JavaQuestionEncoder;
import org.densephrases.search.QuestionEncoder;
import org.densephrases.search.SearchSession;

/**
 * How the verbs open a {@link SearchSession}: the model named by {@code --model} (default: the committed one) on the
 * engine of {@code --encoder} (the pure-Java one from the search module for an export, the DJL one adapted for a
 * pretrained name), the dump of {@code --dump} (default: the model's dump of the default corpus, known once the model
 * is loaded), the index and backend. Not a command: search, eval-open, serve and the load test share it.
 */
public final class Sessions {
  private Sessions() {}

  /**
   * Opens a session as the verbs do.
   *
   * @param dump --dump (null: the model's dump of the default corpus)
   * @param model --model (null: the committed default)
   * @param encoder --encoder and --encoder-threads
   * @param index --index (exact, sq8, pq)
   * @param backend --backend (auto, cuda, simd, scalar)
   * @param defaults the search options of a request that names none
   * @param nprobe --nprobe (null: 64 capped at the index's lists)
   * @return the open session; the caller closes it
   * @throws IOException when the model, dump or index cannot be read
   */
  public static SearchSession open(Path dump, String model, EncoderOptions encoder, String index, String backend,
      SearchOptions defaults, Integer nprobe) throws IOException {
    return open(dump, model, encoder, new QuestionEncoderOptions(), index, backend, defaults, nprobe);
  }

  /**
   * Opens a session as the verbs do, the questions encoded where {@code --question-encoder} says.
   *
   * @param dump --dump (null: the model's dump of the default corpus)
   * @param model --model (null: the committed default)
   * @param encoder --encoder and --encoder-threads
   * @param questions --question-encoder (java, cuda, auto)
   * @param index --index (exact, sq8, pq)
   * @param backend --backend (auto, cuda, simd, scalar)
   * @param defaults the search options of a request that names none
   * @param nprobe --nprobe (null: 64 capped at the index's lists)
   * @return the open session; the caller closes it
   * @throws IOException when the model, dump or index cannot be read
   */
  public static SearchSession open(Path dump, String model, EncoderOptions encoder, QuestionEncoderOptions questions,
      String index, String backend, SearchOptions defaults, Integer nprobe) throws IOException {
    String spec = model != null ? model : EncoderModel.defaultModel();
    encoder.check(spec);
    String engine = questions.resolve(spec, encoder.engine);
    SearchSession.Builder b = SearchSession.builder().index(index).backend(Backend.of(backend)).defaults(defaults)
        .encoder(() -> load(spec, encoder, engine));
    if (!EncoderModel.resolveEngine(spec, encoder.engine).equals("java") && !Path.of(spec).toFile().exists()) {
      b.expectModelId(EncoderModel.idOf(spec)); // a pretrained name: its id is known without loading anything
    }
    if (dump != null) {
      b.dump(dump);
    } else {
      b.dumpForModel(Workspace::defaultDump);
    }
    return open(b, nprobe);
  }

  /**
   * Opens {@code b} with {@code --nprobe} when given; the session's refusal of that nprobe names the flag.
   *
   * @param b the session's builder, everything but nprobe set
   * @param nprobe --nprobe (null: the session's default)
   * @return the open session; the caller closes it
   * @throws IOException when the model, dump or index cannot be read
   */
  static SearchSession open(SearchSession.Builder b, Integer nprobe) throws IOException {
    if (nprobe != null) {
      b.nprobe(nprobe);
    }
    try {
      return b.open();
    } catch (IllegalArgumentException e) {
      if (nprobe != null && e.getMessage() != null && e.getMessage().startsWith("nprobe ")) {
        throw new IllegalArgumentException("--" + e.getMessage(), e); // the flag the user gave
      }
      throw e;
    }
  }

  /**
   * A session over given question vectors (eval-open --question-vectors, or vectors encoded beforehand).
   *
   * @param dump the dump directory
   * @param modelId the model id the vectors were encoded with (checked against the dump's)
   * @param dim the number of floats per vector
   * @param index the index to search, as {@code --index} names it (for example {@code sq8})
   * @param backend the kernel backend name ({@code auto}, {@code scalar}, {@code simd}, {@code cuda})
   * @param defaults the search options of a call that does not give its own
   * @return the session; the caller closes it
   * @throws IOException when the dump or the index cannot be opened
   */
  public static SearchSession openVectors(Path dump, String modelId, int dim, String index, String backend,
      SearchOptions defaults) throws IOException {
    return SearchSession.builder().dump(dump).index(index).backend(Backend.of(backend)).defaults(defaults)
        .nprobe(defaults.nprobe()).vectorsOnly(modelId, dim).open();
  }

  /**
   * The question encoder of {@code spec}: the search module's Java engine, or the DJL engine adapted.
   *
   * @param spec a model directory, export file or pretrained encoder name
   * @param encoder the {@code --encoder} options (engine, threads)
   * @return the question encoder; the caller closes it
   * @throws IOException when the model files cannot be read
   */
  public static QuestionEncoder load(String spec, EncoderOptions encoder) throws IOException {
    return load(spec, encoder, EncoderModel.resolveEngine(spec, encoder.engine));
  }

  /**
   * The question encoder of {@code spec} on a resolved engine ({@link QuestionEncoderOptions#resolve}).
   *
   * @param spec a model directory, export file or pretrained encoder name
   * @param encoder the {@code --encoder} options (threads of the Java engine, the DJL engine's loading)
   * @param engine {@code java}, {@code cuda} (an export on the GPU) or {@code djl}
   * @return the question encoder; the caller closes it
   * @throws IOException when the model files cannot be read
   */
  public static QuestionEncoder load(String spec, EncoderOptions encoder, String engine) throws IOException {
    return switch (engine) {
      case "java" -> JavaQuestionEncoder.load(Path.of(spec), encoder.threads);
      case "cuda" -> CudaQuestionEncoder.load(Path.of(spec));
      default -> new Adapter(encoder.load(spec));
    };
  }

  /** A phrase encoder (the DJL engine) seen as a question encoder. */
  private record Adapter(PhraseEncoder m) implements QuestionEncoder {
    @Override
    public String modelId() {
      return m.id();
    }

    @Override
    public int dim() {
      return m.dim();
    }

    @Override
    public int maxQuestionTokens() {
      return m.maxQuestionTokens();
    }

    @Override
    public int questionTokens(String question) {
      return m.questionTokens(question);
    }

    @Override
    public float[][] encode(List<String> questions, int batchSize) {
      return m.encodeQuestions(questions, batchSize);
    }

    @Override
    public void close() {
      m.close();
    }
  }
}
