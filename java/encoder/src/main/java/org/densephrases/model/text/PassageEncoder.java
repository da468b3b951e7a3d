package org.densephrases.model.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns (title, text) into windows of at most {@code maxLength} tokens: {@code [CLS] title [SEP] ctx [SEP]}, the
 * context cut into overlapping pieces that start every {@code stride} tokens, the last piece ending at the last token.
 * The title goes into every window; the context is tokenized once, so a token's ids and offsets are the same in every
 * window that holds it (WordPiece splits words independently, so this equals tokenizing the pair directly).
 */
public final class PassageEncoder {
  private final Tokenizer tokenizer;
  private final WindowConfig config;

  /**
   * An encoder for one model and window configuration.
   *
   * @param tokenizer the tokenizer of the model the windows are for
   * @param config the window length, stride and title budget
   */
  public PassageEncoder(Tokenizer tokenizer, WindowConfig config) {
    this.tokenizer = tokenizer;
    this.config = config;
  }

  /** {@return the window configuration passages are cut with} */
  public WindowConfig config() {
    return config;
  }

  /**
   * Tokenizes a passage once and cuts it into windows of {@code [CLS] title [SEP] context [SEP]}.
   *
   * @param title the passage title (may be empty)
   * @param text the passage text
   * @return the tokens and windows; no windows when the text has no tokens
   * @throws IllegalArgumentException when title or text is null
   */
  public EncodedPassage encode(String title, String text) {
    if (title == null || text == null) {
      throw new IllegalArgumentException("title and text must not be null");
    }
    Tokens titleTokens = tokenizer.tokenize(title).truncate(config.maxTitleTokens());
    Tokens context = tokenizer.tokenize(text);
    int tt = titleTokens.size();
    int perWindow = config.maxLength() - 3 - tt;
    int n = context.size();

    List<int[]> ranges = new ArrayList<>(); // {first, count}
    for (int start = 0; start < n; start += config.stride()) {
      int count = Math.min(perWindow, n - start);
      ranges.add(new int[] {start, count});
      if (start + count >= n) {
        break;
      }
    }

    List<PassageWindow> windows = new ArrayList<>(ranges.size());
    for (int w = 0; w < ranges.size(); w++) {
      int first = ranges.get(w)[0];
      int count = ranges.get(w)[1];
      int len = 3 + tt + count;
      long[] ids = new long[len];
      long[] types = new long[len];
      ids[0] = tokenizer.clsId();
      System.arraycopy(titleTokens.ids(), 0, ids, 1, tt);
      ids[1 + tt] = tokenizer.sepId();
      System.arraycopy(context.ids(), first, ids, 2 + tt, count);
      ids[len - 1] = tokenizer.sepId();
      for (int i = 2 + tt; i < len; i++) {
        types[i] = 1;
      }
      boolean[] maxContext = new boolean[count];
      for (int i = 0; i < count; i++) {
        maxContext[i] = bestWindow(ranges, first + i) == w;
      }
      windows.add(new PassageWindow(ids, types, 2 + tt, first, count, maxContext));
    }
    return new EncodedPassage(title, text, titleTokens, context, List.copyOf(windows));
  }

  /** BERT's rule: the window where min(left context, right context) + 0.01 * length is largest; first wins ties. */
  static int bestWindow(List<int[]> ranges, int token) {
    double best = -1;
    int bestW = -1;
    for (int w = 0; w < ranges.size(); w++) {
      int first = ranges.get(w)[0];
      int count = ranges.get(w)[1];
      if (token < first || token >= first + count) {
        continue;
      }
      double score = Math.min(token - first, first + count - 1 - token) + 0.01 * count;
      if (score > best) {
        best = score;
        bestW = w;
      }
    }
    return bestW;
  }
}
