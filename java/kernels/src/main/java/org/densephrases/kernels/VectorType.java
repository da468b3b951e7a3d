package org.densephrases.kernels;

/** Element type of an {@link EncodedVectors} array; codes match {@code dp_vector_type} in densephrases.h. */
public enum VectorType {
  /** float32. */
  FP32(0, 4),
  /** IEEE binary16. */
  FP16(1, 2),
  /** Signed int8 code c, decoded as {@code offset[d] + scale[d] * c}. */
  INT8(2, 1);

  /** The value of {@code dp_vector_type} for this type. */
  public final int nativeCode;
  /** Bytes per element. */
  public final int bytes;

  VectorType(int nativeCode, int bytes) {
    this.nativeCode = nativeCode;
    this.bytes = bytes;
  }
}
