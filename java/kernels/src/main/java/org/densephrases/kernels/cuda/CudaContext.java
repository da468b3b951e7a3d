package org.densephrases.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What one kernel call needs besides resident data: a stream and a device workspace for its small inputs and
 * outputs (queries, candidates, results). Calls borrow a context from a pool and give it back, so concurrent
 * callers (many request threads, virtual threads too) each get their own stream and the pool never holds more
 * contexts than there were simultaneous calls. The workspace only grows; it is never shrunk.
 *
 * <p>Use: {@code try (CudaContext c = CudaContext.acquire()) { long a = c.reserve(n); ... c.run(); }}.
 */
final class CudaContext implements AutoCloseable {
  private static final ConcurrentLinkedQueue<CudaContext> POOL = new ConcurrentLinkedQueue<>();
  private static final long ALIGN = 256;

  private final Dp dp;
  private final CudaStream stream;
  private DeviceBuffer workspace;
  private long used;

  private CudaContext(Dp dp) {
    this.dp = dp;
    this.stream = CudaStream.create();
  }

  static CudaContext acquire() {
    CudaContext c = POOL.poll();
    if (c == null) {
      c = new CudaContext(Dp.get());
    }
    c.used = 0;
    return c;
  }

  Dp dp() {
    return dp;
  }

  CudaStream stream() {
    return stream;
  }

  MemorySegment streamHandle() {
    return stream.handle();
  }

  /**
   * Reserves {@code bytes} of workspace and returns its offset. All reservations of a call are made first, then
   * {@link #commit()} makes sure the workspace is large enough and {@link #address(long)} resolves offsets.
   */
  long reserve(long bytes) {
    long off = used;
    used += (bytes + ALIGN - 1) / ALIGN * ALIGN;
    return off;
  }

  /** Grows the workspace to hold every reservation made so far. */
  void commit() {
    if (workspace == null || workspace.byteSize() < used) {
      if (workspace != null) {
        stream.synchronize();
        workspace.close();
        workspace = null;
      }
      // grow geometrically so that a slowly rising size does not reallocate on every call
      long size = Math.max(used, workspace == null ? 1L << 20 : 0);
      size = Math.max(size, Long.highestOneBit(Math.max(used, 1)) << 1);
      workspace = DeviceBuffer.allocate(size);
    }
  }

  /** Device address of a reserved offset. */
  long address(long offset) {
    return workspace.address(offset);
  }

  MemorySegment ptr(long offset) {
    return Dp.ptr(address(offset));
  }

  void upload(long offset, MemorySegment host) {
    DeviceBuffer.copyH2D(dp, address(offset), host, host.byteSize(), stream);
  }

  void upload(long offset, float[] host) {
    upload(offset, MemorySegment.ofArray(host));
  }

  void upload(long offset, long[] host) {
    upload(offset, MemorySegment.ofArray(host));
  }

  void upload(long offset, int[] host) {
    upload(offset, MemorySegment.ofArray(host));
  }

  void download(MemorySegment host, long offset) {
    DeviceBuffer.copyD2H(dp, host, address(offset), host.byteSize(), stream);
  }

  void download(float[] host, long offset) {
    download(MemorySegment.ofArray(host), offset);
  }

  void download(long[] host, long offset) {
    download(MemorySegment.ofArray(host), offset);
  }

  /** Gives the context back to the pool (after waiting for its stream, so the next user starts clean). */
  @Override
  public void close() {
    try {
      stream.synchronize();
    } catch (CudaException e) {
      // a failed stream may be unusable: drop this context rather than pool it
      discard();
      throw e;
    }
    POOL.offer(this);
  }

  private void discard() {
    try {
      if (workspace != null) {
        workspace.close();
      }
    } catch (RuntimeException ignored) {
      // the device may be in an error state; the original error is what the caller needs
    }
    try {
      stream.close();
    } catch (RuntimeException ignored) {
      // as above
    }
  }
}
