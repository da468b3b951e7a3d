package org.densephrases.index.format;

import org.densephrases.kernels.VectorType;

/**
 * The element type a file header declares (the {@code dtype} field). The first three codes are the kernels'
 * {@code dp_vector_type}; PQ8 marks product-quantized codes (one uint8 per sub-quantizer); NONE marks files that hold
 * no vectors (metadata, manifest).
 */
public enum DType {
  FP32(0, 4),
  FP16(1, 2),
  INT8(2, 1),
  PQ8(3, 1),
  NONE(255, 0);

  public final int code;
  public final int bytes;

  DType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** The type with this header code, or null. */
  public static DType ofCode(int code) {
    for (DType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  public static DType of(VectorType t) {
    return switch (t) {
      case FP32 -> FP32;
      case FP16 -> FP16;
      case INT8 -> INT8;
    };
  }

  /** The kernels' vector type, for FP32, FP16 and INT8. */
  public VectorType vectorType() {
    return switch (this) {
      case FP32 -> VectorType.FP32;
      case FP16 -> VectorType.FP16;
      case INT8 -> VectorType.INT8;
      default -> throw new IllegalStateException(this + " is not a kernel vector type");
    };
  }
}
