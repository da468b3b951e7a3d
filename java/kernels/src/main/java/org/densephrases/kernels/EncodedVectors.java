package org.densephrases.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A row-major (count)(dim) array of vectors in host memory (heap or mapped file), stored as FP32, FP16 or INT8
 * with a per-dimension offset and scale ({@code x[d] = offset[d] + scale[d] * code}; a global offset/scale is the
 * same value repeated). Little-endian, like every on-disk format of the project.
 *
 * <p>This class is a view: it never owns the segment it wraps (whoever mapped or allocated it closes it).
 */
public final class EncodedVectors {
  /** Little-endian float32, any alignment. */
  public static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  /** Little-endian float16 bits, any alignment. */
  public static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final VectorType type;
  private final long count;
  private final int dim;
  private final MemorySegment data;
  private final float[] offset;
  private final float[] scale;

  private EncodedVectors(VectorType type, MemorySegment data, long count, int dim, float[] offset, float[] scale) {
    Checks.checkDim(dim);
    Checks.require(count >= 0, "count must be >= 0, got " + count);
    Checks.require(data != null, "data segment is null");
    long need = count * dim * (long) type.bytes;
    Checks.require(
        data.byteSize() == need,
        type + " data holds " + data.byteSize() + " bytes, expected " + count + " x " + dim + " x " + type.bytes
            + " = " + need);
    if (type == VectorType.INT8) {
      Checks.require(offset != null && offset.length == dim, "INT8 offset must have dim=" + dim + " entries");
      Checks.require(scale != null && scale.length == dim, "INT8 scale must have dim=" + dim + " entries");
      Checks.checkFinite("offset", offset);
      Checks.checkFinite("scale", scale);
    }
    this.type = type;
    this.count = count;
    this.dim = dim;
    this.data = data;
    this.offset = offset;
    this.scale = scale;
  }

  /**
   * FP32 vectors over a segment.
   *
   * @param data (count)(dim) little-endian floats
   * @param count the number of rows
   * @param dim the number of floats per vector
   * @return a view over {@code data} (not copied)
   */
  public static EncodedVectors fp32(MemorySegment data, long count, int dim) {
    return new EncodedVectors(VectorType.FP32, data, count, dim, null, null);
  }

  /**
   * FP16 vectors over a segment.
   *
   * @param data (count)(dim) little-endian float16 values
   * @param count the number of rows
   * @param dim the number of floats per vector
   * @return a view over {@code data} (not copied)
   */
  public static EncodedVectors fp16(MemorySegment data, long count, int dim) {
    return new EncodedVectors(VectorType.FP16, data, count, dim, null, null);
  }

  /**
   * INT8 codes with per-dimension offset and scale (both copied).
   *
   * @param data (count)(dim) signed byte codes
   * @param count the number of rows
   * @param dim the number of floats per vector
   * @param offset per-dimension offsets: {@code x[d] = offset[d] + scale[d] * code}
   * @param scale per-dimension scales
   * @return a view over {@code data} (not copied)
   */
  public static EncodedVectors int8(MemorySegment data, long count, int dim, float[] offset, float[] scale) {
    return new EncodedVectors(
        VectorType.INT8, data, count, dim, offset == null ? null : offset.clone(), scale == null ? null : scale.clone());
  }

  /**
   * INT8 codes with one offset and scale for every dimension (the reference system's int8 dump).
   *
   * @param data (count)(dim) signed byte codes
   * @param count the number of rows
   * @param dim the number of floats per vector
   * @param offset the offset of every dimension
   * @param scale the scale of every dimension
   * @return a view over {@code data} (not copied)
   */
  public static EncodedVectors int8(MemorySegment data, long count, int dim, float offset, float scale) {
    float[] o = new float[dim];
    float[] s = new float[dim];
    Arrays.fill(o, offset);
    Arrays.fill(s, scale);
    return new EncodedVectors(VectorType.INT8, data, count, dim, o, s);
  }

