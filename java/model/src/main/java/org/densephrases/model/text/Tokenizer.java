package org.densephrases.model.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.densephrases.model.onnx.Resources;

/**
 * A HuggingFace tokenizer (the model's tokenizer.json, read from the classpath) that returns tokens with character
 * offsets in Java string indices.
 *
 * <p>The tokenizer.json files shipped with the model jars fix padding and truncation at 128 tokens; both are switched
 * off here, because windowing and padding are done by {@link PassageEncoder} and the batch code. The native
 * tokenizer reports offsets in Unicode code points; a text with characters outside the BMP (emoji, some CJK) has them
 * converted to UTF-16 indices so that {@code text.substring(charStart, charEnd)} is the token's text.
 */
public final class Tokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer hf;
  private final String source;
  private final long clsId;
  private final long sepId;
  private final long padId;

  private Tokenizer(HuggingFaceTokenizer hf, String source) {
    this.hf = hf;
    this.source = source;
    Encoding empty = hf.encode("", true, false);
    long[] ids = empty.getIds();
    String[] toks = empty.getTokens();
    if (ids.length != 2 || !toks[0].equals("[CLS]") || !toks[1].equals("[SEP]")) {
      throw new IllegalArgumentException(source + ": expected a BERT tokenizer whose template is [CLS] A [SEP], got "
          + String.join(" ", toks) + " for empty text");
    }
    clsId = ids[0];
    sepId = ids[1];
    padId = 0;
  }

  /** Loads a tokenizer.json from the classpath, e.g. {@code PretrainedModels.MINILM_L6.tokenizerResource()}. */
  public static Tokenizer fromResource(String resource) {
    try (InputStream in = Resources.open(resource)) {
      return new Tokenizer(HuggingFaceTokenizer.newInstance(in,
          Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "false")), "classpath:" + resource);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + resource, e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith("classpath resource")) {
        throw iae;
      }
      throw new IllegalArgumentException("classpath:" + resource + " is not a valid tokenizer.json: " + e.getMessage(),
          e);
    }
  }

  /** Loads a tokenizer.json file (e.g. the one beside an exported model). */
  public static Tokenizer fromFile(java.nio.file.Path file) {
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " (tokenizer.json) does not exist");
    }
    try (InputStream in = java.nio.file.Files.newInputStream(file)) {
      return new Tokenizer(HuggingFaceTokenizer.newInstance(in,
          Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "false")), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + file, e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith(file.toString())) {
        throw iae;
      }
      throw new IllegalArgumentException(file + " is not a valid tokenizer.json: " + e.getMessage(), e);
    }
  }

  /** The raw tokenizer.json bytes of a classpath resource (to ship beside an exported model). */
  public static byte[] resourceBytes(String resource) {
    try (InputStream in = Resources.open(resource)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + resource, e);
    }
  }

  public long clsId() {
    return clsId;
  }

  public long sepId() {
    return sepId;
  }

  public long padId() {
    return padId;
  }

  public String source() {
    return source;
  }

  /** WordPiece tokens of {@code text}, no special tokens, offsets as Java string indices. */
  public Tokens tokenize(String text) {
    Encoding e = hf.encode(text, false, false);
    long[] ids = e.getIds();
    CharSpan[] spans = e.getCharTokenSpans();
    int[] start = new int[ids.length];
    int[] end = new int[ids.length];
    int[] cpToChar = codePointToCharIndex(text);
    for (int i = 0; i < ids.length; i++) {
      CharSpan s = spans[i];
      if (s == null) {
        throw new IllegalStateException(source + ": token " + i + " of a text has no character span");
      }
      start[i] = cpToChar == null ? s.getStart() : cpToChar[s.getStart()];
      end[i] = cpToChar == null ? s.getEnd() : cpToChar[s.getEnd()];
    }
    return new Tokens(ids, start, end);
  }

  /** The token strings (for debugging and tests). */
  public String[] tokenStrings(String text) {
    return hf.encode(text, false, false).getTokens();
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
    hf.close();
  }
}
