package org.densephrases.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.UnsupportedBackendException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Device buffers and streams on a real GPU (skipped without one). */
class CudaMemoryTest {

  @BeforeAll
  static void needsGpu() {
    try {
      Backends.byName("cuda");
    } catch (UnsupportedBackendException e) {
      CudaTestSupport.skipOrFail(e);
    }
  }

  @Test
  void roundTripThroughDeviceMemoryInChunks() {
    Random r = new Random();
    // larger than one copy chunk, and not a multiple of it
    float[] host = new float[(int) (DeviceBuffer.COPY_CHUNK / 4) + 12345];
    for (int i = 0; i < host.length; i++) {
      host[i] = r.nextFloat();
    }
    float[] back = new float[host.length];
    try (CudaStream s = CudaStream.create(); DeviceBuffer b = DeviceBuffer.copyOf(host, s)) {
      b.copyTo(MemorySegment.ofArray(back), 0, s);
      s.synchronize();
    }
    assertArrayEquals(host, back);
  }

  @Test
  void useAfterCloseAndOutOfRangeCopiesThrowInsteadOfCrashing() {
    try (CudaStream s = CudaStream.create()) {
      DeviceBuffer b = DeviceBuffer.allocate(64);
      assertThrows(IndexOutOfBoundsException.class,
          () -> b.copyFrom(MemorySegment.ofArray(new byte[65]), 0, s));
      b.close();
      b.close(); // idempotent
      assertThrows(IllegalStateException.class, b::address);
    }
  }

  @Test
  void outOfMemoryBecomesAJavaExceptionWithCudasMessage() {
    CudaException e = assertThrows(CudaException.class, () -> DeviceBuffer.allocate(1L << 50)); // 1 PiB
    assertTrue(e.isOutOfMemory(), e.getMessage());
    assertTrue(e.getMessage().contains("dp_malloc"), e.getMessage());
    // the device still works afterwards
    try (DeviceBuffer ok = DeviceBuffer.allocate(1024)) {
      assertTrue(ok.address() != 0);
    }
  }
}
