package org.densephrases.model.export;

/** Symmetric per-row int8: value = q * scale[row], scale = max|row| / 127 (0 for an all-zero row). */
public record Int8Rows(float[] scales, byte[] values, int cols) {
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

  public float[] dequantize() {
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i] * scales[i / cols];
    }
    return out;
  }
}
