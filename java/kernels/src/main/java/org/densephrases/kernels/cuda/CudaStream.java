package org.densephrases.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A CUDA stream owned by this object; {@link #close()} synchronizes and destroys it. */
public final class CudaStream implements AutoCloseable {
  private final Dp dp;
  private MemorySegment handle;

  private CudaStream(Dp dp, MemorySegment handle) {
    this.dp = dp;
    this.handle = handle;
  }

  /**
   * Creates a CUDA stream on the current device.
   *
   * @return the stream; the caller closes it
   * @throws CudaException when the stream cannot be created
   */
  public static CudaStream create() {
    Dp dp = Dp.get();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int st = (int) dp.streamCreate.invokeExact(out);
      dp.check(st, "dp_stream_create");
      return new CudaStream(dp, out.get(ADDRESS, 0));
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  MemorySegment handle() {
    if (handle == null) {
      throw new IllegalStateException("stream is closed");
    }
    return handle;
  }

  /** Waits for everything queued on this stream; a failed kernel surfaces here as a CudaException. */
  public void synchronize() {
    try {
      int st = (int) dp.streamSynchronize.invokeExact(handle());
      dp.check(st, "dp_stream_synchronize");
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  @Override
  public void close() {
    if (handle == null) {
      return;
    }
    MemorySegment h = handle;
    handle = null;
    try {
      int st = (int) dp.streamDestroy.invokeExact(h);
      dp.check(st, "dp_stream_destroy");
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }
}
