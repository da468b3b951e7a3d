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

  /** Trains the per-dimension range on (n)(dim) sample vectors. */
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

  public int dim() {
    return dim;
  }

  /** Do not modify. */
  public float[] offset() {
    return offset;
  }

  /** Do not modify. */
  public float[] scale() {
    return scale;
  }

  /** Encodes x[xOff..xOff+dim) into out[outOff..outOff+dim). */
  public void encode(float[] x, int xOff, byte[] out, int outOff) {
    for (int d = 0; d < dim; d++) {
      float c = Math.round((x[xOff + d] - offset[d]) / scale[d]);
      out[outOff + d] = (byte) Math.max(-128f, Math.min(127f, c));
    }
  }

  public float decode(byte code, int d) {
    return offset[d] + scale[d] * code;
  }

  /** Codes (count)(dim) as kernel vectors. */
  public EncodedVectors view(MemorySegment codes, long count) {
    return EncodedVectors.int8(codes, count, dim, offset, scale);
  }
}
