package org.densephrases.model.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.train.BinaryIo;
import org.densephrases.model.train.Checkpoints;

/**
 * The exported phrase model: what the dump and search side load. A directory with {@code phrase-model.dpm} (this
 * format) and {@code tokenizer.json} (the HuggingFace tokenizer the model was trained with).
 *
 * <pre>
 *   magic "DPMODEL1" | i32 version (1) | str modelId | i32 hidden | i32 dtype (0 fp32, 1 fp16, 2 int8)
 *   | str meta json ({@link PhraseModelMeta}) | i32 tensors
 *   | per tensor: str name | i32 storage | i32 rank | i64 dims...
 *       storage 0 fp32: floats
 *       storage 1 fp16: shorts (IEEE half)
 *       storage 2 int8 rows: floats scales (dims[0]) | i32 n | n bytes; value = byte * scale[row]
 *       storage 3 alias: str name of an identical tensor stored earlier
 *   | i64 crc32c of everything before
 * </pre>
 *
 * <p>All little-endian (strings: i32 byte length + UTF-8; arrays: i32 count + values). Tensor names: {@code phrase.},
 * {@code question.} (shared layout) or {@code question_start.} / {@code question_end.} (paper layout) + the
 * HuggingFace BERT name; {@code q_start.weight|bias}, {@code q_end.weight|bias} (shared layout heads, (H)(H) and
 * (H)), {@code filter.weight|bias} ((2)(H), (2)). In int8 files only rank-2 tensors are quantized (per row, symmetric,
 * scale = max|row| / 127); vectors (biases, LayerNorm) stay fp32. Encoders trained with frozen word embeddings store
 * them once: the others are aliases.
 *
 * <p>Reading (and every check of a file) is {@link RawPhraseModel}'s, which loads no DJL class; this class adds the
 * DJL side: writing a PhraseModel and loading one.
 */
public final class PhraseModelFile {
  static final byte[] MAGIC = RawPhraseModel.MAGIC;
  static final int VERSION = RawPhraseModel.VERSION;
  /** The exported model's file name in a model directory. */
  public static final String MODEL_FILE = RawPhraseModel.MODEL_FILE;
  /** The tokenizer's file name in a model directory. */
  public static final String TOKENIZER_FILE = RawPhraseModel.TOKENIZER_FILE;

  private PhraseModelFile() {}

  /** How tensors are stored: float32, float16, or int8 rows with one float scale each. */
  public enum Dtype {
    /** Every tensor as float32. */
    FP32,
    /** Matrices as float16; vectors stay float32. */
    FP16,
    /** Matrix rows as int8 with one float32 scale per row (some tensors may be kept in fp16); vectors float32. */
    INT8
  }

  /**
   * A loaded model: initialised, inference-ready (dropout 0), with its tokenizer. Close to free both.
   *
   * @param modelId the model's id
   * @param meta its metadata
   * @param model the DJL model, initialised, dropout 0
   * @param tokenizer its tokenizer
   * @param manager the manager that owns the parameters
   */
  public record Loaded(String modelId, PhraseModelMeta meta, PhraseModel model, Tokenizer tokenizer,
      NDManager manager) implements AutoCloseable {
    @Override
    public void close() {
      manager.close();
      tokenizer.close();
    }
  }

  /**
   * Every tensor of the model under its export name (float32 values).
   *
   * @param m the model (initialised)
   * @return export name to values, in export order
   */
  public static Map<String, float[]> tensors(PhraseModel m) {
    Map<String, float[]> out = new LinkedHashMap<>();
    put(out, "phrase.", m.phraseEncoder());
    if (m.isShared()) {
      put(out, "question.", m.questionStartEncoder());
      Parameter[] h = m.questionHeads();
      out.put("q_start.weight", h[0].getArray().toFloatArray());
      out.put("q_start.bias", h[1].getArray().toFloatArray());
      out.put("q_end.weight", h[2].getArray().toFloatArray());
      out.put("q_end.bias", h[3].getArray().toFloatArray());
    } else {
      put(out, "question_start.", m.questionStartEncoder());
      put(out, "question_end.", m.questionEndEncoder());
    }
    out.put("filter.weight", m.filterHead()[0].getArray().toFloatArray());
    out.put("filter.bias", m.filterHead()[1].getArray().toFloatArray());
    return out;
  }

  private static void put(Map<String, float[]> out, String prefix, BertEncoderBlock e) {
    e.namedParameters().forEach((k, p) -> out.put(prefix + k, p.getArray().toFloatArray()));
  }

