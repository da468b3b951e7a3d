package org.densephrases.model.infer;

import java.util.Map;
import java.util.function.Function;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertWeights;

/**
 * A BERT encoder (HuggingFace BertModel without the pooler) in plain Java with the Vector API: the same computation as
 * java/train's DJL {@code BertEncoderBlock} (post-LayerNorm layers, absolute positions, token types, exact erf GELU,
 * padding keys masked with -10000), in float32, for inference.
 *
 * <p>Padding costs nothing: the tokens of all rows are packed into one (tokens)(H) matrix, each row cut at its last
 * attended position, so dense layers run over real tokens only and attention runs per (row, head) over that row's
 * tokens. Masked positions inside a row (never made by our batches) are attended with the -10000 bias as in BERT.
 * Every call allocates its own buffers: one JavaBert may be used from several threads at once.
 */
final class JavaBert {
  /** Added to the attention scores of padding keys (BertEncoderBlock's MASK_NEGATIVE). */
  static final float MASK_NEGATIVE = -10000f;
  private static final VectorSpecies<Float> S = Dense.S;
  private static final int V = Dense.V;
  private static final int TOKEN_BLOCK = 64;

  private final BertConfig config;
  private final float[] word;
  private final float[] position;
  private final float[] tokenType;
  private final float[] embGamma;
  private final float[] embBeta;
  private final Layer[] layers;

  private record Layer(Dense qkv, Dense attnOut, float[] ln1g, float[] ln1b, Dense up, Dense down, float[] ln2g,
      float[] ln2b) {}

  /**
   * @param tensor the values of a weight by its HuggingFace name without prefix
   *     ({@code embeddings.word_embeddings.weight}, {@code encoder.layer.0.attention.self.query.weight}, ...), with the
   *     shapes of {@link BertWeights#expectedShapes}; dense weights (out)(in)
   */
  public JavaBert(BertConfig config, Function<String, float[]> tensor) {
    this.config = config;
    int h = config.hiddenSize();
    int inter = config.intermediateSize();
    Map<String, long[]> shapes = BertWeights.expectedShapes(config);
    Function<String, float[]> t = name -> {
      float[] v = tensor.apply(name);
      long n = 1;
      for (long d : shapes.get(name)) {
        n *= d;
      }
      if (v == null || v.length != n) {
        throw new IllegalArgumentException("weight " + name + ": expected " + n + " values, got "
            + (v == null ? "none" : v.length));
      }
      return v;
    };
    word = t.apply("embeddings.word_embeddings.weight");
    position = t.apply("embeddings.position_embeddings.weight");
    tokenType = t.apply("embeddings.token_type_embeddings.weight");
    embGamma = t.apply("embeddings.LayerNorm.weight");
    embBeta = t.apply("embeddings.LayerNorm.bias");
    layers = new Layer[config.numLayers()];
    for (int l = 0; l < layers.length; l++) {
      String p = "encoder.layer." + l + ".";
      float[] w = new float[3 * h * h];
      float[] b = new float[3 * h];
      String[] qkv = {"attention.self.query", "attention.self.key", "attention.self.value"};
      for (int k = 0; k < 3; k++) {
        System.arraycopy(t.apply(p + qkv[k] + ".weight"), 0, w, k * h * h, h * h);
        System.arraycopy(t.apply(p + qkv[k] + ".bias"), 0, b, k * h, h);
      }
      layers[l] = new Layer(new Dense(w, b, 3 * h, h),
          new Dense(t.apply(p + "attention.output.dense.weight"), t.apply(p + "attention.output.dense.bias"), h, h),
          t.apply(p + "attention.output.LayerNorm.weight"), t.apply(p + "attention.output.LayerNorm.bias"),
          new Dense(t.apply(p + "intermediate.dense.weight"), t.apply(p + "intermediate.dense.bias"), inter, h),
          new Dense(t.apply(p + "output.dense.weight"), t.apply(p + "output.dense.bias"), h, inter),
          t.apply(p + "output.LayerNorm.weight"), t.apply(p + "output.LayerNorm.bias"));
    }
  }

  public BertConfig config() {
    return config;
  }

  /**
   * Hidden states of the attended tokens, packed: token i of row b is row {@code offset[b] + i} of {@code h}
   * (tokens x hidden), for i < {@code length[b]}; or, for a first-token-only forward, row b is row b's first token.
   */
  record Packed(float[] h, int[] offset, int[] length, int tokens) {}

  /** Last hidden states (B)(T)(H) of a batch; positions after a row's last attended token are 0. */
  public float[] forward(long[][] ids, long[][] types, long[][] mask, Exec ex) {
    Packed p = forward(ids, types, mask, false, ex);
    int h = config.hiddenSize();
    int t = ids.length == 0 ? 0 : ids[0].length;
    float[] out = new float[ids.length * t * h];
    for (int b = 0; b < ids.length; b++) {
      System.arraycopy(p.h(), p.offset()[b] * h, out, b * t * h, p.length()[b] * h);
    }
    return out;
  }

