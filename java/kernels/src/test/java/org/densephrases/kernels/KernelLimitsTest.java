package org.densephrases.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every backend refuses the sizes the CUDA library cannot take, with the same message, before any work. */
class KernelLimitsTest {

  @ParameterizedTest
  @ValueSource(strings = {"scalar", "simd"})
  void lossColumnsBeyondTheLimitAreRefused(String backend) {
    float[] one = new float[4];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Backends.byName(backend).negativeLoss()
            .compute(one, one, one, one, one, one, 1, KernelLimits.MAX_LOSS_COLUMNS, 4));
    assertTrue(e.getMessage().contains("batch + cache"), e.getMessage());
  }
}
