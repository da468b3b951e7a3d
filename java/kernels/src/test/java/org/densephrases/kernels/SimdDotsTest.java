package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SIMD building blocks the contract tests rely on: exact FP16 decoding and position-independent sums. */
class SimdDotsTest {
  @RegisterExtension final SeedExtension seeds = new SeedExtension();

  @Test
  void fp16DecodeIsBitwiseFloat16ToFloatForAllNonNaNValues() {
    MemorySegment seg = MemorySegment.ofArray(new byte[65536 * 2]);
    for (int h = 0; h < 65536; h++) {
      seg.setAtIndex(EncodedVectors.SHORT_LE, h, (short) h);
    }
    float[] out = new float[65536];
    for (int rep = 0; rep < 3; rep++) { // interpreted first, then compiled
      SimdDots.decodeFp16(seg, 0, 65536, out);
      for (int h = 0; h < 65536; h++) {
        float expected = Float.float16ToFloat((short) h);
        if (Float.isNaN(expected)) {
          // NaN payloads are not pinned down: the JIT's vcvtph2ps sets the quiet bit, the Java code does not.
          assertEquals(true, Float.isNaN(out[h]), "half 0x" + Integer.toHexString(h) + " is a NaN");
        } else {
          assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[h]),
              "half 0x" + Integer.toHexString(h));
        }
      }
    }
  }

  @Test
  void equalStoredRowsScoreBitwiseEqualAtAnyPosition() {
    Random r = seeds.random();
    for (Encoding enc : Encoding.values()) {
      for (int dim : TestData.DIMS) {
        int n = 11; // two blocks of four, then three rows alone
        float[] row = TestData.gaussian(r, dim, 1f);
        float[] values = new float[n * dim];
        for (int i = 0; i < n; i++) {
          System.arraycopy(row, 0, values, i * dim, dim);
        }
        EncodedVectors v = enc.encode(values, dim, r);
        float[] w = TestData.gaussian(r, dim, 1f);
        float[] scratch = new float[SimdDots.scratchFloats(dim)];
        float[] out = new float[n];
        float[] one = new float[1];
        for (int rep = 0; rep < 100; rep++) {
          SimdDots.scoreRows(v, 0, n, w, 0, -0.5f, out, 0, scratch);
          for (int i = 0; i < n; i++) {
            SimdDots.scoreRows(v, i, 1, w, 0, -0.5f, one, 0, scratch);
            assertEquals(out[0], out[i], 0f, enc + " dim " + dim + " row " + i + " in a block");
            assertEquals(out[0], one[0], 0f, enc + " dim " + dim + " row " + i + " alone");
          }
        }
      }
    }
  }

  @Test
  void equalRowsScoreBitwiseEqualAtAnyPositionInABlock() {
    Random r = seeds.random();
    for (int dim : TestData.DIMS) {
      float[] row = TestData.gaussian(r, dim, 1f);
      float[] w = TestData.gaussian(r, dim, 1f);
      int n = 11; // two blocks of four, then three rows alone
      float[] x = new float[n * dim];
      for (int i = 0; i < n; i++) {
        System.arraycopy(row, 0, x, i * dim, dim);
      }
      float[] out = new float[n];
      for (int rep = 0; rep < 200; rep++) { // long enough for the JIT to compile dots() in between
        SimdDots.dots(x, 0, n, dim, w, 0, 0.25f, out, 0);
        float single = 0.25f + SimdDots.dot(row, 0, w, 0, dim);
        for (int i = 0; i < n; i++) {
          assertEquals(single, out[i], 0f, "dim " + dim + " row " + i);
        }
      }
    }
  }
}