  private static Map<String, Parameter> parameters(PhraseModel m) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    m.phraseEncoder().namedParameters().forEach((k, p) -> out.put("phrase." + k, p));
    if (m.isShared()) {
      m.questionStartEncoder().namedParameters().forEach((k, p) -> out.put("question." + k, p));
      Parameter[] h = m.questionHeads();
      out.put("q_start.weight", h[0]);
      out.put("q_start.bias", h[1]);
      out.put("q_end.weight", h[2]);
      out.put("q_end.bias", h[3]);
    } else {
      m.questionStartEncoder().namedParameters().forEach((k, p) -> out.put("question_start." + k, p));
      m.questionEndEncoder().namedParameters().forEach((k, p) -> out.put("question_end." + k, p));
    }
    out.put("filter.weight", m.filterHead()[0]);
    out.put("filter.bias", m.filterHead()[1]);
    return out;
  }

  /**
   * Tensors an int8 export keeps in fp16 by default: the question start/end heads and the filter head. The start/end
   * heads start at the identity and learn small off-diagonal terms; per-row int8 (scale = max|row| / 127, the
   * diagonal) rounds those to zero, which cost 5.7 F1 on SQuAD dev (150 paragraphs, step-440 model: F1 45.1 fp32,
   * 39.4 all-int8, 45.1 with these in fp16, +0.3 MB).
   */
  public static final String DEFAULT_FP16_TENSORS = "(q_start|q_end|filter)\\..*";

  /**
   * Writes {@code dir/phrase-model.dpm} (atomically) and {@code dir/tokenizer.json}; an int8 export keeps
   * {@link #DEFAULT_FP16_TENSORS} in fp16. Returns the model file.
   *
   * @param m the model to export (initialised)
   * @param modelId the id written into the file (dumps record it)
   * @param meta the metadata written into the header
   * @param dtype the storage of matrices
   * @param tokenizerJson the bytes of the model's tokenizer.json
   * @param dir the directory to write into (created when missing)
   * @return the model file written
   * @throws IOException when a file cannot be written
   */
  public static Path write(PhraseModel m, String modelId, PhraseModelMeta meta, Dtype dtype, byte[] tokenizerJson,
      Path dir) throws IOException {
    return write(m, modelId, meta, dtype, java.util.regex.Pattern.compile(DEFAULT_FP16_TENSORS).asMatchPredicate(),
        tokenizerJson, dir);
  }

  /**
   * As {@link #write(PhraseModel, String, PhraseModelMeta, Dtype, byte[], Path)}, storing the tensors whose export name
   * {@code keepFp16} accepts as fp16 in an int8 file (a mixed file: storage is chosen per tensor, the header's dtype
   * names the default).
   *
   * @param m the model to export (initialised)
   * @param modelId the id written into the file
   * @param meta the metadata written into the header
   * @param dtype the default storage of matrices
   * @param keepFp16 which export names to store in fp16 in an int8 file
   * @param tokenizerJson the bytes of the model's tokenizer.json
   * @param dir the directory to write into (created when missing)
   * @return the model file written
   * @throws IOException when a file cannot be written
   */
  public static Path write(PhraseModel m, String modelId, PhraseModelMeta meta, Dtype dtype,
      java.util.function.Predicate<String> keepFp16, byte[] tokenizerJson, Path dir) throws IOException {
    return write(m, modelId, meta, dtype, keepFp16, name -> true, MODEL_FILE, tokenizerJson, dir);
  }

  /** Tensors of a question-side export: the question encoder and its start/end heads. */
  static boolean isQuestionTensor(String name) {
    return name.startsWith("question.") || name.startsWith("q_start.") || name.startsWith("q_end.");
  }

  /**
   * Writes a question-side export ({@code dir/question-model.dpm}, atomically, and {@code dir/tokenizer.json}): the
   * shared-layout question encoder and heads of {@code m}, for the phrase model {@code meta.phraseModelId()} (which
   * must be set). The phrase encoder and filter head are not written: passages stay with the phrase model.
   *
   * @param m a shared-layout model whose question side was tuned
   * @param modelId the question-side export's own id
   * @param meta the metadata, with {@code phraseModelId} set
   * @param dtype the storage of matrices
   * @param tokenizerJson the bytes of the tokenizer.json
   * @param dir the directory to write into (created when missing)
   * @return the question model file written
   * @throws IOException when a file cannot be written
   */
  public static Path writeQuestionSide(PhraseModel m, String modelId, PhraseModelMeta meta, Dtype dtype,
      byte[] tokenizerJson, Path dir) throws IOException {
    if (!m.isShared() || m.isTied()) {
      throw new IllegalArgumentException("a question-side export needs an untied shared-layout model");
    }
    if (!meta.isQuestionSide()) {
      throw new IllegalArgumentException("a question-side export's metadata must name its phrase model");
    }
    return write(m, modelId, meta, dtype, java.util.regex.Pattern.compile(DEFAULT_FP16_TENSORS).asMatchPredicate(),
        PhraseModelFile::isQuestionTensor, RawPhraseModel.QUESTION_FILE, tokenizerJson, dir);
  }

  private static Path write(PhraseModel m, String modelId, PhraseModelMeta meta, Dtype dtype,
      java.util.function.Predicate<String> keepFp16, java.util.function.Predicate<String> include, String fileName,
      byte[] tokenizerJson, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(fileName);
    Path tmp = dir.resolve(fileName + ".tmp");
    Map<String, Parameter> params = parameters(m);
    Map<String, float[]> values = new LinkedHashMap<>();
    tensors(m).forEach((k, v) -> {
      if (include.test(k)) {
        values.put(k, v);
      }
    });
    try (BinaryIo.Out o = new BinaryIo.Out(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
      o.bytes(MAGIC);
      o.i32(VERSION);
      o.str(modelId);
      o.i32(m.hiddenSize());
      o.i32(dtype.ordinal());
      o.str(new Gson().toJson(meta));
      o.i32(values.size());
      Map<String, float[]> written = new LinkedHashMap<>();
      for (Map.Entry<String, float[]> e : values.entrySet()) {
        String name = e.getKey();
        float[] v = e.getValue();
        long[] shape = params.get(name).getShape().getShape();
        o.str(name);
        String alias = aliasOf(name, v, written);
        int storage = alias != null ? 3 : dtype == Dtype.FP32 ? 0 : dtype == Dtype.FP16 ? 1
            : keepFp16.test(name) ? 1 : shape.length == 2 ? 2 : 0;
        o.i32(storage);
        o.i32(shape.length);
        for (long d : shape) {
          o.i64(d);
        }
        switch (storage) {
          case 0 -> o.floats(v);
          case 1 -> o.shorts(RawPhraseModel.toHalf(v));
          case 2 -> {
            Int8Rows q = Int8Rows.quantize(v, (int) shape[0], (int) shape[1]);
            o.floats(q.scales());
            o.i32(q.values().length);
            o.bytes(q.values());
          }
          default -> o.str(alias);
        }
        written.put(name, v);
      }
      o.finish();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Path tokTmp = dir.resolve(TOKENIZER_FILE + ".tmp");
    Files.write(tokTmp, tokenizerJson);
    Files.move(tokTmp, dir.resolve(TOKENIZER_FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  /**
   * A tensor equal to the same tensor of an encoder written earlier is stored as an alias of it: word embeddings left
   * frozen (equal across encoders), and every tensor of a tied question encoder (the phrase encoder itself).
   */
  private static String aliasOf(String name, float[] v, Map<String, float[]> written) {
    String local = encoderLocalName(name);
    if (local == null) {
      return null;
    }
    for (Map.Entry<String, float[]> e : written.entrySet()) {
      if (local.equals(encoderLocalName(e.getKey())) && Arrays.equals(e.getValue(), v)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** "embeddings.word_embeddings.weight" for "question.embeddings.word_embeddings.weight"; null outside encoders. */
  private static String encoderLocalName(String name) {
    for (String p : new String[] {"phrase.", "question.", "question_start.", "question_end."}) {
      if (name.startsWith(p)) {
        return name.substring(p.length());
      }
    }
    return null;
  }

  /**
   * Loads a model directory (or its phrase-model.dpm) written by {@link #write} into a DJL PhraseModel. Reading and
   * every check of the file are {@link RawPhraseModel#read}'s (no DJL there: the pure-Java engine uses it alone).
   *
   * @param dirOrFile a model directory or its model file
   * @return the model, inference-ready; the caller closes it
   * @throws IOException when the export is missing, corrupt or inconsistent
   */
  public static Loaded load(Path dirOrFile) throws IOException {
    RawPhraseModel raw = RawPhraseModel.read(dirOrFile);
    if (raw.meta().isQuestionSide()) {
      throw new IllegalArgumentException(raw.file() + " is a question-side export (tuned for phrase model '"
          + raw.meta().phraseModelId() + "'): load it with its phrase model (eval-rc --question-model), or search"
          + " that phrase model's dumps with it (--encoder java)");
    }
    return load(raw, null, 0f, org.densephrases.model.train.TrainDevice.fromEnvironment());
  }

  /**
   * A phrase model (not a question-side export) to train further: encoders with {@code dropout}, on {@code device}; a
   * tied export loads untied (question encoder and phrase encoder start equal and become separate parameters).
   *
   * @param dirOrFile a model directory or its {@code phrase-model.dpm}
   * @param dropout dropout probability in [0, 1) for the encoders
   * @param device the device the parameters live on
   * @return the model and its tokenizer; the caller closes it
   * @throws IOException when the export is missing, corrupt, or a question-side export
   */
  public static Loaded loadForTraining(Path dirOrFile, float dropout, ai.djl.Device device) throws IOException {
    RawPhraseModel raw = RawPhraseModel.read(dirOrFile);
    if (raw.meta().isQuestionSide()) {
      throw new IllegalArgumentException(raw.file() + " is a question-side export, not a phrase model");
    }
    return load(raw, null, dropout, device);
  }

  /**
   * A phrase model with the question side of a question-side export ({@code densephrases train-query}) in place of
   * its own: passages and filter from {@code phraseModel}, questions from {@code questionSide}. Refused, with both ids,
   * when the question side was tuned for another phrase model.
   *
   * @param phraseModel the phrase model's directory or file
   * @param questionSide the question-side export's directory or file
   * @return the combined model; the caller closes it
   * @throws IOException when either export is missing or corrupt, or they do not belong together
   */
  public static Loaded loadWithQuestionSide(Path phraseModel, Path questionSide) throws IOException {
    RawPhraseModel raw = RawPhraseModel.read(phraseModel);
    RawPhraseModel q = RawPhraseModel.read(questionSide);
    if (!q.meta().isQuestionSide()) {
      throw new IllegalArgumentException(q.file() + " is not a question-side export (densephrases train-query writes"
          + " " + RawPhraseModel.QUESTION_FILE + ")");
    }
    if (raw.meta().isQuestionSide()) {
      throw new IllegalArgumentException(raw.file() + " is a question-side export, not a phrase model");
    }
    if (!q.meta().phraseModelId().equals(raw.modelId())) {
      throw new IllegalArgumentException("model id mismatch: the question side " + q.file() + " (" + q.modelId()
          + ") was tuned for phrase model '" + q.meta().phraseModelId() + "', not '" + raw.modelId() + "'");
    }
    return load(raw, q, 0f, org.densephrases.model.train.TrainDevice.fromEnvironment());
  }

  private static Loaded load(RawPhraseModel raw, RawPhraseModel question, float dropout, ai.djl.Device device)
      throws IOException {
    Path file = raw.file();
    PhraseModelMeta meta = raw.meta();
    Map<String, float[]> values = new LinkedHashMap<>(raw.tensors());
    Map<String, long[]> shapes = new LinkedHashMap<>(raw.shapes());
    if (question != null) {
      if (!meta.isShared()) {
        throw new IllegalArgumentException(file + ": a question side loads with a shared-layout phrase model, not '"
            + meta.layout() + "'");
      }
      values.keySet().removeIf(PhraseModelFile::isQuestionTensor);
      question.tensors().forEach((k, v) -> {
        if (!isQuestionTensor(k)) {
          throw new IllegalArgumentException(question.file() + ": unexpected tensor " + k + " in a question side");
        }
        values.put(k, v);
        shapes.put(k, question.shapes().get(k));
      });
    }
    Tokenizer tok = Tokenizer.fromFile(raw.tokenizerFile());
    PhraseModel m = meta.isShared()
        ? PhraseModel.shared(new BertEncoderBlock(meta.bert(), dropout), new BertEncoderBlock(meta.bert(), dropout))
        : new PhraseModel(new BertEncoderBlock(meta.bert(), dropout), new BertEncoderBlock(meta.bert(), dropout),
            new BertEncoderBlock(meta.bert(), dropout));
    Map<String, Parameter> params = parameters(m);
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      float[] v = values.get(e.getKey());
      if (v == null) {
        tok.close();
        throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " is missing");
      }
      long[] want = e.getValue().getShape().getShape();
      if (!Arrays.equals(want, shapes.get(e.getKey()))) {
        tok.close();
        throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " has shape "
            + Arrays.toString(shapes.get(e.getKey())) + ", the model expects " + Arrays.toString(want));
      }
      e.getValue().setInitializer(new Checkpoints.Fixed(v));
    }
    for (String k : values.keySet()) {
      if (!params.containsKey(k)) {
        tok.close();
        throw new IllegalArgumentException(file + ": unexpected tensor " + k + " for a " + meta.layout()
            + "-layout model");
      }
    }
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    m.initialize(manager, DataType.FLOAT32, PhraseModel.inputShapes(1, 8, 8));
    return new Loaded(question != null ? question.modelId() : raw.modelId(), meta, m, tok, manager);
  }
}
