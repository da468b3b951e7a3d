package org.densephrases.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.densephrases.kernels.loss.LossResult;
import org.densephrases.kernels.loss.NegativeLoss;
import org.densephrases.model.bert.Scalars;

/**
 * The DensePhrases training objective on one batch of passage windows and their questions:
 *
 * <pre>
 *   L = lambda1 * L_single + lambda2 * L_distill + lambda3 * L_neg + lambdaFilter * L_filter
 * </pre>
 *
 * <ul>
 *   <li>L_single: start/end cross-entropy of each question over the context positions of its own window (everything
 *       else masked out of the softmax), averaged over questions, (start + end) / 2.
 *   <li>L_distill: KL(teacher || student) of the start and end distributions over the same positions, from cached
 *       teacher logits (questions without teacher logits are left out of the mean).
 *   <li>L_neg: in-batch + pre-batch negatives by the kernel library's {@link NegativeLoss}: row k scores q_k against
 *       the gold start (end) vectors of every question of the batch and of the pre-batch cache. The kernel gives the
 *       loss and its gradients; DJL sees the surrogate {@code sum(q * sg(G_q)) + sum(p * sg(G_p))} whose gradient
 *       with respect to q and p is exactly the kernel's (sg = stop gradient), so autograd carries the kernel's
 *       gradient into the encoders. The surrogate's value is meaningless; the reported value is the kernel's loss.
 *   <li>L_filter: binary cross-entropy of the filter head's start (end) logit against "is the gold start (end) of some
 *       question of this window", over context positions.
 * </ul>
 *
 * <p>Shapes: tokenVectors (B)(T)(H), filterLogits (B)(T)(2), qStart/qEnd (N)(H) for N questions.
 */
final class PhraseObjective {
  /** Added to masked logits: exp underflows to exactly 0 in float32 next to any real score. */
  static final float MASKED = -1e9f;

  /** Loss weights. lambda1: single-passage, lambda2: distillation, lambda3: negatives, filter: filter BCE. */
  public record Weights(float lambda1, float lambda2, float lambda3, float filter) {
    public static final Weights DEFAULT = new Weights(1f, 2f, 4f, 1f);
  }

  /** One batch's labels (all positions are window positions). */
  public record Labels(
      int[] unitOf, // (N) window row of each question
      int[] start, // (N)
      int[] end, // (N)
      float[][] contextMask, // (B)(T) 1 at context positions
      float[][] teacherStart, // (N)(T) teacher logits, or null rows / null array when absent
      float[][] teacherEnd) {}

  /** The terms (unweighted) and the value to differentiate. */
  public record Terms(NDArray total, float single, float distill, float negative, float filter, int distilled) {}

  private final NegativeLoss negatives;
  private final Weights weights;

  public PhraseObjective(NegativeLoss negatives, Weights weights) {
    this.negatives = negatives;
    this.weights = weights;
  }

  public Weights weights() {
    return weights;
  }