  /** Last hidden state of each row's first token ([CLS]), (B)(H); a row with no attended token gives 0. */
  public float[] forwardFirst(long[][] ids, long[][] types, long[][] mask, Exec ex) {
    return forward(ids, types, mask, true, ex).h();
  }

  Packed forward(long[][] ids, long[][] types, long[][] mask, boolean firstOnly, Exec ex) {
    int rows = ids.length;
    if (types.length != rows || mask.length != rows) {
      throw new IllegalArgumentException("ids, types and mask must have the same rows: " + rows + ", " + types.length
          + ", " + mask.length);
    }
    int[] len = new int[rows];
    int[] off = new int[rows];
    int n = 0;
    int width = rows == 0 ? 0 : ids[0].length;
    for (int b = 0; b < rows; b++) {
      if (ids[b].length != width || types[b].length != width || mask[b].length != width) {
        throw new IllegalArgumentException("row " + b + " has " + ids[b].length + " ids, " + types[b].length
            + " types and " + mask[b].length + " mask values; the batch is " + width + " wide");
      }
      int l = width;
      while (l > 0 && mask[b][l - 1] == 0) {
        l--;
      }
      if (l > config.maxPositions()) {
        throw new IllegalArgumentException("sequence length " + l + " exceeds the model's " + config.maxPositions()
            + " positions");
      }
      for (int i = 0; i < l; i++) {
        if (ids[b][i] < 0 || ids[b][i] >= config.vocabSize()) {
          throw new IllegalArgumentException("token id " + ids[b][i] + " at row " + b + ", position " + i
              + " is outside the vocabulary (" + config.vocabSize() + ")");
        }
        if (types[b][i] < 0 || types[b][i] >= config.typeVocabSize()) {
          throw new IllegalArgumentException("token type " + types[b][i] + " at row " + b + ", position " + i
              + " is outside [0, " + config.typeVocabSize() + ")");
        }
      }
      len[b] = l;
      off[b] = n;
      n += l;
    }
    int h = config.hiddenSize();
    float[] x = new float[n * h];
    embed(ids, types, off, len, x, ex);
    int m = Math.max(n, rows); // the first-token-only last layer works on one row per batch row
    float[] qkv = new float[n * 3 * h];
    float[] ctx = new float[m * h];
    float[] tmp = new float[m * h];
    float[] inter = new float[m * config.intermediateSize()];
    for (int l = 0; l < layers.length; l++) {
      Layer layer = layers[l];
      layer.qkv().apply(x, n, qkv, false, ex);
      if (firstOnly && l == layers.length - 1) {
        // Only the first token's output is wanted: its attention row, then the rest of the layer on those rows.
        float[] first = new float[rows * h];
        for (int b = 0; b < rows; b++) {
          if (len[b] > 0) {
            System.arraycopy(x, off[b] * h, first, b * h, h);
          }
        }
        attention(qkv, off, len, mask, ctx, true, ex);
        layerTail(layer, first, ctx, tmp, inter, rows, ex);
        for (int b = 0; b < rows; b++) {
          if (len[b] == 0) {
            java.util.Arrays.fill(first, b * h, (b + 1) * h, 0f);
          }
        }
        return new Packed(first, off, len, rows);
      }
      attention(qkv, off, len, mask, ctx, false, ex);
      layerTail(layer, x, ctx, tmp, inter, n, ex);
    }
    if (firstOnly) { // no layers: the embeddings' first tokens
      float[] first = new float[rows * h];
      for (int b = 0; b < rows; b++) {
        if (len[b] > 0) {
          System.arraycopy(x, off[b] * h, first, b * h, h);
        }
      }
      return new Packed(first, off, len, rows);
    }
    return new Packed(x, off, len, n);
  }

  /** x = LN2(x1 + down(gelu(up(x1)))) with x1 = LN1(x + out(ctx)), over the first n rows. */
  private void layerTail(Layer layer, float[] x, float[] ctx, float[] tmp, float[] inter, int n, Exec ex) {
    int h = config.hiddenSize();
    float eps = config.layerNormEps();
    layer.attnOut().apply(ctx, n, tmp, false, ex);
    addNorm(tmp, x, n, h, layer.ln1g(), layer.ln1b(), eps, ex);
    layer.up().apply(x, n, inter, true, ex);
    layer.down().apply(inter, n, tmp, false, ex);
    addNorm(tmp, x, n, h, layer.ln2g(), layer.ln2b(), eps, ex);
  }

