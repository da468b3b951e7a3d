package org.densephrases.kernels.loss;

import org.densephrases.kernels.Checks;

/**
 * Kernel family 3: in-batch + pre-batch negative loss, forward and backward.
 *
 * <p>For side s in {start, end}: {@code logits[i][j] = q_s[i] . cand_s[j]} over {@code cand_s = [p_s ; cache_s]}
 * (batch + cache columns), the target of row i is column i, and
 * {@code L_s = mean_i (logsumexp_j logits[i][j] - logits[i][i])}. The loss is {@code (L_start + L_end) / 2}; the
 * gradients are those of that loss with respect to q_start, q_end, p_start, p_end (no gradient reaches the cache:
 * it holds earlier batches' gold vectors). Numerically stable (max-subtracted), accumulated in float32 or wider.
 *
 * <p>This base class validates every call; implementations: {@code ScalarNegativeLoss} (the reference),
 * {@code SimdNegativeLoss}, {@code CudaNegativeLoss}.
 */
public abstract class NegativeLoss {
  /** For backends. */
  protected NegativeLoss() {}


  /**
   * Computes the loss and its gradients.
   *
   * @param qStart (batch)(dim)
   * @param qEnd (batch)(dim)
   * @param pStart (batch)(dim) gold start vectors
   * @param pEnd (batch)(dim) gold end vectors
   * @param cacheStart (cache)(dim) earlier batches' gold start vectors, or null when cache == 0
   * @param cacheEnd (cache)(dim), likewise
   * @param batch questions (and gold phrases) in the batch, at least 1
   * @param cache rows of the pre-batch cache, 0 or more
   * @param dim the number of floats per vector
   * @return the loss and gradients
   * @throws IllegalArgumentException when a size is out of range, an array has the wrong length, or an input holds a
   *     NaN or infinity
   */
  public final LossResult compute(
      float[] qStart, float[] qEnd, float[] pStart, float[] pEnd, float[] cacheStart, float[] cacheEnd, int batch,
      int cache, int dim) {
    Checks.require(batch >= 1, "batch must be >= 1, got " + batch);
    Checks.require(cache >= 0, "cache must be >= 0, got " + cache);
    Checks.checkDim(dim);
    Checks.require((long) batch + cache <= org.densephrases.kernels.KernelLimits.MAX_LOSS_COLUMNS,
        "batch + cache must be <= " + org.densephrases.kernels.KernelLimits.MAX_LOSS_COLUMNS + ", got "
            + ((long) batch + cache));
    Checks.checkLength("qStart", qStart, batch, dim);
    Checks.checkLength("qEnd", qEnd, batch, dim);
    Checks.checkLength("pStart", pStart, batch, dim);
    Checks.checkLength("pEnd", pEnd, batch, dim);
    Checks.checkFinite("qStart", qStart);
    Checks.checkFinite("qEnd", qEnd);
    Checks.checkFinite("pStart", pStart);
    Checks.checkFinite("pEnd", pEnd);
    if (cache > 0) {
      Checks.checkLength("cacheStart", cacheStart, cache, dim);
      Checks.checkLength("cacheEnd", cacheEnd, cache, dim);
      Checks.checkFinite("cacheStart", cacheStart);
      Checks.checkFinite("cacheEnd", cacheEnd);
    }
    return computeChecked(qStart, qEnd, pStart, pEnd, cacheStart, cacheEnd, batch, cache, dim);
  }

  protected abstract LossResult computeChecked(
      float[] qStart, float[] qEnd, float[] pStart, float[] pEnd, float[] cacheStart, float[] cacheEnd, int batch,
      int cache, int dim);
}
