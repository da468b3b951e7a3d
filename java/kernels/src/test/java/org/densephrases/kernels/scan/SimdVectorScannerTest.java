package org.densephrases.kernels.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TestData;
import org.junit.jupiter.api.Test;

class SimdVectorScannerTest extends VectorScannerContractTest {
  @Override
  protected KernelBackend backend() {
    return Backends.byName("simd");
  }

  /** The lookup kernel 256-bit machines run (the contract tests here may run the gather kernel instead). */
  @Test
  void pqLookupsFourRowsAtATimeEqualTheReferenceBitForBit() {
    Random r = new Random(12);
    for (int m : new int[] {1, 3, 16, 48, 97}) {
      int n = 37; // 9 groups of four and a tail of one
      PqCodes pq = randomPq(r, n, m, 2);
      float[] lut = new float[m * 256];
      ScalarVectorScanner.buildLut(pq, TestData.gaussian(r, m * 2, 1f), 0, lut);
      byte[] codes = new byte[n * m];
      MemorySegment.copy(pq.codes(), ValueLayout.JAVA_BYTE, 0, codes, 0, n * m);
      float[] got = new float[n];
      SimdPq.scoresScalar(codes, n, m, lut, 0, got);
      for (int row = 0; row < n; row++) {
        assertEquals(Float.floatToIntBits(ScalarVectorScanner.pqScore(pq, row, lut)), Float.floatToIntBits(got[row]),
            "m=" + m + " row " + row);
      }
    }
  }
}