  /**
   * Computes the loss. {@code cache} holds earlier batches' gold vectors {start, end}, each (C)(H) flattened, or null.
   * The gold vectors of this batch come back in {@code goldOut[0..1]} (flattened (N)(H), detached) for the cache.
   */
  public Terms compute(NDManager nd, NDArray tokenVectors, NDArray filterLogits, NDArray qStart, NDArray qEnd,
      Labels labels, float[][] cache, int cacheRows, float[][] goldOut) {
    Shape hs = tokenVectors.getShape();
    int b = (int) hs.get(0);
    int t = (int) hs.get(1);
    int h = (int) hs.get(2);
    int n = labels.unitOf().length;
    if (qStart.getShape().get(0) != n || qEnd.getShape().get(0) != n) {
      throw new IllegalArgumentException(n + " labelled questions but " + qStart.getShape() + " question vectors");
    }
    // Per-question view of its window: logits[k][i] = q_k . h[unit_k][i]  (N)(T)
    NDArray sel = nd.create(oneHot(labels.unitOf(), b), new Shape(n, b, 1));
    NDArray flat = tokenVectors.reshape(b * t, h);
    NDArray startAll = flat.matMul(qStart.transpose()).reshape(b, t, n).transpose(2, 0, 1); // (N)(B)(T)
    NDArray endAll = flat.matMul(qEnd.transpose()).reshape(b, t, n).transpose(2, 0, 1);
    NDArray startLogits = startAll.mul(sel).sum(new int[] {1}); // (N)(T)
    NDArray endLogits = endAll.mul(sel).sum(new int[] {1});
    float[] maskBias = new float[n * t];
    for (int k = 0; k < n; k++) {
      float[] m = labels.contextMask()[labels.unitOf()[k]];
      for (int i = 0; i < t; i++) {
        maskBias[k * t + i] = m[i] > 0 ? 0f : MASKED;
      }
    }
    NDArray bias = nd.create(maskBias, new Shape(n, t));
    NDArray startLog = startLogits.add(bias).logSoftmax(1);
    NDArray endLog = endLogits.add(bias).logSoftmax(1);
    NDArray goldStart = nd.create(oneHot(labels.start(), t), new Shape(n, t));
    NDArray goldEnd = nd.create(oneHot(labels.end(), t), new Shape(n, t));
    NDArray single = div(startLog.mul(goldStart).sum().add(endLog.mul(goldEnd).sum()).neg(), 2f * n);

    NDArray total = mul(single, weights.lambda1());
    float distillValue = 0;
    int distilled = 0;
    if (weights.lambda2() != 0 && labels.teacherStart() != null) {
      float[] ts = new float[n * t];
      float[] te = new float[n * t];
      float[] rowOn = new float[n];
      for (int k = 0; k < n; k++) {
        float[] s = labels.teacherStart()[k];
        float[] e = labels.teacherEnd()[k];
        if (s == null) {
          continue;
        }
        rowOn[k] = 1;
        distilled++;
        for (int i = 0; i < t; i++) {
          boolean ctx = maskBias[k * t + i] == 0 && i < s.length;
          ts[k * t + i] = ctx ? s[i] : MASKED;
          te[k * t + i] = ctx ? e[i] : MASKED;
        }
      }
      if (distilled > 0) {
        NDArray on = nd.create(rowOn, new Shape(n, 1));
        NDArray tLogS = nd.create(ts, new Shape(n, t)).logSoftmax(1);
        NDArray tLogE = nd.create(te, new Shape(n, t)).logSoftmax(1);
        NDArray klS = tLogS.exp().mul(tLogS.sub(startLog)).mul(on).sum();
        NDArray klE = tLogE.exp().mul(tLogE.sub(endLog)).mul(on).sum();
        NDArray kl = div(klS.add(klE), 2f * distilled);
        distillValue = kl.getFloat();
        total = total.add(mul(kl, weights.lambda2()));
      }
    }

    // Gold vectors p_k = h[unit_k][gold_k]  (N)(H), by a one-hot matrix over the flattened (B*T) rows.
    int[] startRow = new int[n];
    int[] endRow = new int[n];
    for (int k = 0; k < n; k++) {
      startRow[k] = labels.unitOf()[k] * t + labels.start()[k];
      endRow[k] = labels.unitOf()[k] * t + labels.end()[k];
    }
    NDArray pStart = nd.create(oneHot(startRow, b * t), new Shape(n, b * t)).matMul(flat);
    NDArray pEnd = nd.create(oneHot(endRow, b * t), new Shape(n, b * t)).matMul(flat);
    float negValue = 0;
    if (weights.lambda3() != 0) {
      float[] qs = qStart.toFloatArray();
      float[] qe = qEnd.toFloatArray();
      float[] ps = pStart.toFloatArray();
      float[] pe = pEnd.toFloatArray();
      LossResult r = negatives.compute(qs, qe, ps, pe, cacheRows > 0 ? cache[0] : null,
          cacheRows > 0 ? cache[1] : null, n, cacheRows, h);
      negValue = r.loss();
      NDArray surrogate = surrogate(nd, qStart, qEnd, pStart, pEnd, r, n, h);
      total = total.add(mul(surrogate, weights.lambda3()));
      if (goldOut != null) {
        goldOut[0] = ps;
        goldOut[1] = pe;
      }
    } else if (goldOut != null) {
      goldOut[0] = pStart.toFloatArray();
      goldOut[1] = pEnd.toFloatArray();
    }

    float filterValue = 0;
    if (weights.filter() != 0) {
      NDArray f = filterLoss(nd, filterLogits, labels, b, t);
      filterValue = f.getFloat();
      total = total.add(mul(f, weights.filter()));
    }
    return new Terms(total, single.getFloat(), distillValue, negValue, filterValue, distilled);
  }

