package org.densephrases.model.encode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;

/**
 * What both engines share: tokenization, windows, length-sorted batches, the max-context rule that picks each
 * token's vector and filter score, and question batches. An engine supplies only the two forward passes.
 */
abstract class WindowedEncoder implements PhraseEncoder {
  private final String id;
  private final int dim;
  private final Tokenizer tokenizer;
  private final WindowConfig windows;
  private final PassageEncoder passages;
  private final QuestionEncoder questions;
  private final int maxQuestionTokens;

  WindowedEncoder(String id, int dim, Tokenizer tokenizer, WindowConfig windows, int maxQuestionTokens) {
    this.id = id;
    this.dim = dim;
    this.tokenizer = tokenizer;
    this.windows = windows;
    this.maxQuestionTokens = maxQuestionTokens;
    this.passages = new PassageEncoder(tokenizer, windows);
    this.questions = new QuestionEncoder(tokenizer, maxQuestionTokens);
  }

  /** Token vectors (B)(T)(dim) and filter logits (B)(T)(2) of a batch of windows. */
  record PassageOutput(float[] vectors, float[] filterLogits) {}

  abstract PassageOutput forwardPassages(Batch batch);

  /** {qStart, qEnd}, each (B)(dim), of a batch of questions. */
  abstract float[][] forwardQuestions(Batch batch);

  /** Frees the engine (the tokenizer is closed by {@link #close()}). */
  abstract void closeEngine();

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final int dim() {
    return dim;
  }

  @Override
  public final WindowConfig windows() {
    return windows;
  }

  @Override
  public final int maxQuestionTokens() {
    return maxQuestionTokens;
  }

  @Override
  public final int questionTokens(String q) {
    return tokenizer.tokenize(q).size();
  }

  /**
   * Windows of all paragraphs are batched together, sorted by length; each context token takes its vector and filter
   * score from the window that gives it the most context (BERT's rule), so a long paragraph becomes one vector per
   * token. Filter score = max(start logit, end logit) of the filter head.
   */
  @Override
  public final List<EncodedDocument> encodeDocuments(List<CorpusParagraph> paras, int batchWindows) {
    int h = dim();
    List<EncodedPassage> enc = new ArrayList<>(paras.size());
    List<PassageWindow> all = new ArrayList<>();
    List<Integer> owner = new ArrayList<>(); // window -> paragraph
    for (int i = 0; i < paras.size(); i++) {
      EncodedPassage e = passages.encode(paras.get(i).title(), paras.get(i).text());
      enc.add(e);
      for (PassageWindow w : e.windows()) {
        all.add(w);
        owner.add(i);
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
      PassageOutput out = forwardPassages(batch);
      float[] v = out.vectors(); // (B)(T)(H)
      float[] f = out.filterLogits(); // (B)(T)(2)
      int t = batch.length();
      for (int r = 0; r < n; r++) {
        PassageWindow w = chunk.get(r);
        int p = owner.get(order[b + r]);
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
    List<EncodedDocument> docs = new ArrayList<>(paras.size());
    for (int i = 0; i < paras.size(); i++) {
      CorpusParagraph c = paras.get(i);
      EncodedPassage e = enc.get(i);
      docs.add(new EncodedDocument(c.id(), c.title(), c.text(), vec[i], filt[i], e.context().charStart(),
          e.context().charEnd()));
    }
    return docs;
  }

  @Override
  public final float[][] encodeQuestions(List<String> qs, int batchSize) {
    return questions.encodeAll(qs, batchSize, dim(), this::forwardQuestions);
  }

  @Override
  public final void close() {
    try {
      closeEngine();
    } finally {
      tokenizer.close();
    }
  }
}