  /**
   * FP32 vectors on the heap, copied from {@code values} (count = values.length / dim).
   *
   * @param values (count)(dim) floats
   * @param dim the number of floats per vector
   * @return FP32 vectors in a heap segment
   */
  public static EncodedVectors ofFloats(float[] values, int dim) {
    Checks.checkDim(dim);
    Checks.require(values.length % dim == 0, "values.length " + values.length + " is not a multiple of dim " + dim);
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
    MemorySegment.copy(values, 0, seg, FLOAT_LE, 0, values.length);
    return fp32(seg, values.length / dim, dim);
  }

  /**
   * FP16 vectors on the heap, rounded from {@code values}.
   *
   * @param values (count)(dim) floats
   * @param dim the number of floats per vector
   * @return FP16 vectors in a heap segment (round to nearest even)
   */
  public static EncodedVectors fp16OfFloats(float[] values, int dim) {
    Checks.checkDim(dim);
    Checks.require(values.length % dim == 0, "values.length " + values.length + " is not a multiple of dim " + dim);
    MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 2]);
    for (int i = 0; i < values.length; i++) {
      seg.setAtIndex(SHORT_LE, i, Float.floatToFloat16(values[i]));
    }
    return fp16(seg, values.length / dim, dim);
  }

  /**
   * INT8 vectors on the heap from raw codes (copied).
   *
   * @param codes (count)(dim) signed byte codes
   * @param dim the number of floats per vector
   * @param offset per-dimension offsets
   * @param scale per-dimension scales
   * @return INT8 vectors in a heap segment
   */
  public static EncodedVectors int8OfCodes(byte[] codes, int dim, float[] offset, float[] scale) {
    Checks.checkDim(dim);
    Checks.require(codes.length % dim == 0, "codes.length " + codes.length + " is not a multiple of dim " + dim);
    return int8(MemorySegment.ofArray(codes.clone()), codes.length / dim, dim, offset, scale);
  }

  /** {@return the element type} */
  public VectorType type() {
    return type;
  }

  /** {@return the number of rows} */
  public long count() {
    return count;
  }

  /** {@return the dimension of every row} */
  public int dim() {
    return dim;
  }

  /**
   * The raw bytes, (count)(dim) elements of {@link #type()}.
   *
   * @return the data segment
   */
  public MemorySegment data() {
    return data;
  }

  /**
   * Per-dimension offsets (INT8 only, else null). Do not modify.
   *
   * @return the offsets or null
   */
  public float[] offset() {
    return offset;
  }

  /**
   * Per-dimension scales (INT8 only, else null). Do not modify.
   *
   * @return the scales or null
   */
  public float[] scale() {
    return scale;
  }

  /** {@return the size of the data in bytes} */
  public long byteSize() {
    return data.byteSize();
  }

  /**
   * The decoded value of element (row, d). The reference definition every backend follows.
   *
   * @param row the row, 0 to {@link #count()} - 1
   * @param d the dimension
   * @return the value as a float
   */
  public float get(long row, int d) {
    long i = row * dim + d;
    return switch (type) {
      case FP32 -> data.getAtIndex(FLOAT_LE, i);
      case FP16 -> Float.float16ToFloat(data.getAtIndex(SHORT_LE, i));
      case INT8 -> offset[d] + scale[d] * data.get(ValueLayout.JAVA_BYTE, i);
    };
  }

  /**
   * Decodes one row into {@code out[0..dim)}.
   *
   * @param row the row, 0 to {@link #count()} - 1
   * @param out receives {@code dim} floats
   */
  public void decodeRow(long row, float[] out) {
    for (int d = 0; d < dim; d++) {
      out[d] = get(row, d);
    }
  }

  @Override
  public String toString() {
    return "EncodedVectors[" + type + ", " + count + " x " + dim + "]";
  }
}
