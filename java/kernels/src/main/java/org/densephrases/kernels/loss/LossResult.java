package org.densephrases.kernels.loss;

/**
 * Loss and gradients of {@link NegativeLoss}: loss = (startLoss + endLoss) / 2; gradients of loss with respect to
 * each (batch)(dim) input (the cache gets none).
 */
public record LossResult(
    float loss,
    float startLoss,
    float endLoss,
    float[] gradQStart,
    float[] gradQEnd,
    float[] gradPStart,
    float[] gradPEnd) {}
