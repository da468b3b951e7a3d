package org.densephrases.kernels;

import java.util.Random;

/** The storage variants every kernel test runs over: the three types, INT8 with per-dimension and global scales. */
public enum Encoding {
  FP32,
  FP16,
  INT8_PER_DIM,
  INT8_GLOBAL;

  /**
   * Random vectors (count)(dim) of this encoding. Floats are Gaussian; INT8 codes are uniform over all 256 values
   * with offsets around 0 and positive scales, so decoded values have both signs.
   */
  public EncodedVectors random(Random r, long count, int dim) {
    return encode(TestData.gaussian(r, (int) (count * dim), 1f), dim, r);
  }

  /**
   * Encodes given float values: FP32 as is, FP16 rounded, INT8 quantized with a random offset/scale (the decoded
   * values then differ from the input, which does not matter: every check decodes the stored codes).
   */
  public EncodedVectors encode(float[] values, int dim, Random r) {
    return switch (this) {
      case FP32 -> EncodedVectors.ofFloats(values, dim);
      case FP16 -> EncodedVectors.fp16OfFloats(values, dim);
      case INT8_PER_DIM, INT8_GLOBAL -> {
        float[] offset = new float[dim];
        float[] scale = new float[dim];
        float go = (float) (r.nextGaussian() * 0.1);
        float gs = 0.01f + 0.02f * r.nextFloat();
        for (int d = 0; d < dim; d++) {
          offset[d] = this == INT8_GLOBAL ? go : (float) (r.nextGaussian() * 0.1);
          scale[d] = this == INT8_GLOBAL ? gs : 0.005f + 0.03f * r.nextFloat();
        }
        byte[] codes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
          int d = i % dim;
          long c = Math.round((values[i] - offset[d]) / scale[d]);
          codes[i] = (byte) Math.max(-128, Math.min(127, c));
        }
        yield EncodedVectors.int8OfCodes(codes, dim, offset, scale);
      }
    };
  }

  public VectorType type() {
    return this == FP32 ? VectorType.FP32 : this == FP16 ? VectorType.FP16 : VectorType.INT8;
  }
}
