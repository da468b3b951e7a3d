package org.densephrases.model.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;
import org.densephrases.model.phrase.PhraseModel;
import org.densephrases.model.text.Batch;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageEncoder;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.QuestionEncoder;
import org.densephrases.model.text.Tokenizer;
import org.densephrases.model.text.WindowConfig;

/**
 * SQuAD reading-comprehension evaluation of the phrase model: each question reads its own paragraph, every window of
 * it is encoded once, and the answer is the span maximising {@code q_start . h_i + q_end . h_j} with
 * {@code j - i < maxAnswerLength} over all windows, a start counting only in the window where it has the most
 * context (BERT's rule). Scores are inner products only, as in the phrase index.
 *
 * <p>Paragraphs are processed in groups so that memory stays bounded: a group's windows are encoded in batches, then
 * its questions, then the spans are picked; nothing of a group is kept after it.
 */
public final class ReadingComprehension {

  /**
   * Evaluation settings.
   *
   * @param maxQuestionLength question tokens including [CLS] and [SEP] (DensePhrases: 64)
   * @param maxAnswerLength span length in tokens (BERT's SQuAD evaluation: 30)
   * @param batchSize windows (or questions) per forward pass
   * @param windows how paragraphs are cut into windows
   * @param filterThresholds filter-score cuts to report EM/F1 at (see {@link FilterPoint}); empty for none
   */
  public record Config(WindowConfig windows, int maxQuestionLength, int maxAnswerLength, int batchSize,
      float[] filterThresholds) {
    /** DensePhrases' settings: default windows, 64 question tokens, 30-token answers, 16 per forward pass. */
    public static final Config DEFAULT = new Config(WindowConfig.DEFAULT, 64, 30, 16);

    /**
     * Settings without filter thresholds.
     *
     * @param windows how paragraphs are cut into windows
     * @param maxQuestionLength question tokens including [CLS] and [SEP]
     * @param maxAnswerLength span length in tokens
     * @param batchSize windows (or questions) per forward pass
     */
    public Config(WindowConfig windows, int maxQuestionLength, int maxAnswerLength, int batchSize) {
      this(windows, maxQuestionLength, maxAnswerLength, batchSize, new float[0]);
    }

    /**
     * Checks the settings and copies the thresholds.
     *
     * @throws IllegalArgumentException when {@code maxAnswerLength} or {@code batchSize} is below 1,
     *     {@code maxQuestionLength} is below 3, or a threshold is NaN
     */
    public Config {
      if (maxAnswerLength < 1 || batchSize < 1 || maxQuestionLength < 3) {
        throw new IllegalArgumentException("maxAnswerLength and batchSize must be >= 1 and maxQuestionLength >= 3");
      }
      filterThresholds = filterThresholds == null ? new float[0] : filterThresholds.clone();
      for (float t : filterThresholds) {
        if (Float.isNaN(t)) {
          throw new IllegalArgumentException("filter threshold is NaN");
        }
      }
    }
  }

  /**
   * What dropping the tokens whose filter score (max of the filter head's start and end logits, as the dump computes
   * it) is below {@code threshold} would do: the fraction of (max-context) tokens kept and EM/F1 when only kept tokens
   * may start or end an answer.
   *
   * @param threshold the filter-score cut
   * @param keptFraction the fraction of tokens at or above it, in [0, 1]
   * @param metrics EM/F1 when only kept tokens may start or end an answer
   */
  public record FilterPoint(float threshold, double keptFraction, SquadMetrics.Result metrics) {}

  /**
   * A predicted answer: its text (empty when the paragraph had no tokens) and span score.
   *
   * @param text the answer text
   * @param score the span score, {@code q_start . h_i + q_end . h_j}
   */
  public record Prediction(String text, float score) {}

