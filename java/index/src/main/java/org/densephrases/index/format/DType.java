package org.densephrases.index.format;

import org.densephrases.kernels.VectorType;

/**
 * The element type a file header declares (the {@code dtype} field). The first three codes are the kernels'
 * {@code dp_vector_type}; PQ8 marks product-quantized codes (one uint8 per sub-quantizer); NONE marks files that hold
 * no vectors (metadata, manifest).
 */
public enum DType {
  /** 32-bit IEEE floats. */
  FP32(0, 4),
  /** 16-bit IEEE floats. */
  FP16(1, 2),
  /** Signed 8-bit codes with a scale per dimension. */
  INT8(2, 1),
  /** Product-quantized codes: one uint8 per sub-quantizer. */
  PQ8(3, 1),
  /** No vectors (metadata and manifest files). */
  NONE(255, 0);

  /** The code written in the header. */
  public final int code;
  /** Bytes per element. */
  public final int bytes;

  DType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /**
   * The type with this header code, or null.
   *
   * @param code a header dtype code
   * @return the type, or null for an unknown code
   */
  public static DType ofCode(int code) {
    for (DType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /**
   * The file type of a kernel vector type.
   *
   * @param t a kernel vector type
   * @return FP32, FP16 or INT8, the constant of the same name
   */
  public static DType of(VectorType t) {
    return switch (t) {
      case FP32 -> FP32;
      case FP16 -> FP16;
      case INT8 -> INT8;
    };
  }

  /**
   * The kernels' vector type, for FP32, FP16 and INT8.
   *
   * @return the vector type
   * @throws IllegalStateException for PQ8 and NONE
   */
  public VectorType vectorType() {
    return switch (this) {
      case FP32 -> VectorType.FP32;
      case FP16 -> VectorType.FP16;
      case INT8 -> VectorType.INT8;
      default -> throw new IllegalStateException(this + " is not a kernel vector type");
    };
  }
}