  private void embed(long[][] ids, long[][] types, int[] off, int[] len, float[] x, Exec ex) {
    int h = config.hiddenSize();
    ex.parallelFor(ids.length, b -> { // ids and types were checked by the caller
      for (int i = 0; i < len[b]; i++) {
        long id = ids[b][i];
        long ty = types[b][i];
        int o = (off[b] + i) * h;
        int wo = (int) id * h;
        int po = i * h;
        int to = (int) ty * h;
        for (int c = 0; c < h; c++) {
          x[o + c] = word[wo + c] + tokenType[to + c] + position[po + c];
        }
        if (ex.simd()) {
          layerNorm(x, o, h, embGamma, embBeta, config.layerNormEps());
        } else {
          layerNormScalar(x, o, h, embGamma, embBeta, config.layerNormEps());
        }
      }
    });
  }

  /** x[r] = LayerNorm(x[r] + delta[r]) for rows r < n. */
  private static void addNorm(float[] delta, float[] x, int n, int h, float[] g, float[] b, float eps, Exec ex) {
    int blocks = (n + TOKEN_BLOCK - 1) / TOKEN_BLOCK;
    if (!ex.simd()) {
      ex.parallelFor(blocks, blk -> {
        int end = Math.min(n, (blk + 1) * TOKEN_BLOCK);
        for (int r = blk * TOKEN_BLOCK; r < end; r++) {
          for (int c = 0, o = r * h; c < h; c++) {
            x[o + c] += delta[o + c];
          }
          layerNormScalar(x, r * h, h, g, b, eps);
        }
      });
      return;
    }
    ex.parallelFor(blocks, blk -> {
      int end = Math.min(n, (blk + 1) * TOKEN_BLOCK);
      for (int r = blk * TOKEN_BLOCK; r < end; r++) {
        int o = r * h;
        int c = 0;
        for (int bound = S.loopBound(h); c < bound; c += V) {
          FloatVector.fromArray(S, x, o + c).add(FloatVector.fromArray(S, delta, o + c)).intoArray(x, o + c);
        }
        for (; c < h; c++) {
          x[o + c] += delta[o + c];
        }
        layerNorm(x, o, h, g, b, eps);
      }
    });
  }

