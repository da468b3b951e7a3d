package org.densephrases.index.quant;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;

/**
 * SQ8: one signed byte per dimension, {@code x[d] ~ offset[d] + scale[d] * c}, with a per-dimension range trained
 * as the min and max of a sample (the range maps to codes -128..127). Values outside the trained range are clipped.
 * The same decoding as the kernels' INT8 {@link EncodedVectors}, so codes are scanned as they are.
 */
public final class ScalarQuantizer {
  private final int dim;
  private final float[] offset;
  private final float[] scale;

  /**
   * A quantizer with a given range per dimension: {@code x[d] = offset[d] + scale[d] * code}.
   *
   * @param offset per-dimension offsets (copied)
   * @param scale per-dimension scales, finite and positive (copied)
   * @throws IllegalArgumentException when the lengths differ or a value is not finite or a scale not positive
   */
  public ScalarQuantizer(float[] offset, float[] scale) {
    Checks.require(offset.length == scale.length, "offset and scale differ in length");
    Checks.checkDim(offset.length);
    for (int d = 0; d < scale.length; d++) {
      Checks.require(scale[d] > 0 && Float.isFinite(scale[d]) && Float.isFinite(offset[d]),
          "dimension " + d + ": scale must be finite and > 0, offset finite");
    }
    this.dim = offset.length;
    this.offset = offset.clone();
    this.scale = scale.clone();
  }

  /**
   * Trains the per-dimension range on (n)(dim) sample vectors.
   *
   * @param sample (n)(dim) training vectors
   * @param n the number of vectors
   * @param dim the number of floats per vector
   * @return a quantizer mapping each dimension's sample min and max to -128 and 127
   */
  public static ScalarQuantizer train(float[] sample, int n, int dim) {
    Checks.checkLength("sample", sample, n, dim);
    Checks.require(n >= 1, "SQ8 training needs at least one vector");
    float[] min = new float[dim];
    float[] max = new float[dim];
    java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
    java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dim; d++) {
        float x = sample[i * dim + d];
        min[d] = Math.min(min[d], x);
        max[d] = Math.max(max[d], x);
      }
    }
    float[] offset = new float[dim];
    float[] scale = new float[dim];
    for (int d = 0; d < dim; d++) {
      float range = max[d] - min[d];
      scale[d] = range > 0 ? range / 255f : 1f;
      offset[d] = range > 0 ? min[d] + 128f * scale[d] : min[d];
    }
    return new ScalarQuantizer(offset, scale);
  }

  /** {@return the vector dimension} */
  public int dim() {
    return dim;
  }

  /**
   * Do not modify.
   *
   * @return the per-dimension offsets
   */
  public float[] offset() {
    return offset;
  }

  /**
   * Do not modify.
   *
   * @return the per-dimension scales
   */
  public float[] scale() {
    return scale;
  }

  /**
   * Encodes x[xOff..xOff+dim) into out[outOff..outOff+dim).
   *
   * @param x the vector's array
   * @param xOff where the vector starts
   * @param out receives {@code dim} codes
   * @param outOff where in {@code out} they go
   */
  public void encode(float[] x, int xOff, byte[] out, int outOff) {
    for (int d = 0; d < dim; d++) {
      float c = Math.round((x[xOff + d] - offset[d]) / scale[d]);
      out[outOff + d] = (byte) Math.max(-128f, Math.min(127f, c));
    }
  }

  /**
   * Decodes one code.
   *
   * @param code the signed byte code
   * @param d its dimension
   * @return {@code offset[d] + scale[d] * code}
   */
  public float decode(byte code, int d) {
    return offset[d] + scale[d] * code;
  }

  /**
   * Codes (count)(dim) as kernel vectors.
   *
   * @param codes (count)(dim) code bytes
   * @param count the number of vectors
   * @return INT8 vectors over {@code codes} (not copied) with this quantizer's offsets and scales
   */
  public EncodedVectors view(MemorySegment codes, long count) {
    return EncodedVectors.int8(codes, count, dim, offset, scale);
  }
}
