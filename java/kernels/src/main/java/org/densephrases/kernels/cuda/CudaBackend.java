package org.densephrases.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.AbstractKernelBackend;
import org.densephrases.kernels.UnsupportedBackendException;

/**
 * The CUDA kernels of libdensephrases through FFM, on device 0 (or {@code -Ddensephrases.cuda.device=N}).
 * {@link #create()} throws {@link UnsupportedBackendException} saying why when the library cannot be loaded or no
 * device answers.
 */
public final class CudaBackend extends AbstractKernelBackend {
  /** The system property choosing the CUDA device ordinal (default 0). */
  public static final String DEVICE_PROPERTY = "densephrases.cuda.device";
  private static volatile CudaBackend instance;

  private final long totalMemory;

  private CudaBackend(String device, long totalMemory) {
    super("cuda", device, new CudaSpanScorer(), new CudaVectorScanner(), new CudaNegativeLoss());
    this.totalMemory = totalMemory;
  }

  /**
   * The shared CUDA backend, created on first use.
   *
   * @return the process-wide CUDA backend
   * @throws org.densephrases.kernels.UnsupportedBackendException when the library cannot be loaded or no device
   *     answers (the message says why)
   */
  public static CudaBackend create() {
    CudaBackend b = instance;
    if (b != null) {
      return b;
    }
    synchronized (CudaBackend.class) {
      if (instance == null) {
        instance = probe();
      }
      return instance;
    }
  }

  private static CudaBackend probe() {
    Dp dp = Dp.get(); // throws UnsupportedBackendException when the library is missing
    int ordinal = Integer.getInteger(DEVICE_PROPERTY, 0);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_INT);
      int st = (int) dp.deviceCount.invokeExact(count);
      if (st != Dp.OK) {
        throw new UnsupportedBackendException("no CUDA device: " + dp.lastErrorMessage());
      }
      int n = count.get(JAVA_INT, 0);
      if (n <= 0) {
        throw new UnsupportedBackendException("no CUDA device: the driver reports 0 devices");
      }
      if (ordinal < 0 || ordinal >= n) {
        throw new UnsupportedBackendException(
            "-D" + DEVICE_PROPERTY + "=" + ordinal + " but only " + n + " CUDA devices exist");
      }
      st = (int) dp.setDevice.invokeExact(ordinal);
      dp.check(st, "dp_set_device(" + ordinal + ")");
      MemorySegment name = a.allocate(256);
      MemorySegment major = a.allocate(JAVA_INT);
      MemorySegment minor = a.allocate(JAVA_INT);
      MemorySegment mem = a.allocate(JAVA_LONG);
      MemorySegment sms = a.allocate(JAVA_INT);
      st = (int) dp.deviceInfo.invokeExact(ordinal, name, 256L, major, minor, mem, sms);
      dp.check(st, "dp_device_info(" + ordinal + ")");
      String desc = name.getString(0) + " (sm_" + major.get(JAVA_INT, 0) + minor.get(JAVA_INT, 0) + ", "
          + sms.get(JAVA_INT, 0) + " SMs, " + (mem.get(JAVA_LONG, 0) >> 20) + " MiB)";
      return new CudaBackend(desc, mem.get(JAVA_LONG, 0));
    } catch (UnsupportedBackendException | IllegalArgumentException e) {
      throw e;
    } catch (CudaException e) {
      throw new UnsupportedBackendException("CUDA device unusable: " + e.getMessage(), e);
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  /**
   * The library this backend uses, and where it was found.
   *
   * @return a description of the library file and how it was found
   */
  public static String libraryDescription() {
    return NativeLibrary.get().describe();
  }

  /** {@return the device's total memory in bytes} */
  public long totalMemory() {
    return totalMemory;
  }
}
