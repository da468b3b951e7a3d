package org.densephrases.model.text;

import org.densephrases.model.bert.PretrainedModels;

/**
 * The MiniLM tokenizer the text tests share: the pure-Java one holds no native resource, so one instance serves
 * every test class of the JVM and is never closed.
 */
final class MiniLmTokenizer {
  static final Tokenizer TOK = Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource());

  private MiniLmTokenizer() {}
}
