package org.densephrases.kernels.loss;

import org.densephrases.kernels.ScalarDots;

/**
 * The reference in-batch + pre-batch loss: logits as float dot products, log-sum-exp and softmax in double with the
 * row maximum subtracted (finite for logits of any size), gradients accumulated in float. Every other backend is
 * tested against it.
 *
 * <p>Per side s: dlogits = (softmax(logits) - onehot(diagonal)) / (2 * batch), the 2 from averaging the two sides
 * and the batch from the mean over rows; then gradQ_s = dlogits @ cand_s and gradP_s = dlogits[:, :batch]^T @ q_s.
 */
public final class ScalarNegativeLoss extends NegativeLoss {
  /** The reference loss (stateless). */
  public ScalarNegativeLoss() {}


  @Override
  protected LossResult computeChecked(float[] qStart, float[] qEnd, float[] pStart, float[] pEnd,
      float[] cacheStart, float[] cacheEnd, int batch, int cache, int dim) {
    float[] gqStart = new float[batch * dim];
    float[] gqEnd = new float[batch * dim];
    float[] gpStart = new float[batch * dim];
    float[] gpEnd = new float[batch * dim];
    double startLoss = side(qStart, pStart, cacheStart, batch, cache, dim, gqStart, gpStart);
    double endLoss = side(qEnd, pEnd, cacheEnd, batch, cache, dim, gqEnd, gpEnd);
    return new LossResult(
        (float) ((startLoss + endLoss) / 2), (float) startLoss, (float) endLoss, gqStart, gqEnd, gpStart, gpEnd);
  }

  /** One side: returns mean_i (lse_i - logit_ii) and adds the gradients into gq, gp (both (batch)(dim), zero). */
  private static double side(float[] q, float[] p, float[] c, int batch, int cache, int dim, float[] gq, float[] gp) {
    int n = batch + cache;
    float[] logits = new float[batch * n]; // (batch)(batch + cache)
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < n; j++) {
        logits[i * n + j] = j < batch
            ? ScalarDots.dot(q, i * dim, p, j * dim, dim)
            : ScalarDots.dot(q, i * dim, c, (j - batch) * dim, dim);
      }
    }

    float[] dl = new float[batch * n]; // (batch)(batch + cache) gradient of the loss wrt the logits
    double total = 0;
    double scale = 1.0 / (2.0 * batch);
    for (int i = 0; i < batch; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, logits[i * n + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(logits[i * n + j] - max);
      }
      double lse = max + Math.log(sum);
      total += lse - logits[i * n + i];
      for (int j = 0; j < n; j++) {
        double prob = Math.exp(logits[i * n + j] - lse);
        dl[i * n + j] = (float) ((prob - (i == j ? 1.0 : 0.0)) * scale);
      }
    }

    // gradQ[i] = sum_j dl[i][j] cand[j]
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < n; j++) {
        float a = dl[i * n + j];
        float[] src = j < batch ? p : c;
        int off = (j < batch ? j : j - batch) * dim;
        for (int d = 0; d < dim; d++) {
          gq[i * dim + d] += a * src[off + d];
        }
      }
    }
    // gradP[j] = sum_i dl[i][j] q[i], for the batch columns only: the cache gets no gradient.
    for (int j = 0; j < batch; j++) {
      for (int i = 0; i < batch; i++) {
        float a = dl[i * n + j];
        for (int d = 0; d < dim; d++) {
          gp[j * dim + d] += a * q[i * dim + d];
        }
      }
    }
    return total / batch;
  }
}
