package org.densephrases.kernels.loss;

import org.densephrases.kernels.Parallel;
import org.densephrases.kernels.SimdDots;

/**
 * In-batch + pre-batch loss with the Vector API, in three phases:
 * <ol>
 *   <li>logits, both sides: each candidate row against all question rows ({@link SimdDots#dots}, four question
 *       rows per pass), split over candidate rows;
 *   <li>softmax and loss per question row (cheap: batch x (batch + cache) exponentials, vectorized);
 *   <li>gradients gradQ_s = dl_s @ cand_s and gradP_s = dl_s[:, :batch]^T @ q_s with a register-blocked product
 *       ({@link SimdMatrices#gemm}), split over output rows.
 * </ol>
 * Phases 1 and 3 run on {@link Parallel} threads when the batch is large enough to pay for the hand-off.
 */
public final class SimdNegativeLoss extends NegativeLoss {
  /** A loss on the shared {@link org.densephrases.kernels.Parallel} pool. */
  public SimdNegativeLoss() {}


  @Override
  protected LossResult computeChecked(float[] qStart, float[] qEnd, float[] pStart, float[] pEnd,
      float[] cacheStart, float[] cacheEnd, int batch, int cache, int dim) {
    int n = batch + cache;
    long work = 5L * batch * n * dim; // two sides of logits, gradQ, gradP (gradP is batch x batch)
    int tasks = Parallel.tasksFor(work, Math.max(1, batch / 4));

    // Phase 1: logitsT (side)(candidate)(question): a candidate is the "query" of dots() against question rows.
    float[][] logitsT = {new float[n * batch], new float[n * batch]};
    float[][] q = {qStart, qEnd};
    float[][] p = {pStart, pEnd};
    float[][] c = {cacheStart, cacheEnd};
    Parallel.forEach(tasks, t -> {
      for (int side = 0; side < 2; side++) {
        for (int j = n * t / tasks; j < n * (t + 1) / tasks; j++) {
          float[] src = j < batch ? p[side] : c[side];
          int off = (j < batch ? j : j - batch) * dim;
          SimdDots.dots(q[side], 0, batch, dim, src, off, 0f, logitsT[side], j * batch);
        }
      }
    });

    // Phase 2: softmax per row; dl (side)(question)(candidate).
    float[][] dl = {new float[batch * n], new float[batch * n]};
    float[] dlT0 = new float[batch * batch]; // (candidate < batch)(question): gradP's left factor
    float[] dlT1 = new float[batch * batch];
    float[][] dlT = {dlT0, dlT1};
    double[] loss = new double[2];
    float[] logits = new float[batch * n];
    float scale = (float) (1.0 / (2.0 * batch));
    for (int side = 0; side < 2; side++) {
      transpose(logitsT[side], n, batch, logits);
      double total = 0;
      for (int i = 0; i < batch; i++) {
        total += SimdMatrices.softmaxRow(logits, i, n, scale, dl[side]);
      }
      loss[side] = total / batch;
      for (int i = 0; i < batch; i++) {
        for (int j = 0; j < batch; j++) {
          dlT[side][j * batch + i] = dl[side][i * n + j];
        }
      }
    }

    // Phase 3: gradients, split over output rows.
    float[] gqStart = new float[batch * dim];
    float[] gqEnd = new float[batch * dim];
    float[] gpStart = new float[batch * dim];
    float[] gpEnd = new float[batch * dim];
    float[][] gq = {gqStart, gqEnd};
    float[][] gp = {gpStart, gpEnd};
    Parallel.forEach(tasks, t -> {
      // Split at multiples of 4 rows so each task keeps the 4-row micro-kernel.
      int blocks = (batch + 3) / 4;
      int from = Math.min(batch, 4 * (blocks * t / tasks));
      int to = Math.min(batch, 4 * (blocks * (t + 1) / tasks));
      for (int side = 0; side < 2; side++) {
        SimdMatrices.gemm(dl[side], n, from, to, p[side], batch, c[side], cache, dim, gq[side]);
        SimdMatrices.gemm(dlT[side], batch, from, to, q[side], batch, null, 0, dim, gp[side]);
      }
    });
    return new LossResult(
        (float) ((loss[0] + loss[1]) / 2), (float) loss[0], (float) loss[1], gqStart, gqEnd, gpStart, gpEnd);
  }

  /** out (cols)(rows) = in (rows)(cols) transposed. */
  private static void transpose(float[] in, int rows, int cols, float[] out) {
    for (int r = 0; r < rows; r++) {
      for (int col = 0; col < cols; col++) {
        out[col * rows + r] = in[r * cols + col];
      }
    }
  }
}
