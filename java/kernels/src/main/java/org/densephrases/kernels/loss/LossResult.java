package org.densephrases.kernels.loss;

/**
 * Loss and gradients of {@link NegativeLoss}: loss = (startLoss + endLoss) / 2; gradients of loss with respect to
 * each (batch)(dim) input (the cache gets none).
 *
 * @param loss {@code (startLoss + endLoss) / 2}
 * @param startLoss the start side's mean cross-entropy
 * @param endLoss the end side's mean cross-entropy
 * @param gradQStart (batch)(dim) gradient of the loss with respect to qStart
 * @param gradQEnd (batch)(dim) gradient with respect to qEnd
 * @param gradPStart (batch)(dim) gradient with respect to pStart
 * @param gradPEnd (batch)(dim) gradient with respect to pEnd
 */
public record LossResult(
    float loss,
    float startLoss,
    float endLoss,
    float[] gradQStart,
    float[] gradQEnd,
    float[] gradPStart,
    float[] gradPEnd) {}
