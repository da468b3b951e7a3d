package org.densephrases.model.text;

import java.util.List;

/** A tokenizer.json that the pure-Java {@link WordPieceTokenizer} does not implement; lists every feature it lacks. */
public final class UnsupportedTokenizerException extends IllegalArgumentException {
  private final List<String> unsupported;

  public UnsupportedTokenizerException(String source, List<String> unsupported) {
    super(source + ": not a BERT WordPiece tokenizer.json that the pure-Java tokenizer supports: "
        + String.join("; ", unsupported));
    this.unsupported = List.copyOf(unsupported);
  }

  /** What is unsupported, one entry per feature (e.g. {@code normalizer type Sequence}). */
  public List<String> unsupported() {
    return unsupported;
  }
}
