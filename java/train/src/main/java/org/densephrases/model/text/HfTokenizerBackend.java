package org.densephrases.model.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The tokenizer through DJL's binding of the HuggingFace tokenizers library (native code). {@link Tokenizer} loads
 * this class by name only when it is chosen, so that the pure-Java path never loads a DJL class.
 *
 * <p>The tokenizer.json files shipped with the model jars fix padding and truncation at 128 tokens; both are switched
 * off here. The native tokenizer reports offsets in Unicode code points; a text with characters outside the BMP
 * (emoji, some CJK) has them converted to UTF-16 indices so that {@code text.substring(charStart, charEnd)} is the
 * token's text.
 */
final class HfTokenizerBackend implements Tokenizer.Backend {
  private final HuggingFaceTokenizer hf;
  private final String source;
  private final long clsId;
  private final long sepId;

  /** Called reflectively by {@link Tokenizer}. */
  HfTokenizerBackend(byte[] json, String source) {
    this.source = source;
    try {
      hf = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json),
          Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "false"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokenizer " + source, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " is not a valid tokenizer.json: " + e.getMessage(), e);
    }
    Encoding empty = hf.encode("", true, false);
    long[] ids = empty.getIds();
    String[] toks = empty.getTokens();
    if (ids.length != 2 || !toks[0].equals("[CLS]") || !toks[1].equals("[SEP]")) {
      hf.close();
      throw new IllegalArgumentException(source + ": expected a BERT tokenizer whose template is [CLS] A [SEP], got "
          + String.join(" ", toks) + " for empty text");
    }
    clsId = ids[0];
    sepId = ids[1];
  }

  @Override
  public String name() {
    return "hf";
  }

  @Override
  public long clsId() {
    return clsId;
  }

  @Override
  public long sepId() {
    return sepId;
  }

  @Override
  public Tokens tokenize(String text) {
    Encoding e = hf.encode(text, false, false);
    long[] ids = e.getIds();
    CharSpan[] spans = e.getCharTokenSpans();
    int[] start = new int[ids.length];
    int[] end = new int[ids.length];
    int[] cpToChar = Tokenizer.codePointToCharIndex(text);
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

  @Override
  public String[] tokenStrings(String text) {
    return hf.encode(text, false, false).getTokens();
  }

  @Override
  public void close() {
    hf.close();
  }
}