  /**
   * sum(q_s * G_qs) + sum(q_e * G_qe) + sum(p_s * G_ps) + sum(p_e * G_pe), the G constants: its gradient with respect
   * to each input is the kernel's gradient of the negative loss.
   */
  static NDArray surrogate(NDManager nd, NDArray qStart, NDArray qEnd, NDArray pStart, NDArray pEnd, LossResult r,
      int n, int h) {
    Shape s = new Shape(n, h);
    return qStart.mul(nd.create(r.gradQStart(), s)).sum()
        .add(qEnd.mul(nd.create(r.gradQEnd(), s)).sum())
        .add(pStart.mul(nd.create(r.gradPStart(), s)).sum())
        .add(pEnd.mul(nd.create(r.gradPEnd(), s)).sum());
  }

  /** Mean binary cross-entropy with logits over context positions and both channels. */
  static NDArray filterLoss(NDManager nd, NDArray filterLogits, Labels labels, int b, int t) {
    float[] target = new float[b * t * 2];
    float[] weight = new float[b * t * 2];
    int count = 0;
    for (int u = 0; u < b; u++) {
      for (int i = 0; i < t; i++) {
        if (labels.contextMask()[u][i] > 0) {
          weight[(u * t + i) * 2] = 1;
          weight[(u * t + i) * 2 + 1] = 1;
          count += 2;
        }
      }
    }
    for (int k = 0; k < labels.unitOf().length; k++) {
      int u = labels.unitOf()[k];
      target[(u * t + labels.start()[k]) * 2] = 1;
      target[(u * t + labels.end()[k]) * 2 + 1] = 1;
    }
    NDArray x = filterLogits;
    NDArray y = nd.create(target, new Shape(b, t, 2));
    NDArray w = nd.create(weight, new Shape(b, t, 2));
    // softplus(x) - y x, stably: max(x, 0) + log(1 + exp(-|x|)) - y x
    NDArray loss = x.maximum(Scalars.of(x, 0f)).add(x.abs().neg().exp().add(Scalars.of(x, 1f)).log()).sub(y.mul(x));
    return div(loss.mul(w).sum(), Math.max(1, count));
  }

  /** (n)(depth) one-hot rows, flattened. */
  static float[] oneHot(int[] idx, int depth) {
    float[] out = new float[idx.length * depth];
    for (int k = 0; k < idx.length; k++) {
      if (idx[k] < 0 || idx[k] >= depth) {
        throw new IllegalArgumentException("index " + idx[k] + " outside [0, " + depth + ")");
      }
      out[k * depth + idx[k]] = 1f;
    }
    return out;
  }

  /** The negative loss in plain DJL ops (the reference the kernel is tested against): (N)(H) inputs, (C)(H) cache. */
  public static NDArray negativeLossInDjl(NDArray qStart, NDArray qEnd, NDArray pStart, NDArray pEnd,
      NDArray cacheStart, NDArray cacheEnd) {
    NDArray s = side(qStart, pStart, cacheStart);
    NDArray e = side(qEnd, pEnd, cacheEnd);
    return div(s.add(e), 2f);
  }

  private static NDArray side(NDArray q, NDArray p, NDArray cache) {
    NDArray cand = cache == null ? p : p.concat(cache, 0);
    NDArray logits = q.matMul(cand.transpose()); // (N)(N + C)
    long n = q.getShape().get(0);
    NDArray logp = logits.logSoftmax(1);
    NDManager nd = q.getManager();
    float[] eye = new float[(int) (n * logits.getShape().get(1))];
    for (int i = 0; i < n; i++) {
      eye[(int) (i * logits.getShape().get(1) + i)] = 1;
    }
    return div(logp.mul(nd.create(eye, logits.getShape())).sum().neg(), n);
  }

  // Scalar operands through Scalars (PyTorch-owned memory): see Scalars for the use-after-free this avoids.
  private static NDArray mul(NDArray x, float v) {
    return Scalars.mul(x, v);
  }

  private static NDArray div(NDArray x, float v) {
    return Scalars.div(x, v);
  }
}
