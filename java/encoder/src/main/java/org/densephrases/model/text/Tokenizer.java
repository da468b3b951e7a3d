package org.densephrases.model.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.densephrases.model.onnx.Resources;

/**
 * A BERT WordPiece tokenizer (the model's HuggingFace tokenizer.json) that returns tokens with character offsets in
 * Java string indices, without special tokens; windowing and padding are done by {@link PassageEncoder} and the
 * batch code (padding and truncation in the file are ignored).
 *
 * <p>Two implementations give the same ids and offsets: {@link WordPieceTokenizer}, pure Java (the default for the
 * BERT WordPiece configurations it supports), and DJL's binding of the native HuggingFace tokenizers library
 * ({@code HfTokenizerBackend}, used when the pure-Java one does not support the file and DJL's tokenizers jar is on
 * the classpath). The system property {@code densephrases.tokenizer=java|hf} forces one and fails if it cannot be
 * used; {@code auto} (or unset) chooses as above. The pure-Java path never loads a DJL class: the HF backend is
 * loaded by name only when chosen.
 */
public final class Tokenizer implements AutoCloseable {
  /** The system property that forces an implementation: {@code java}, {@code hf} or {@code auto}. */
  public static final String PROPERTY = "densephrases.tokenizer";

  private static final String HF_BACKEND = "org.densephrases.model.text.HfTokenizerBackend";
  private static final String HF_CLASS = "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer";

  /** Which implementation to use. */
  public enum Implementation {
    /** The pure-Java one when it supports the file, else HF when on the classpath. */
    AUTO,
    /** {@link WordPieceTokenizer}; fails on a file it does not support. */
    JAVA,
    /** DJL's HuggingFace tokenizers (native); fails when DJL's tokenizers jar is not on the classpath. */
    HF;

