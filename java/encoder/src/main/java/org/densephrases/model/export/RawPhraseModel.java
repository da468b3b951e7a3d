package org.densephrases.model.export;

import com.google.gson.Gson;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.densephrases.model.train.BinaryIo;

/**
 * An exported phrase model as read from {@code phrase-model.dpm}, without any DJL class: model id, metadata and every
 * tensor as float32 values under its export name (fp16 widened, int8 rows dequantized, aliases resolved to the same
 * array). The format is described on java/train's {@code PhraseModelFile}; this class is its reader, and both the
 * DJL loader ({@code PhraseModelFile.load}) and the pure-Java engine ({@code org.densephrases.model.infer}) build on
 * it.
 *
 * @param dtype the storage the file was written with (0 fp32, 1 fp16, 2 int8)
 * @param tensors name -> row-major float32 values, in file order (unmodifiable)
 * @param shapes name -> dims
 * @param file the file the model was read from
 * @param modelId the model's id, written at export time (dumps record it to match questions to phrases)
 * @param meta the model's metadata (encoder shape, windowing)
 */
public record RawPhraseModel(Path file, String modelId, int dtype, PhraseModelMeta meta, Map<String, float[]> tensors,
    Map<String, long[]> shapes) {
  static final byte[] MAGIC = "DPMODEL1".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  public static final String MODEL_FILE = "phrase-model.dpm";
  public static final String TOKENIZER_FILE = "tokenizer.json";
  /** A question-side export's file ({@code densephrases train-query}): same format, question tensors only. */
  public static final String QUESTION_FILE = "question-model.dpm";

  /**
   * The id of the phrase model whose dumps this model's questions search: its own id, or for a question-side export
   * the phrase model it was tuned for.
   *
   * @return {@link PhraseModelMeta#phraseModelId()} when set, else {@link #modelId}
   */
  public String phraseModelId() {
    return meta.isQuestionSide() ? meta.phraseModelId() : modelId;
  }

  /**
   * The tensor's values; an error naming the file when it is absent.
   *
   * @param name the tensor's export name
   * @return its float32 values, row-major
   * @throws IllegalArgumentException when the model has no such tensor
   */
  public float[] tensor(String name) {
    float[] v = tensors.get(name);
    if (v == null) {
      throw new IllegalArgumentException(file + ": tensor " + name + " is missing");
    }
    return v;
  }

  /**
   * The tensor's values, checked against the expected shape.
   *
   * @param name the tensor's export name
   * @param shape the dims the caller expects
   * @return its float32 values, row-major
   * @throws IllegalArgumentException when the tensor is missing or its shape differs
   */
  public float[] tensor(String name, long... shape) {
    float[] v = tensor(name);
    if (!Arrays.equals(shape, shapes.get(name))) {
      throw new IllegalArgumentException(file + ": tensor " + name + " has shape "
          + Arrays.toString(shapes.get(name)) + ", the model expects " + Arrays.toString(shape));
    }
    return v;
  }

  /**
   * The tokenizer.json beside the model file.
   *
   * @return {@code tokenizer.json} in the model file's directory (it may not exist)
   */
  public Path tokenizerFile() {
    return file.resolveSibling(TOKENIZER_FILE);
  }

  /**
   * {@code dirOrFile/phrase-model.dpm} for a directory (or its {@code question-model.dpm} when it holds a question-side
   * export only), else the file itself.
   *
   * @param dirOrFile a model directory or an export file
   * @return the export file to read
   */
  public static Path modelFile(Path dirOrFile) {
    if (!Files.isDirectory(dirOrFile)) {
      return dirOrFile;
    }
    Path q = dirOrFile.resolve(QUESTION_FILE);
    if (!Files.exists(dirOrFile.resolve(MODEL_FILE)) && Files.isRegularFile(q)) {
      return q;
    }
    return dirOrFile.resolve(MODEL_FILE);
  }

  /**
   * True when {@code dirOrFile} is (or holds) a file that starts like an exported model.
   *
   * @param dirOrFile a model directory or an export file
   * @return true when the resolved {@link #modelFile(Path)} is a regular file
   */
  public static boolean isExport(Path dirOrFile) {
    Path f = modelFile(dirOrFile);
    return Files.isRegularFile(f);
  }

  /**
   * Reads magic, version and model id at the start of an export, without reading the weights.
   *
   * @param dirOrFile a model directory or an export file
   * @return the model id in the header
   * @throws IOException when the file is missing, unreadable or not an export of a supported version
   */
  public static String readModelId(Path dirOrFile) throws IOException {
    return readHeader(dirOrFile, false);
  }

  /**
   * The id of the phrase model whose dumps the export's questions search, from its header (the weights are not
   * read): its own id, or for a question-side export the phrase model it was tuned for.
   *
   * @param dirOrFile a model directory or an export file
   * @return the phrase model id its questions search
   * @throws IOException when the file is missing, unreadable or not an export of a supported version
   */
  public static String readPhraseModelId(Path dirOrFile) throws IOException {
    return readHeader(dirOrFile, true);
  }

  private static String readHeader(Path dirOrFile, boolean phraseModel) throws IOException {
    Path file = modelFile(dirOrFile);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "exported phrase model not found");
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + " is not an exported phrase model (bad magic)");
      }
      int version = Integer.reverseBytes(in.readInt());
      if (version != VERSION) {
        throw new IllegalArgumentException(file + ": format version " + version + ", this build reads " + VERSION);
      }
      String id = headerString(in, file, 4096, "model id");
      if (!phraseModel) {
        return id;
      }
      in.readInt(); // hidden
      in.readInt(); // dtype
      PhraseModelMeta meta = new Gson().fromJson(headerString(in, file, 1 << 20, "metadata"), PhraseModelMeta.class);
      return meta != null && meta.isQuestionSide() ? meta.phraseModelId() : id;
    } catch (EOFException e) {
      throw new IllegalArgumentException(file + " is truncated (no model id)", e);
    }
  }

  private static String headerString(DataInputStream in, Path file, int max, String what) throws IOException {
    int len = Integer.reverseBytes(in.readInt());
    if (len < 1 || len > max) {
      throw new IllegalArgumentException(file + ": bad " + what + " length " + len);
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Reads and checks a whole export: magic, version, dtype, header/metadata agreement, every tensor's size against its
   * shape, aliases, and the trailing CRC32C (a corrupt or truncated file is an IOException).
   *
   * @param dirOrFile a model directory or an export file
   * @return the model with every tensor widened to float32
   * @throws IOException when the file is missing, truncated, corrupt (CRC32C) or inconsistent
   */
  public static RawPhraseModel read(Path dirOrFile) throws IOException {
    Path file = modelFile(dirOrFile);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file + " (exported phrase model) does not exist");
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    try (BinaryIo.In in = new BinaryIo.In(new BufferedInputStream(Files.newInputStream(file), 1 << 20),
        file.toString())) {
      byte[] magic = in.bytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + " is not an exported phrase model (bad magic)");
      }
      int version = in.i32();
      if (version != VERSION) {
        throw new IllegalArgumentException(file + ": format version " + version + ", this build reads " + VERSION);
      }
      String modelId = in.str();
      int hidden = in.i32();
      int dtype = in.i32();
      if (dtype < 0 || dtype > 2) {
        throw new IllegalArgumentException(file + ": unknown dtype " + dtype);
      }
      PhraseModelMeta meta = new Gson().fromJson(in.str(), PhraseModelMeta.class);
      if (meta == null || meta.bert() == null || meta.bert().hiddenSize() != hidden) {
        throw new IllegalArgumentException(file + ": header hidden size " + hidden + " disagrees with its metadata");
      }
      if (!"shared".equals(meta.layout()) && !"paper".equals(meta.layout())) {
        throw new IllegalArgumentException(file + ": unknown layout '" + meta.layout() + "' (shared or paper)");
      }
      if (meta.isQuestionSide() && !meta.isShared()) {
        throw new IllegalArgumentException(file + ": a question-side export must have the shared layout, not '"
            + meta.layout() + "'");
      }
      int n = in.i32();
      for (int i = 0; i < n; i++) {
        String name = in.str();
        int storage = in.i32();
        int rank = in.i32();
        if (rank < 0 || rank > 8) {
          throw new IllegalArgumentException(file + ": tensor " + name + " has rank " + rank);
        }
        long[] shape = new long[rank];
        long size = 1;
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.i64();
          if (shape[d] < 0) {
            throw new IllegalArgumentException(file + ": tensor " + name + " has a negative dimension");
          }
          size *= shape[d];
        }
        float[] v = switch (storage) {
          case 0 -> in.floats();
          case 1 -> fromHalf(in.shorts());
          case 2 -> {
            if (shape.length != 2) {
              throw new IllegalArgumentException(file + ": int8 tensor " + name + " is not 2-D");
            }
            float[] scales = in.floats();
            byte[] q = in.bytes(in.i32());
            if (scales.length != shape[0] || q.length != size) {
              throw new IllegalArgumentException(file + ": int8 tensor " + name + " has " + scales.length
                  + " scales and " + q.length + " values, shape " + Arrays.toString(shape));
            }
            yield new Int8Rows(scales, q, (int) shape[1]).dequantize();
          }
          case 3 -> {
            String target = in.str();
            float[] t = values.get(target);
            if (t == null) {
              throw new IllegalArgumentException(file + ": tensor " + name + " aliases unknown tensor " + target);
            }
            yield t;
          }
          default -> throw new IllegalArgumentException(file + ": tensor " + name + " has unknown storage "
              + storage);
        };
        if (v.length != size) {
          throw new IllegalArgumentException(file + ": tensor " + name + " has " + v.length + " values, shape "
              + Arrays.toString(shape) + " needs " + size);
        }
        values.put(name, v);
        shapes.put(name, shape);
      }
      in.verify();
      return new RawPhraseModel(file, modelId, dtype, meta, Collections.unmodifiableMap(values),
          Collections.unmodifiableMap(shapes));
    }
  }

  static short[] toHalf(float[] v) {
    short[] out = new short[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToFloat16(v[i]);
    }
    return out;
  }

  static float[] fromHalf(short[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.float16ToFloat(v[i]);
    }
    return out;
  }
}
