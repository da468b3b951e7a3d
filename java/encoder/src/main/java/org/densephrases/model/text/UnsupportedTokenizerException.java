package org.densephrases.model.text;

import java.util.List;

/** A tokenizer.json that the pure-Java {@link WordPieceTokenizer} does not implement; lists every feature it lacks. */
public final class UnsupportedTokenizerException extends IllegalArgumentException {
  /** The unsupported features, one entry each. */
  private final List<String> unsupported;

  /**
   * An error listing every unsupported feature of a tokenizer.json.
   *
   * @param source the tokenizer.json's path or resource, for the message
   * @param unsupported what it uses that the pure-Java tokenizer lacks, one entry per feature
   */
  public UnsupportedTokenizerException(String source, List<String> unsupported) {
    super(source + ": not a BERT WordPiece tokenizer.json that the pure-Java tokenizer supports: "
        + String.join("; ", unsupported));
    this.unsupported = List.copyOf(unsupported);
  }

  /**
   * What is unsupported, one entry per feature (e.g. {@code normalizer type Sequence}).
   *
   * @return an unmodifiable list of the features, as passed to the constructor
   */
  public List<String> unsupported() {
    return unsupported;
  }
}
