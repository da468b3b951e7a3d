package org.densephrases.app.encode;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.export.PhraseModelFile;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;

/**
 * The phrase model the app encodes with (DJL, CPU): passages into dump documents, questions into (q_start, q_end).
 *
 * <p>Which model: {@code --model} names a trained model exported by java/model ({@code densephrases export}: a
 * directory with {@code phrase-model.dpm} and {@code tokenizer.json}, read by PhraseModelFile; its windows and
 * question length come from the export) or a pretrained encoder ({@code all-minilm-l6-v2}, ...: phrase and question
 * encoders are the pretrained BERT, the filter head is untrained and seeded, so the pipeline runs end to end but
 * answers are a floor, not a result). The model id goes into every dump and question-vector file, so a dump is never
 * searched with another model's questions.
 */
public final class EncoderModel implements AutoCloseable {
  /** Questions longer than this many characters are refused (before tokenization). */
  public static final int MAX_QUESTION_CHARS = 512;
  /** Question tokens including [CLS] and [SEP] (DensePhrases: 64); longer questions are cut, with a note. */
  public static final int MAX_QUESTION_TOKENS = 64;
  /** The seed of the untrained heads' initialisation, so that every process builds the same model. */
  static final long SEED = 42;

  private final String id;
  private final PhraseModel model;
  private final Tokenizer tokenizer;
  private final WindowConfig windows;
  private final NDManager manager;
  private final PassageEncoder passages;
  private final QuestionEncoder questions;
  private final int maxQuestionTokens;

  private EncoderModel(String id, PhraseModel model, Tokenizer tokenizer, WindowConfig windows, NDManager manager,
      int maxQuestionTokens) {
    this.id = id;
    this.maxQuestionTokens = maxQuestionTokens;
    this.model = model;
    this.tokenizer = tokenizer;
    this.windows = windows;
    this.manager = manager;
    this.passages = new PassageEncoder(tokenizer, windows);
    this.questions = new QuestionEncoder(tokenizer, maxQuestionTokens);
  }

  /** Where a committed trained model is looked for, in order (relative to the working directory). */
  public static final List<String> DEFAULT_MODEL_DIRS =
      List.of("models/minilm-shared", "models/default", "models/phrase-model", "models");

  /**
   * The committed default: the first of {@link #DEFAULT_MODEL_DIRS} holding an exported model
   * ({@code phrase-model.dpm}, java/model's PhraseModelFile), else pretrained MiniLM with untrained heads.
   */
  public static String defaultModel() {
    for (String p : DEFAULT_MODEL_DIRS) {
      if (Files.isRegularFile(Path.of(p, PhraseModelFile.MODEL_FILE))) {
        return p;
      }
    }
    return PretrainedModels.MINILM_L6.name();
  }

  /**
   * The model id that {@code spec} loads, without loading the weights (for file names and mismatch checks): an
   * export's id is read from its header, a pretrained encoder's is {@code <name>+untrained-heads}.
   */
  public static String idOf(String spec) throws IOException {
    if (isPath(spec)) {
      return exportedModelId(Path.of(spec));
    }
    return PretrainedModels.byName(spec).name() + "+untrained-heads";
  }

  private static boolean isPath(String spec) {
    return spec.contains("/") || spec.endsWith(".dpm") || Files.isDirectory(Path.of(spec));
  }