  /**
   * EM/F1 and what it took.
   *
   * @param metrics EM and F1 in percent
   * @param predictions question id to prediction
   * @param windows the number of windows encoded
   * @param seconds the wall-clock time, in seconds
   * @param filter one point per configured filter threshold
   */
  public record Report(SquadMetrics.Result metrics, Map<String, Prediction> predictions, int windows, double seconds,
      List<FilterPoint> filter) {}

  private final PhraseModel model;
  private final Tokenizer tokenizer;
  private final Config config;
  private final PassageEncoder passages;
  private final QuestionEncoder questions;

  /**
   * An evaluator of one model with fixed settings.
   *
   * @param model the phrase model to evaluate (initialised)
   * @param tokenizer its tokenizer
   * @param config the evaluation settings
   */
  public ReadingComprehension(PhraseModel model, Tokenizer tokenizer, Config config) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.config = config;
    this.passages = new PassageEncoder(tokenizer, config.windows());
    this.questions = new QuestionEncoder(tokenizer, config.maxQuestionLength());
  }

  /**
   * Answers every question of {@code data} from its own paragraph and scores the answers.
   *
   * @param data the dataset with reference answers
   * @param manager the manager (and device) the forward passes run on
   * @return EM/F1, the predictions and the time taken
   */
  public Report evaluate(SquadDataset data, NDManager manager) {
    long t0 = System.nanoTime();
    int[] windows = new int[1];
    FilterStats fs = new FilterStats(config.filterThresholds());
    Map<String, Prediction> preds = predict(data, manager, windows, fs);
    List<FilterPoint> points = new ArrayList<>();
    for (int t = 0; t < fs.thresholds.length; t++) {
      points.add(new FilterPoint(fs.thresholds[t], fs.tokens == 0 ? 0 : fs.kept[t] / (double) fs.tokens,
          SquadMetrics.evaluate(data, fs.texts.get(t))));
    }
    return new Report(SquadMetrics.evaluate(data, texts(preds)), preds, windows[0],
        (System.nanoTime() - t0) / 1e9, points);
  }

  private static Map<String, String> texts(Map<String, Prediction> preds) {
    Map<String, String> texts = new LinkedHashMap<>();
    preds.forEach((k, v) -> texts.put(k, v.text()));
    return texts;
  }

  /**
   * Answers every question of {@code data} from its own paragraph.
   *
   * @param data the dataset
   * @param manager the manager (and device) the forward passes run on
   * @return question id to predicted answer and score
   */
  public Map<String, Prediction> predict(SquadDataset data, NDManager manager) {
    return predict(data, manager, new int[1], new FilterStats(new float[0]));
  }

  /** Per-threshold kept-token counts and predictions. */
  private static final class FilterStats {
    final float[] thresholds;
    final long[] kept;
    long tokens;
    final List<Map<String, String>> texts = new ArrayList<>();

    FilterStats(float[] thresholds) {
      this.thresholds = thresholds;
      this.kept = new long[thresholds.length];
      for (int i = 0; i < thresholds.length; i++) {
        texts.add(new LinkedHashMap<>());
      }
    }
  }

  private Map<String, Prediction> predict(SquadDataset data, NDManager manager, int[] windowCount, FilterStats fs) {
    Map<String, Prediction> out = new LinkedHashMap<>();
    List<SquadParagraph> paras = data.paragraphs();
    int groupWindows = 8 * config.batchSize(); // bounds memory: (8 batches)(T)(H) floats
    int p = 0;
    while (p < paras.size()) {
      List<EncodedPassage> group = new ArrayList<>();
      List<SquadParagraph> groupParas = new ArrayList<>();
      int w = 0;
      while (p < paras.size() && (group.isEmpty() || w < groupWindows)) {
        EncodedPassage e = passages.encode(paras.get(p).title(), paras.get(p).context());
        group.add(e);
        groupParas.add(paras.get(p));
        w += e.windows().size();
        p++;
      }
      windowCount[0] += w;
      predictGroup(group, groupParas, manager, out, fs);
    }
    return out;
  }

  private void predictGroup(List<EncodedPassage> group, List<SquadParagraph> paras, NDManager manager,
      Map<String, Prediction> out, FilterStats fs) {
    int h = model.hiddenSize();
    List<PassageWindow> windows = new ArrayList<>();
    int[] firstWindow = new int[group.size()];
    for (int i = 0; i < group.size(); i++) {
      firstWindow[i] = windows.size();
      windows.addAll(group.get(i).windows());
    }
    float[][] filter = new float[windows.size()][];
    float[][] tokens = windowVectors(windows, manager, filter);
    for (int wi = 0; wi < windows.size(); wi++) {
      PassageWindow win = windows.get(wi);
      for (int i = 0; i < win.count(); i++) {
        if (win.maxContext()[i]) {
          fs.tokens++;
          for (int t = 0; t < fs.thresholds.length; t++) {
            if (filter[wi][i] >= fs.thresholds[t]) {
              fs.kept[t]++;
            }
          }
        }
      }
    }
    List<SquadQuestion> qs = new ArrayList<>();
    List<Integer> qPara = new ArrayList<>();
    for (int i = 0; i < paras.size(); i++) {
      for (SquadQuestion q : paras.get(i).questions()) {
        qs.add(q);
        qPara.add(i);
      }
    }
    float[][][] qv = questionVectors(qs, manager);
    for (int k = 0; k < qs.size(); k++) {
      int pi = qPara.get(k);
      EncodedPassage passage = group.get(pi);
      int nw = passage.windows().size();
      // start/end scores of every window, computed once for the answer and every filter threshold
      float[][] starts = new float[nw][];
      float[][] ends = new float[nw][];
      for (int wi = 0; wi < nw; wi++) {
        PassageWindow win = passage.windows().get(wi);
        float[] v = tokens[firstWindow[pi] + wi];
        starts[wi] = dots(v, win.count(), h, qv[0][k]);
        ends[wi] = dots(v, win.count(), h, qv[1][k]);
      }
      String id = qs.get(k).id();
      Choice best = best(passage, starts, ends, null, Float.NEGATIVE_INFINITY);
      out.put(id, best == null ? new Prediction("", Float.NEGATIVE_INFINITY)
          : new Prediction(best.text(passage), best.span().score()));
      if (fs.thresholds.length > 0) {
        float[][] f = java.util.Arrays.copyOfRange(filter, firstWindow[pi], firstWindow[pi] + nw);
        for (int t = 0; t < fs.thresholds.length; t++) {
          Choice c = best(passage, starts, ends, f, fs.thresholds[t]);
          fs.texts.get(t).put(id, c == null ? "" : c.text(passage));
        }
      }
    }
  }

  /** The best span of a passage: its window and the span in it. */
  private record Choice(int window, BestSpan.Span span) {
    String text(EncodedPassage p) {
      int first = p.windows().get(window).firstContextToken();
      return p.spanText(first + span.start(), first + span.end());
    }
  }

  /**
   * The best span over the passage's windows; with {@code filter} (per window, per context token) only tokens whose
   * filter score is >= {@code threshold} may start or end it, and null when none is left.
   */
  private Choice best(EncodedPassage passage, float[][] starts, float[][] ends, float[][] filter, float threshold) {
    Choice best = null;
    for (int wi = 0; wi < passage.windows().size(); wi++) {
      PassageWindow win = passage.windows().get(wi);
      boolean[] allowed = win.maxContext();
      float[] end = ends[wi];
      if (filter != null) {
        allowed = allowed.clone();
        end = end.clone();
        for (int i = 0; i < win.count(); i++) {
          if (filter[wi][i] < threshold) {
            allowed[i] = false;
            end[i] = Float.NEGATIVE_INFINITY;
          }
        }
      }
      BestSpan.Span s = BestSpan.find(starts[wi], end, 0, win.count(), config.maxAnswerLength(), allowed);
      if (s != null && (filter == null || s.score() != Float.NEGATIVE_INFINITY)
          && (best == null || s.score() > best.span().score())) {
        best = new Choice(wi, s);
      }
    }
    return best;
  }

  /**
   * Token vectors of each window's context positions: (window)(count * H); fills {@code filter} with each window's
   * filter scores (count), max of the filter head's start and end logits.
   */
  private float[][] windowVectors(List<PassageWindow> windows, NDManager manager, float[][] filter) {
    int h = model.hiddenSize();
    // Batches are cut from windows sorted by length, so a long window does not pad a batch of short ones.
    Integer[] order = sortedByLength(windows.size(), i -> windows.get(i).length());
    float[][] tokens = new float[windows.size()][];
    for (int b = 0; b < order.length; b += config.batchSize()) {
      int n = Math.min(order.length, b + config.batchSize()) - b;
      List<PassageWindow> chunk = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        chunk.add(windows.get(order[b + k]));
      }
      Batch batch = Batch.ofWindows(chunk, tokenizer.padId());
      try (NDManager sub = manager.newSubManager()) {
        NDList enc = model.encodePassages(new ParameterStore(sub, false), sub.create(batch.ids()),
            sub.create(batch.typeIds()), sub.create(batch.mask()), false);
        float[] all = enc.get(0).toFloatArray(); // (B)(T)(H)
        float[] logits = enc.get(1).toFloatArray(); // (B)(T)(2)
        int t = batch.length();
        for (int r = 0; r < n; r++) {
          PassageWindow win = chunk.get(r);
          float[] v = new float[win.count() * h];
          System.arraycopy(all, (r * t + win.contextOffset()) * h, v, 0, v.length);
          tokens[order[b + r]] = v;
          float[] f = new float[win.count()];
          for (int i = 0; i < f.length; i++) {
            int pos = r * t + win.contextOffset() + i;
            f[i] = Math.max(logits[pos * 2], logits[pos * 2 + 1]);
          }
          filter[order[b + r]] = f;
        }
      }
    }
    return tokens;
  }

  /** {qStart, qEnd}, each (question)(H). */
  private float[][][] questionVectors(List<SquadQuestion> qs, NDManager manager) {
    int h = model.hiddenSize();
    float[][][] out = new float[2][qs.size()][];
    List<long[]> ids = new ArrayList<>(qs.size());
    for (SquadQuestion q : qs) {
      ids.add(questions.encode(q.question()));
    }
    Integer[] order = sortedByLength(qs.size(), i -> ids.get(i).length);
    for (int b = 0; b < order.length; b += config.batchSize()) {
      int n = Math.min(order.length, b + config.batchSize()) - b;
      List<long[]> rows = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        rows.add(ids.get(order[b + k]));
      }
      Batch batch = Batch.pad(rows, null, tokenizer.padId());
      try (NDManager sub = manager.newSubManager()) {
        NDList enc = model.encodeQuestions(new ParameterStore(sub, false), sub.create(batch.ids()),
            sub.create(batch.typeIds()), sub.create(batch.mask()), false);
        for (int side = 0; side < 2; side++) {
          float[] v = enc.get(side).toFloatArray();
          for (int k = 0; k < n; k++) {
            out[side][order[b + k]] = java.util.Arrays.copyOfRange(v, k * h, (k + 1) * h);
          }
        }
      }
    }
    return out;
  }

  /** Indices 0..n-1 ordered by the given length (stable). */
  private static Integer[] sortedByLength(int n, java.util.function.IntUnaryOperator length) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, java.util.Comparator.comparingInt(length::applyAsInt));
    return order;
  }

  /** (n) inner products of the rows of v (n)(h) with q (h). */
  static float[] dots(float[] v, int n, int h, float[] q) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      float s = 0;
      int o = i * h;
      for (int d = 0; d < h; d++) {
        s += v[o + d] * q[d];
      }
      out[i] = s;
    }
    return out;
  }
}