    /**
     * From {@value #PROPERTY}: unset, empty or {@code auto} is AUTO.
     *
     * @return the implementation the property asks for
     */
    public static Implementation fromSystemProperty() {
      String v = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "", "auto" -> AUTO;
        case "java" -> JAVA;
        case "hf" -> HF;
        default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be java, hf or auto, got '"
            + System.getProperty(PROPERTY) + "'");
      };
    }
  }

  /** What an implementation provides; package-private so that the choice stays here. */
  interface Backend extends AutoCloseable {
    String name();

    long clsId();

    long sepId();

    Tokens tokenize(String text);

    String[] tokenStrings(String text);

    @Override
    void close();
  }

  private final Backend backend;
  private final String source;
  private final String note;

  private Tokenizer(Backend backend, String source, String note) {
    this.backend = backend;
    this.source = source;
    this.note = note;
  }

  /**
   * Loads a tokenizer.json from the classpath, e.g. {@code PretrainedModels.MINILM_L6.tokenizerResource()}.
   *
   * @param resource a classpath resource path to a tokenizer.json
   * @return the tokenizer, with the implementation chosen by {@link Implementation#fromSystemProperty()}
   */
  public static Tokenizer fromResource(String resource) {
    return fromResource(resource, Implementation.fromSystemProperty());
  }

  /**
   * Loads a tokenizer.json from the classpath with the given implementation.
   *
   * @param resource a classpath resource path to a tokenizer.json
   * @param implementation which implementation to use (AUTO chooses)
   * @return a tokenizer over the resource's vocabulary; close it to free a native HF tokenizer
   */
  public static Tokenizer fromResource(String resource, Implementation implementation) {
    return fromJson(resourceBytes(resource), "classpath:" + resource, implementation);
  }

  /**
   * Loads a tokenizer.json file (e.g. the one beside an exported model).
   *
   * @param file the tokenizer.json path
   * @return the tokenizer, with the implementation chosen by {@link Implementation#fromSystemProperty()}
   */
  public static Tokenizer fromFile(Path file) {
    return fromFile(file, Implementation.fromSystemProperty());
  }

  /**
   * Loads a tokenizer.json file with the given implementation.
   *
   * @param file the tokenizer.json path
   * @param implementation which implementation to use (AUTO chooses)
   * @return a tokenizer over the file's vocabulary; close it to free a native HF tokenizer
   */
  public static Tokenizer fromFile(Path file, Implementation implementation) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " (tokenizer.json) does not exist");
    }
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + file, e);
    }
    return fromJson(json, file.toString(), implementation);
  }

  /**
   * A tokenizer from tokenizer.json bytes; {@code source} names them in errors and {@link #source()}.
   *
   * @param json the UTF-8 bytes of a tokenizer.json
   * @param source a name for the bytes (a path or resource)
   * @param implementation which implementation to use (AUTO chooses)
   * @return a tokenizer over the bytes' vocabulary; close it to free a native HF tokenizer
   */
  public static Tokenizer fromJson(byte[] json, String source, Implementation implementation) {
    switch (implementation) {
      case JAVA:
        return new Tokenizer(WordPieceTokenizer.fromJson(json, source), source, "pure-Java WordPiece");
      case HF:
        if (!hfAvailable()) {
          throw new IllegalStateException("-D" + PROPERTY + "=hf, but DJL's HuggingFace tokenizers "
              + "(ai.djl.huggingface:tokenizers) are not on the classpath");
        }
        return new Tokenizer(loadHf(json, source), source, "HuggingFace tokenizers (forced)");
      default:
        try {
          return new Tokenizer(WordPieceTokenizer.fromJson(json, source), source, "pure-Java WordPiece");
        } catch (UnsupportedTokenizerException e) {
          if (!hfAvailable()) {
            throw new IllegalArgumentException(e.getMessage() + "; and DJL's HuggingFace tokenizers "
                + "(ai.djl.huggingface:tokenizers), the fallback, are not on the classpath", e);
          }
          return new Tokenizer(loadHf(json, source), source,
              "HuggingFace tokenizers (pure Java does not support: " + String.join("; ", e.unsupported()) + ")");
        }
    }
  }

  /**
   * The raw tokenizer.json bytes of a classpath resource (to ship beside an exported model).
   *
   * @param resource a classpath resource path
   * @return its bytes
   */
  public static byte[] resourceBytes(String resource) {
    try (InputStream in = Resources.open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + resource, e);
    }
  }

  /**
   * Whether DJL's HuggingFace tokenizers are on the classpath (loads, but does not initialize, its class).
   *
   * @return true when the HF tokenizer class can be loaded
   */
  public static boolean hfAvailable() {
    try {
      Class.forName(HF_CLASS, false, Tokenizer.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static Backend loadHf(byte[] json, String source) {
    try {
      Class<?> c = Class.forName(HF_BACKEND, true, Tokenizer.class.getClassLoader());
      var ctor = c.getDeclaredConstructor(byte[].class, String.class);
      return (Backend) ctor.newInstance(json, source);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("cannot load the HuggingFace tokenizer for " + source, e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("cannot load the HuggingFace tokenizer for " + source + ": " + e, e);
    }
  }

  /**
   * JAVA or HF: the implementation in use.
   *
   * @return {@link Implementation#JAVA} or {@link Implementation#HF}, never AUTO
   */
  public Implementation implementation() {
    return backend.name().equals("hf") ? Implementation.HF : Implementation.JAVA;
  }

  /**
   * The implementation in words, with why HF was chosen when it was a fallback.
   *
   * @return a one-line description for logs
   */
  public String describe() {
    return note;
  }

  /** {@return the id of {@code [CLS]}} */
  public long clsId() {
    return backend.clsId();
  }

  /** {@return the id of {@code [SEP]}} */
  public long sepId() {
    return backend.sepId();
  }

  /** {@return the id of {@code [PAD]}} */
  public long padId() {
    return 0;
  }

  /** {@return where the tokenizer.json came from (path or resource), for errors} */
  public String source() {
    return source;
  }

  /**
   * WordPiece tokens of {@code text}, no special tokens, offsets as Java string indices.
   *
   * @param text the text to split (any length; no special tokens are added)
   * @return its tokens with character offsets
   */
  public Tokens tokenize(String text) {
    return backend.tokenize(text);
  }

  /**
   * The token strings (for debugging and tests).
   *
   * @param text the text to split
   * @return the WordPiece strings of its tokens, in order
   */
  public String[] tokenStrings(String text) {
    return backend.tokenStrings(text);
  }

  /** Maps code-point index -> UTF-16 index (length codePoints + 1), or null when the two coincide. */
  static int[] codePointToCharIndex(String text) {
    int cps = text.codePointCount(0, text.length());
    if (cps == text.length()) {
      return null;
    }
    int[] map = new int[cps + 1];
    int c = 0;
    for (int cp = 0; cp < cps; cp++) {
      map[cp] = c;
      c += Character.charCount(text.codePointAt(c));
    }
    map[cps] = c;
    return map;
  }

  @Override
  public void close() {
    backend.close();
  }
}