  /** Reads magic, version and model id at the start of an export (PhraseModelFile's layout). */
  static String exportedModelId(Path dirOrFile) throws IOException {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(PhraseModelFile.MODEL_FILE) : dirOrFile;
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "exported phrase model not found");
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      byte[] magic = new byte[8];
      in.readFully(magic);
      if (!new String(magic, StandardCharsets.US_ASCII).equals("DPMODEL1")) {
        throw new IllegalArgumentException(file + " is not an exported phrase model (bad magic)");
      }
      in.readInt(); // version: PhraseModelFile.load checks it
      int len = Integer.reverseBytes(in.readInt());
      if (len < 1 || len > 4096) {
        throw new IllegalArgumentException(file + ": bad model id length " + len);
      }
      byte[] id = new byte[len];
      in.readFully(id);
      return new String(id, StandardCharsets.UTF_8);
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException(file + " is truncated (no model id)", e);
    }
  }

  /** Loads the model named by {@code spec} (see the class comment). */
  public static EncoderModel load(String spec) throws IOException {
    if (isPath(spec)) {
      PhraseModelFile.Loaded l = PhraseModelFile.load(Path.of(spec));
      return new EncoderModel(l.modelId(), l.model(), l.tokenizer(), l.meta().windows(), l.manager(),
          Math.min(MAX_QUESTION_TOKENS, l.meta().maxQuestionLength()));
    }
    PretrainedModels.Pretrained p = PretrainedModels.byName(spec);
    PhraseModel m = PhraseModel.fromPretrained(p.loadWeights(), 0f);
    NDManager manager = NDManager.newBaseManager();
    try {
      Engine.getInstance().setRandomSeed((int) SEED); // the untrained filter head: same in every process
      m.initialize(manager, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
      return new EncoderModel(idOf(spec), m, Tokenizer.fromResource(p.tokenizerResource()), WindowConfig.DEFAULT,
          manager, MAX_QUESTION_TOKENS);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Question tokens including [CLS] and [SEP] this model encodes. */
  public int maxQuestionTokens() {
    return maxQuestionTokens;
  }

  public String id() {
    return id;
  }

  public int dim() {
    return model.hiddenSize();
  }

  public WindowConfig windows() {
    return windows;
  }

  /** Word pieces of a question (without [CLS]/[SEP]), to tell the user when it is cut. */
  public int questionTokens(String q) {
    return tokenizer.tokenize(q).size();
  }

  /**
   * Encodes paragraphs into dump documents. Windows of all paragraphs are batched together, sorted by length; each
   * context token takes its vector and filter score from the window that gives it the most context (BERT's rule),
   * so a long paragraph becomes one vector per token. Filter score = max(start logit, end logit) of the filter head.
   *
   * @param batchWindows windows per forward pass
   * @return one document per paragraph, in order (a paragraph without tokens gives a document with none)
   */
  public List<DocumentInput> encodeDocuments(List<CorpusParagraph> paras, int batchWindows) {
    int h = dim();
    List<EncodedPassage> enc = new ArrayList<>(paras.size());
    List<PassageWindow> all = new ArrayList<>();
    List<int[]> owner = new ArrayList<>(); // window -> {paragraph}
    for (int i = 0; i < paras.size(); i++) {
      EncodedPassage e = passages.encode(paras.get(i).title(), paras.get(i).text());
      enc.add(e);
      for (PassageWindow w : e.windows()) {
        all.add(w);
        owner.add(new int[] {i});
      }
    }
    float[][] vec = new float[paras.size()][];
    float[][] filt = new float[paras.size()][];
    for (int i = 0; i < paras.size(); i++) {
      int n = enc.get(i).context().size();
      vec[i] = new float[n * h];
      filt[i] = new float[n];
    }
    Integer[] order = new Integer[all.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> all.get(i).length()));
    for (int b = 0; b < order.length; b += batchWindows) {
      int n = Math.min(order.length, b + batchWindows) - b;
      List<PassageWindow> chunk = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        chunk.add(all.get(order[b + k]));
      }
      Batch batch = Batch.ofWindows(chunk, tokenizer.padId());
      try (NDManager sub = manager.newSubManager()) {
        NDList out = model.encodePassages(new ParameterStore(sub, false), sub.create(batch.ids()),
            sub.create(batch.typeIds()), sub.create(batch.mask()), false);
        float[] v = out.get(0).toFloatArray(); // (B)(T)(H)
        float[] f = out.get(1).toFloatArray(); // (B)(T)(2)
        int t = batch.length();
        for (int r = 0; r < n; r++) {
          PassageWindow w = chunk.get(r);
          int p = owner.get(order[b + r])[0];
          for (int i = 0; i < w.count(); i++) {
            if (!w.maxContext()[i]) {
              continue;
            }
            int tok = w.firstContextToken() + i;
            int pos = r * t + w.contextOffset() + i;
            System.arraycopy(v, pos * h, vec[p], tok * h, h);
            filt[p][tok] = Math.max(f[pos * 2], f[pos * 2 + 1]);
          }
        }
      }
    }
    List<DocumentInput> docs = new ArrayList<>(paras.size());
    for (int i = 0; i < paras.size(); i++) {
      CorpusParagraph c = paras.get(i);
      EncodedPassage e = enc.get(i);
      docs.add(new DocumentInput(c.id(), c.title(), c.text(), vec[i], filt[i], e.context().charStart(),
          e.context().charEnd()));
    }
    return docs;
  }

  /**
   * Encodes questions in length-sorted batches.
   *
   * @return {qStart, qEnd}, each (question)(dim)
   */
  public float[][] encodeQuestions(List<String> qs, int batchSize) {
    int h = dim();
    int nq = qs.size();
    float[][] out = {new float[nq * h], new float[nq * h]};
    List<long[]> ids = new ArrayList<>(nq);
    for (String q : qs) {
      ids.add(questions.encode(q));
    }
    Integer[] order = new Integer[nq];
    for (int i = 0; i < nq; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
    for (int b = 0; b < nq; b += batchSize) {
      int n = Math.min(nq, b + batchSize) - b;
      List<long[]> rows = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        rows.add(ids.get(order[b + k]));
      }
      Batch batch = Batch.pad(rows, null, tokenizer.padId());
      try (NDManager sub = manager.newSubManager()) {
        NDList enc = model.encodeQuestions(new ParameterStore(sub, false), sub.create(batch.ids()),
            sub.create(batch.typeIds()), sub.create(batch.mask()), false);
        for (int side = 0; side < 2; side++) {
          float[] v = enc.get(side).toFloatArray();
          for (int k = 0; k < n; k++) {
            System.arraycopy(v, k * h, out[side], order[b + k] * h, h);
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    tokenizer.close();
    manager.close();
  }
}
