package org.densephrases.model.export;

/**
 * Symmetric per-row int8: value = q * scale[row], scale = max|row| / 127 (0 for an all-zero row).
 *
 * @param scales one scale per row, {@code max|row| / 127}; 0 for an all-zero row
 * @param values the quantized values, row-major, {@code rows * cols} of them in [-127, 127]
 * @param cols the row length (number of columns)
 */
public record Int8Rows(float[] scales, byte[] values, int cols) {
  /**
   * Quantizes a row-major matrix, each row with its own scale.
   *
   * @param v row-major values, at least {@code rows * cols} of them
   * @param rows the number of rows
   * @param cols the number of columns per row
   * @return the scales and int8 values (rounded to nearest, clamped to [-127, 127])
   */
  public static Int8Rows quantize(float[] v, int rows, int cols) {
    float[] scales = new float[rows];
    byte[] q = new byte[rows * cols];
    for (int r = 0; r < rows; r++) {
      float max = 0;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, Math.abs(v[r * cols + c]));
      }
      float s = max / 127f;
      scales[r] = s;
      for (int c = 0; c < cols; c++) {
        q[r * cols + c] = s == 0 ? 0 : (byte) Math.max(-127, Math.min(127, Math.round(v[r * cols + c] / s)));
      }
    }
    return new Int8Rows(scales, q, cols);
  }

  /**
   * Widens back to float32: {@code value[i] = q[i] * scales[i / cols]}.
   *
   * @return a new row-major array of {@code values().length} floats
   */
  public float[] dequantize() {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i] * scales[i / cols];
    }
    return out;
  }
}
