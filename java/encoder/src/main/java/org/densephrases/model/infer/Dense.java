package org.densephrases.model.infer;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A linear layer y = x W^T + b (PyTorch nn.Linear, W (out)(in)) for row-major x (n)(in) and y (n)(out), with the
 * Vector API.
 *
 * <p>How: at load, W is packed into panels of {@link #PW} = 3 vectors of output columns, each panel stored k-major
 * ({@code panel[k][j]} = W[col0 + j][k]) so that the kernel streams it sequentially. The kernel computes a tile of
 * 4 rows x 3 vectors (12 accumulators): per k one load of each of the 3 weight vectors and one broadcast of each of
 * the 4 inputs feed 12 FMAs, with no horizontal sums. The last panel is zero-padded to whole vectors and stored with
 * a mask. Work is split into (panel, block of rows) tasks, panel-major, so a worker keeps a panel in cache across
 * row blocks. The bias starts the accumulators; GELU (exact erf form), when asked, runs over the task's block after
 * its products are stored.
 *
 * <p>Small inputs (at most {@link #Q8_MAX_ROWS} rows: a question) are bound by streaming the weights from memory, so
 * when the weights are exactly int8 rows times a per-row scale (what an export stores, dequantized on load) the layer
 * keeps an int8 copy in the same panels, and whole panels of small inputs read it: a quarter of the bytes, each int8
 * vector widened to float for the same FMAs from zero, then times the row scale plus the bias (one FMA). Within float
 * rounding of the float form; the scalar form does the same arithmetic, so both forms stay equal bit for bit.
 *
 * <p>Without SIMD ({@link Exec#simd()} false) {@link #scalarPanel} computes the same sums from the same packed
 * panels, one {@link Math#fma} chain per output in k order starting from the bias: the very operations of the
 * vector lanes, so both forms agree bit for bit before GELU.
 */
final class Dense {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int V = S.length();
  /**
   * Bytes with as many lanes as S, for the int8 copy's loads; null for other lane counts (no int8 copy then). A
   * species constant: the same species built by {@code VectorSpecies.of} at class initialisation left C2 unable to
   * intrinsify the widening loads, and the int8 kernels ran 1.3-2.8x slower than the float ones.
   */
  static final VectorSpecies<Byte> B = V == 16 ? ByteVector.SPECIES_128 : V == 8 ? ByteVector.SPECIES_64 : null;
  /** Output columns per panel. */
  static final int PW = 3 * V;
  /** Rows per task. */
  private static final int ROW_BLOCK = 64;

  final int in;
  final int out;
  private final int panels;
  private final float[] packed;
  private final int[] base;
  private final int[] width; // padded width of each panel (a multiple of V)
  private final float[] bias; // padded to panels * PW
  /**
   * The weights as int8 in the same panel layout, when every row is exactly q * scale with integer q in [-127, 127]
   * (what an export stores: java/encoder's Int8Rows, dequantized on load), else null; {@link #scaleQ} the row scales,
   * padded like bias.
   */
  private final byte[] packedQ;
  private final float[] scaleQ;
  /** Inputs of at most this many rows read the int8 copy (a question: the weights stream from memory once per call). */
  static final int Q8_MAX_ROWS = 64;

  /**
   * @param w (out)(in) row-major
   * @param b (out), or null for no bias
   */
  Dense(float[] w, float[] b, int out, int in) {
    if (w.length != (long) out * in || (b != null && b.length != out)) {
      throw new IllegalArgumentException("dense layer " + out + "x" + in + ": weight has " + w.length
          + " values, bias " + (b == null ? 0 : b.length));
    }
    this.in = in;
    this.out = out;
    this.panels = (out + PW - 1) / PW;
    this.base = new int[panels];
    this.width = new int[panels];
    long total = 0;
    for (int p = 0; p < panels; p++) {
      int cols = Math.min(PW, out - p * PW);
      width[p] = (cols + V - 1) / V * V;
      base[p] = Math.toIntExact(total);
      total += (long) width[p] * in;
    }
    packed = new float[Math.toIntExact(total)];
    for (int p = 0; p < panels; p++) {
      int col0 = p * PW;
      int cols = Math.min(PW, out - col0);
      int wp = width[p];
      for (int j = 0; j < cols; j++) {
        int src = (col0 + j) * in;
        for (int k = 0; k < in; k++) {
          packed[base[p] + k * wp + j] = w[src + k];
        }
      }
    }
    bias = new float[panels * PW];
    if (b != null) {
      System.arraycopy(b, 0, bias, 0, out);
    }
    float[] scales = B == null ? null : int8Scales(w, out, in);
    if (scales == null) {
      packedQ = null;
      scaleQ = null;
    } else {
      scaleQ = new float[panels * PW];
      System.arraycopy(scales, 0, scaleQ, 0, out);
      packedQ = new byte[packed.length];
      for (int j = 0; j < out; j++) {
        int p = j / PW;
        int o = base[p] + j - p * PW;
        for (int k = 0; k < in; k++, o += width[p]) {
          packedQ[o] = (byte) (scales[j] == 0f ? 0 : Math.round(w[j * in + k] / scales[j]));
        }
      }
    }
  }

  /**
   * The per-row scales s with every weight exactly q * s, q an integer in [-127, 127] (an int8 export, dequantized),
   * or null when some row is not. The export's scale was max|row| / 127; recovered from the dequantized row it may be
   * an ulp off, so the neighbours are tried too.
   */
  static float[] int8Scales(float[] w, int out, int in) {
    float[] scales = new float[out];
    for (int j = 0; j < out; j++) {
      float max = 0f;
      for (int k = 0; k < in; k++) {
        max = Math.max(max, Math.abs(w[j * in + k]));
      }
      if (max == 0f) {
        continue;
      }
      float s0 = max / 127f;
      float found = Float.NaN;
      for (float s : new float[] {s0, Math.nextDown(s0), Math.nextUp(s0)}) {
        if (exactRow(w, j * in, in, s)) {
          found = s;
          break;
        }
      }
      if (Float.isNaN(found)) {
        return null;
      }
      scales[j] = found;
    }
    return scales;
  }

  private static boolean exactRow(float[] w, int from, int n, float s) {
    for (int k = from; k < from + n; k++) {
      float q = Math.round(w[k] / s);
      if (Math.abs(q) > 127f || q * s != w[k]) {
        return false;
      }
    }
    return true;
  }

  /** Whether panel p of an input of n rows reads the int8 copy (whole panels of small inputs only). */
  private boolean int8(int p, int n) {
    return packedQ != null && n <= Q8_MAX_ROWS && width[p] == PW && p * PW + PW <= out;
  }

  /** y[0..n) = x[0..n) W^T + b (optionally GELU), rows of {@code in} and {@code out} floats. */
  void apply(float[] x, int n, float[] y, boolean gelu, Exec ex) {
    if (n == 0) {
      return;
    }
    int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
    if (!ex.simd()) { // chosen once per call, so that the SIMD tasks stay the small lambda the JIT inlines
      ex.parallelFor(panels * blocks, t -> {
        int r0 = (t % blocks) * ROW_BLOCK;
        scalarPanel(x, r0, Math.min(n, r0 + ROW_BLOCK), t / blocks, y, gelu, n);
      });
      return;
    }
    ex.parallelFor(panels * blocks, t -> {
      int p = t / blocks;
      int r0 = (t % blocks) * ROW_BLOCK;
      panel(x, r0, Math.min(n, r0 + ROW_BLOCK), p, y, gelu, n);
    });
  }

  /** The scalar form of {@link #panel}: rows [r0, r1) x the columns of panel p. */
  private void scalarPanel(float[] x, int r0, int r1, int p, float[] y, boolean gelu, int n) {
    int col0 = p * PW;
    int cols = Math.min(PW, out - col0);
    int wp = width[p];
    if (int8(p, n)) { // the int8 kernels' arithmetic: q * x summed in k order from 0, then * scale + bias (one fma)
      for (int r = r0; r < r1; r++) {
        int x0 = r * in;
        int y0 = r * out + col0;
        for (int j = 0; j < cols; j++) {
          float a = 0f;
          for (int k = 0, o = base[p] + j; k < in; k++, o += wp) {
            a = Math.fma(packedQ[o], x[x0 + k], a);
          }
          a = Math.fma(a, scaleQ[col0 + j], bias[col0 + j]);
          y[y0 + j] = gelu ? Activations.gelu(a) : a;
        }
      }
      return;
    }
    for (int r = r0; r < r1; r++) {
      int x0 = r * in;
      int y0 = r * out + col0;
      for (int j = 0; j < cols; j++) {
        float a = bias[col0 + j];
        for (int k = 0, o = base[p] + j; k < in; k++, o += wp) {
          a = Math.fma(packed[o], x[x0 + k], a);
        }
        y[y0 + j] = gelu ? Activations.gelu(a) : a;
      }
    }
  }

  private void panel(float[] x, int r0, int r1, int p, float[] y, boolean gelu, int n) {
    if (int8(p, n)) {
      int col0 = p * PW;
      int r = r0;
      for (; r + 4 <= r1; r += 4) {
        k4x3q(x, r, y, base[p], col0);
      }
      for (; r < r1; r++) {
        k4x3q1(x, r, y, base[p], col0);
      }
    } else {
      products(x, r0, r1, p, y);
    }
    if (gelu) {
      int col0 = p * PW;
      geluBlock(y, r0, r1, col0, Math.min(PW, out - col0));
    }
  }

  /** x W^T + b for rows [r0, r1) x the columns of panel p, stored unactivated. */
  private void products(float[] x, int r0, int r1, int p, float[] y) {
    int col0 = p * PW;
    if (width[p] == PW && col0 + PW <= out) {
      int r = r0;
      for (; r + 4 <= r1; r += 4) {
        k4x3(x, r, y, base[p], col0);
      }
      for (; r < r1; r++) {
        k1x3(x, r, y, base[p], col0);
      }
      return;
    }
    for (int j = 0; j < width[p]; j += V) {
      VectorMask<Float> m = S.indexInRange(col0 + j, out);
      int r = r0;
      for (; r + 4 <= r1; r += 4) {
        k4x1(x, r, y, base[p] + j, width[p], col0 + j, m);
      }
      for (; r < r1; r++) {
        k1x1(x, r, y, base[p] + j, width[p], col0 + j, m);
      }
    }
  }

  private void k4x3(float[] x, int r, float[] y, int pb, int col0) {
    final int in = this.in;
    final float[] w = packed;
    FloatVector a00 = FloatVector.fromArray(S, bias, col0);
    FloatVector a01 = FloatVector.fromArray(S, bias, col0 + V);
    FloatVector a02 = FloatVector.fromArray(S, bias, col0 + 2 * V);
    FloatVector a10 = a00;
    FloatVector a11 = a01;
    FloatVector a12 = a02;
    FloatVector a20 = a00;
    FloatVector a21 = a01;
    FloatVector a22 = a02;
    FloatVector a30 = a00;
    FloatVector a31 = a01;
    FloatVector a32 = a02;
    int x0 = r * in;
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    for (int k = 0, o = pb; k < in; k++, o += PW) {
      FloatVector w0 = FloatVector.fromArray(S, w, o);
      FloatVector w1 = FloatVector.fromArray(S, w, o + V);
      FloatVector w2 = FloatVector.fromArray(S, w, o + 2 * V);
      FloatVector b = FloatVector.broadcast(S, x[x0 + k]);
      a00 = w0.fma(b, a00);
      a01 = w1.fma(b, a01);
      a02 = w2.fma(b, a02);
      b = FloatVector.broadcast(S, x[x1 + k]);
      a10 = w0.fma(b, a10);
      a11 = w1.fma(b, a11);
      a12 = w2.fma(b, a12);
      b = FloatVector.broadcast(S, x[x2 + k]);
      a20 = w0.fma(b, a20);
      a21 = w1.fma(b, a21);
      a22 = w2.fma(b, a22);
      b = FloatVector.broadcast(S, x[x3 + k]);
      a30 = w0.fma(b, a30);
      a31 = w1.fma(b, a31);
      a32 = w2.fma(b, a32);
    }
    int out = this.out;
    int y0 = r * out + col0;
    store(a00, y, y0);
    store(a01, y, y0 + V);
    store(a02, y, y0 + 2 * V);
    y0 += out;
    store(a10, y, y0);
    store(a11, y, y0 + V);
    store(a12, y, y0 + 2 * V);
    y0 += out;
    store(a20, y, y0);
    store(a21, y, y0 + V);
    store(a22, y, y0 + 2 * V);
    y0 += out;
    store(a30, y, y0);
    store(a31, y, y0 + V);
    store(a32, y, y0 + 2 * V);
  }

  private void k1x3(float[] x, int r, float[] y, int pb, int col0) {
    final int in = this.in;
    final float[] w = packed;
    FloatVector a0 = FloatVector.fromArray(S, bias, col0);
    FloatVector a1 = FloatVector.fromArray(S, bias, col0 + V);
    FloatVector a2 = FloatVector.fromArray(S, bias, col0 + 2 * V);
    int x0 = r * in;
    for (int k = 0, o = pb; k < in; k++, o += PW) {
      FloatVector b = FloatVector.broadcast(S, x[x0 + k]);
      a0 = FloatVector.fromArray(S, w, o).fma(b, a0);
      a1 = FloatVector.fromArray(S, w, o + V).fma(b, a1);
      a2 = FloatVector.fromArray(S, w, o + 2 * V).fma(b, a2);
    }
    int y0 = r * out + col0;
    store(a0, y, y0);
    store(a1, y, y0 + V);
    store(a2, y, y0 + 2 * V);
  }

  /** One vector of columns (at pb in a panel of width wp) for 4 rows, stored under mask m. */
  private void k4x1(float[] x, int r, float[] y, int pb, int wp, int col, VectorMask<Float> m) {
    final int in = this.in;
    final float[] w = packed;
    FloatVector a0 = FloatVector.fromArray(S, bias, col);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    int x0 = r * in;
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    for (int k = 0, o = pb; k < in; k++, o += wp) {
      FloatVector w0 = FloatVector.fromArray(S, w, o);
      a0 = w0.fma(FloatVector.broadcast(S, x[x0 + k]), a0);
      a1 = w0.fma(FloatVector.broadcast(S, x[x1 + k]), a1);
      a2 = w0.fma(FloatVector.broadcast(S, x[x2 + k]), a2);
      a3 = w0.fma(FloatVector.broadcast(S, x[x3 + k]), a3);
    }
    int y0 = r * out + col;
    store(a0, y, y0, m);
    store(a1, y, y0 + out, m);
    store(a2, y, y0 + 2 * out, m);
    store(a3, y, y0 + 3 * out, m);
  }

  private void k1x1(float[] x, int r, float[] y, int pb, int wp, int col, VectorMask<Float> m) {
    final int in = this.in;
    final float[] w = packed;
    FloatVector a0 = FloatVector.fromArray(S, bias, col);
    int x0 = r * in;
    for (int k = 0, o = pb; k < in; k++, o += wp) {
      a0 = FloatVector.fromArray(S, w, o).fma(FloatVector.broadcast(S, x[x0 + k]), a0);
    }
    store(a0, y, r * out + col, m);
  }

  /** {@link #k4x3} from the int8 copy: sums of q * x from zero, then * scale + bias, stored unactivated. */
  private void k4x3q(float[] x, int r, float[] y, int pb, int col0) {
    final int in = this.in;
    final byte[] w = packedQ;
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = a00;
    FloatVector a02 = a00;
    FloatVector a10 = a00;
    FloatVector a11 = a00;
    FloatVector a12 = a00;
    FloatVector a20 = a00;
    FloatVector a21 = a00;
    FloatVector a22 = a00;
    FloatVector a30 = a00;
    FloatVector a31 = a00;
    FloatVector a32 = a00;
    int x0 = r * in;
    int x1 = x0 + in;
    int x2 = x1 + in;
    int x3 = x2 + in;
    for (int k = 0, o = pb; k < in; k++, o += PW) {
      FloatVector w0 = (FloatVector) ByteVector.fromArray(B, w, o).convertShape(VectorOperators.B2F, S, 0);
      FloatVector w1 = (FloatVector) ByteVector.fromArray(B, w, o + V).convertShape(VectorOperators.B2F, S, 0);
      FloatVector w2 = (FloatVector) ByteVector.fromArray(B, w, o + 2 * V).convertShape(VectorOperators.B2F, S, 0);
      FloatVector b = FloatVector.broadcast(S, x[x0 + k]);
      a00 = w0.fma(b, a00);
      a01 = w1.fma(b, a01);
      a02 = w2.fma(b, a02);
      b = FloatVector.broadcast(S, x[x1 + k]);
      a10 = w0.fma(b, a10);
      a11 = w1.fma(b, a11);
      a12 = w2.fma(b, a12);
      b = FloatVector.broadcast(S, x[x2 + k]);
      a20 = w0.fma(b, a20);
      a21 = w1.fma(b, a21);
      a22 = w2.fma(b, a22);
      b = FloatVector.broadcast(S, x[x3 + k]);
      a30 = w0.fma(b, a30);
      a31 = w1.fma(b, a31);
      a32 = w2.fma(b, a32);
    }
    FloatVector s0 = FloatVector.fromArray(S, scaleQ, col0);
    FloatVector s1 = FloatVector.fromArray(S, scaleQ, col0 + V);
    FloatVector s2 = FloatVector.fromArray(S, scaleQ, col0 + 2 * V);
    FloatVector c0 = FloatVector.fromArray(S, bias, col0);
    FloatVector c1 = FloatVector.fromArray(S, bias, col0 + V);
    FloatVector c2 = FloatVector.fromArray(S, bias, col0 + 2 * V);
    int y0 = r * out + col0;
    a00.fma(s0, c0).intoArray(y, y0);
    a01.fma(s1, c1).intoArray(y, y0 + V);
    a02.fma(s2, c2).intoArray(y, y0 + 2 * V);
    y0 += out;
    a10.fma(s0, c0).intoArray(y, y0);
    a11.fma(s1, c1).intoArray(y, y0 + V);
    a12.fma(s2, c2).intoArray(y, y0 + 2 * V);
    y0 += out;
    a20.fma(s0, c0).intoArray(y, y0);
    a21.fma(s1, c1).intoArray(y, y0 + V);
    a22.fma(s2, c2).intoArray(y, y0 + 2 * V);
    y0 += out;
    a30.fma(s0, c0).intoArray(y, y0);
    a31.fma(s1, c1).intoArray(y, y0 + V);
    a32.fma(s2, c2).intoArray(y, y0 + 2 * V);
  }

  /** One row of {@link #k4x3q}. */
  private void k4x3q1(float[] x, int r, float[] y, int pb, int col0) {
    final int in = this.in;
    final byte[] w = packedQ;
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    int x0 = r * in;
    for (int k = 0, o = pb; k < in; k++, o += PW) {
      FloatVector b = FloatVector.broadcast(S, x[x0 + k]);
      a0 = ((FloatVector) ByteVector.fromArray(B, w, o).convertShape(VectorOperators.B2F, S, 0)).fma(b, a0);
      a1 = ((FloatVector) ByteVector.fromArray(B, w, o + V).convertShape(VectorOperators.B2F, S, 0)).fma(b, a1);
      a2 = ((FloatVector) ByteVector.fromArray(B, w, o + 2 * V).convertShape(VectorOperators.B2F, S, 0)).fma(b, a2);
    }
    int y0 = r * out + col0;
    a0.fma(FloatVector.fromArray(S, scaleQ, col0), FloatVector.fromArray(S, bias, col0)).intoArray(y, y0);
    a1.fma(FloatVector.fromArray(S, scaleQ, col0 + V), FloatVector.fromArray(S, bias, col0 + V)).intoArray(y, y0 + V);
    a2.fma(FloatVector.fromArray(S, scaleQ, col0 + 2 * V), FloatVector.fromArray(S, bias, col0 + 2 * V))
        .intoArray(y, y0 + 2 * V);
  }

  private static void store(FloatVector v, float[] y, int at) {
    v.intoArray(y, at);
  }

  private static void store(FloatVector v, float[] y, int at, VectorMask<Float> m) {
    v.intoArray(y, at, m);
  }

  /**
   * GELU over rows [r0, r1) x columns [col0, col0 + cols) of y, in place. A pass of its own after the products rather
   * than inside the kernels: inlined there, the erf polynomial made the kernels too big for C2 to inline the Vector
   * API calls, and GELU fell back to boxed vectors (12% of a profile of question encoding).
   */
  private void geluBlock(float[] y, int r0, int r1, int col0, int cols) {
    for (int r = r0; r < r1; r++) {
      int at = r * out + col0;
      int j = 0;
      for (; j + V <= cols; j += V) {
        Activations.gelu(FloatVector.fromArray(S, y, at + j)).intoArray(y, at + j);
      }
      if (j < cols) {
        VectorMask<Float> m = S.indexInRange(j, cols);
        Activations.gelu(FloatVector.fromArray(S, y, at + j, m)).intoArray(y, at + j, m);
      }
    }
  }
}