  /** In place over x[o, o+h): (v - mean) / sqrt(var + eps) * g + b, var the biased variance (as PyTorch). */
  static void layerNorm(float[] x, int o, int h, float[] g, float[] b, float eps) {
    int bound = S.loopBound(h);
    FloatVector acc = FloatVector.zero(S);
    int c = 0;
    for (; c < bound; c += V) {
      acc = acc.add(FloatVector.fromArray(S, x, o + c));
    }
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; c < h; c++) {
      sum += x[o + c];
    }
    float mean = sum / h;
    FloatVector m = FloatVector.broadcast(S, mean);
    acc = FloatVector.zero(S);
    for (c = 0; c < bound; c += V) {
      FloatVector d = FloatVector.fromArray(S, x, o + c).sub(m);
      acc = d.fma(d, acc);
    }
    float sq = acc.reduceLanes(VectorOperators.ADD);
    for (; c < h; c++) {
      float d = x[o + c] - mean;
      sq += d * d;
    }
    float rstd = (float) (1.0 / Math.sqrt(sq / h + eps));
    FloatVector rs = FloatVector.broadcast(S, rstd);
    for (c = 0; c < bound; c += V) {
      FloatVector.fromArray(S, x, o + c).sub(m).mul(rs).fma(FloatVector.fromArray(S, g, c),
          FloatVector.fromArray(S, b, c)).intoArray(x, o + c);
    }
    for (; c < h; c++) {
      x[o + c] = (x[o + c] - mean) * rstd * g[c] + b[c];
    }
  }

  /** The scalar form of {@link #layerNorm}. */
  static void layerNormScalar(float[] x, int o, int h, float[] g, float[] b, float eps) {
    float sum = 0f;
    for (int c = 0; c < h; c++) {
      sum += x[o + c];
    }
    float mean = sum / h;
    float sq = 0f;
    for (int c = 0; c < h; c++) {
      float d = x[o + c] - mean;
      sq = Math.fma(d, d, sq);
    }
    float rstd = (float) (1.0 / Math.sqrt(sq / h + eps));
    for (int c = 0; c < h; c++) {
      x[o + c] = Math.fma((x[o + c] - mean) * rstd, g[c], b[c]);
    }
  }

  /**
   * Multi-head self-attention per (row, head): softmax(q k^T / sqrt(d) + maskBias) v into ctx (rows x H). With
   * firstOnly, only each row's first query, written to ctx row b.
   */
  private void attention(float[] qkv, int[] off, int[] len, long[][] mask, float[] ctx, boolean firstOnly,
      Exec ex) {
    int heads = config.numHeads();
    int rows = off.length;
    if (!ex.simd()) {
      ex.parallelFor(rows * heads, t -> attendHeadScalar(qkv, off[t / heads], len[t / heads], mask[t / heads],
          t % heads, ctx, firstOnly ? t / heads : -1));
      return;
    }
    ex.parallelFor(rows * heads, t -> attendHead(qkv, off[t / heads], len[t / heads], mask[t / heads], t % heads,
        ctx, firstOnly ? t / heads : -1));
  }

  /** The scalar form of {@link #attendHead}: the same scores, softmax and weighted sum, one lane at a time. */
  private void attendHeadScalar(float[] qkv, int base, int len, long[] mask, int head, float[] ctx, int firstRow) {
    if (len == 0) {
      return;
    }
    int h = config.hiddenSize();
    int d = config.headDim();
    int h3 = 3 * h;
    float scale = (float) (1.0 / Math.sqrt(d));
    float[] s = new float[len];
    float[] q = new float[d];
    int queries = firstRow >= 0 ? 1 : len;
    for (int i = 0; i < queries; i++) {
      int qo = (base + i) * h3 + head * d;
      for (int c = 0; c < d; c++) {
        q[c] = qkv[qo + c] * scale;
      }
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < len; j++) {
        float acc = mask[j] != 0 ? 0f : MASK_NEGATIVE;
        int ko = (base + j) * h3 + h + head * d;
        for (int c = 0; c < d; c++) {
          acc = Math.fma(qkv[ko + c], q[c], acc);
        }
        s[j] = acc;
        max = Math.max(max, acc);
      }
      float sum = 0f;
      for (int j = 0; j < len; j++) {
        s[j] = (float) Math.exp(s[j] - max);
        sum += s[j];
      }
      float inv = 1f / sum;
      int co = (firstRow >= 0 ? firstRow : base + i) * h + head * d;
      for (int c = 0; c < d; c++) {
        float acc = 0f;
        for (int j = 0, vo = base * h3 + 2 * h + head * d + c; j < len; j++, vo += h3) {
          acc = Math.fma(qkv[vo], s[j], acc);
        }
        ctx[co + c] = acc * inv;
      }
    }
  }

  private void attendHead(float[] qkv, int base, int len, long[] mask, int head, float[] ctx, int firstRow) {
    if (len == 0) {
      return;
    }
    int h = config.hiddenSize();
    int d = config.headDim();
    int h3 = 3 * h;
    int lp = (len + V - 1) / V * V;
    float scale = (float) (1.0 / Math.sqrt(d));
    // keys of this head transposed: kt[c][j], so a query's scores come out a vector of keys at a time
    float[] kt = new float[d * lp];
    for (int j = 0; j < len; j++) {
      int src = (base + j) * h3 + h + head * d;
      for (int c = 0; c < d; c++) {
        kt[c * lp + j] = qkv[src + c];
      }
    }
    float[] bias = new float[lp];
    for (int j = 0; j < lp; j++) {
      bias[j] = j >= len ? -1e30f : mask[j] != 0 ? 0f : MASK_NEGATIVE;
    }
    float[] s = new float[lp];
    float[] q = new float[d];
    int queries = firstRow >= 0 ? 1 : len;
    for (int i = 0; i < queries; i++) {
      int qo = (base + i) * h3 + head * d;
      for (int c = 0; c < d; c++) {
        q[c] = qkv[qo + c] * scale;
      }
      FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
      for (int j = 0; j < lp; j += V) {
        FloatVector acc = FloatVector.fromArray(S, bias, j);
        for (int c = 0, ko = j; c < d; c++, ko += lp) {
          acc = FloatVector.fromArray(S, kt, ko).fma(FloatVector.broadcast(S, q[c]), acc);
        }
        acc.intoArray(s, j);
        max = max.max(acc);
      }
      FloatVector mx = FloatVector.broadcast(S, max.reduceLanes(VectorOperators.MAX));
      FloatVector sum = FloatVector.zero(S);
      for (int j = 0; j < lp; j += V) {
        FloatVector e = Activations.exp(FloatVector.fromArray(S, s, j).sub(mx));
        e.intoArray(s, j);
        sum = sum.add(e);
      }
      float inv = 1f / sum.reduceLanes(VectorOperators.ADD);
      int co = (firstRow >= 0 ? firstRow : base + i) * h + head * d;
      for (int c = 0; c < d; c += V) {
        VectorMask<Float> m = S.indexInRange(c, d);
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0, vo = base * h3 + 2 * h + head * d + c; j < len; j++, vo += h3) {
          acc = FloatVector.fromArray(S, qkv, vo, m).fma(FloatVector.broadcast(S, s[j]), acc);
        }
        acc.mul(inv).intoArray(ctx, co + c, m);
      }
    }
  }
}
