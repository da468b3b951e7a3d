package org.densephrases.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar operands that autograd can keep.
 *
 * <p>Why: DJL's PyTorch {@code x.mul(2f)} / {@code x.div(2f)} / {@code x.maximum(0f)} wrap the number in a tensor made
 * with {@code from_blob} over a Java direct ByteBuffer and close that wrapper right after the op. Autograd keeps the
 * operand for the backward pass (d(x*c)/dx needs c), but the buffer belongs to the closed wrapper: once the garbage
 * collector frees it, backward reads freed memory. We saw exactly that: NaN gradients in every parameter (and later a
 * SIGSEGV) on the first step after a GC, never in small runs without one. {@code full()} allocates in PyTorch's own
 * memory, which the saved tensor keeps alive. Use these for every scalar mul/div/maximum on the training path.
 */
public final class Scalars {
  private Scalars() {}

  /**
   * A 0-d tensor holding {@code v}, owned by PyTorch, on {@code like}'s manager, device and type.
   *
   * @param like the array whose manager, device and data type the scalar takes
   * @param v the scalar's value
   * @return the scalar tensor
   */
  public static NDArray of(NDArray like, float v) {
    return like.getManager().full(new Shape(), v, like.getDataType()).toDevice(like.getDevice(), false);
  }

  /**
   * Multiplies by a scalar on the array's own device (no host round trip).
   *
   * @param x the tensor, on any device
   * @param v the factor
   * @return {@code x * v}
   */
  public static NDArray mul(NDArray x, float v) {
    return x.mul(of(x, v));
  }

  /**
   * Divides by a scalar on the array's own device (no host round trip).
   *
   * @param x the tensor, on any device
   * @param v the divisor
   * @return {@code x / v}
   */
  public static NDArray div(NDArray x, float v) {
    return x.div(of(x, v));
  }
}
