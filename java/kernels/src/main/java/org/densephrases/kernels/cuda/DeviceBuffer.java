package org.densephrases.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Device memory owned by this object: {@link #close()} frees it (once; later use throws). Views of it are plain
 * addresses ({@link #address(long)}) and never own anything. Copies go through chunks of at most
 * {@link #COPY_CHUNK} bytes so that a copy from a Java array (a critical downcall pins it) never holds the garbage
 * collector for long.
 */
public final class DeviceBuffer implements AutoCloseable {
  static final long COPY_CHUNK = 64L << 20;

  private final Dp dp;
  private final long bytes;
  private long address;

  private DeviceBuffer(Dp dp, long address, long bytes) {
    this.dp = dp;
    this.address = address;
    this.bytes = bytes;
  }

  /**
   * Allocates {@code bytes} (at least 1) of device memory on the current device.
   *
   * @param bytes the size in bytes
   * @return the buffer; the caller closes it
   * @throws CudaException when the device is out of memory
   */
  public static DeviceBuffer allocate(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    Dp dp = Dp.get();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int st = (int) dp.malloc.invokeExact(out, Math.max(bytes, 1L));
      dp.check(st, "dp_malloc(" + bytes + " bytes)");
      return new DeviceBuffer(dp, out.get(ADDRESS, 0).address(), bytes);
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  /**
   * A device copy of {@code host} (all its bytes), finished when this returns.
   *
   * @param host the bytes to copy
   * @param stream the stream the copy is ordered on
   * @return the buffer; the caller closes it
   */
  public static DeviceBuffer copyOf(MemorySegment host, CudaStream stream) {
    DeviceBuffer b = allocate(host.byteSize());
    try {
      b.copyFrom(host, 0, stream);
      stream.synchronize();
      return b;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  /**
   * A device copy of a float array, finished when this returns.
   *
   * @param host the floats to copy
   * @param stream the stream the copy is ordered on
   * @return the buffer; the caller closes it
   */
  public static DeviceBuffer copyOf(float[] host, CudaStream stream) {
    return copyOf(MemorySegment.ofArray(host), stream);
  }

  /**
   * A device copy of a long array, finished when this returns.
   *
   * @param host the longs to copy
   * @param stream the stream the copy is ordered on
   * @return the buffer; the caller closes it
   */
  public static DeviceBuffer copyOf(long[] host, CudaStream stream) {
    return copyOf(MemorySegment.ofArray(host), stream);
  }

  /** {@return the size in bytes} */
  public long byteSize() {
    return bytes;
  }

  /**
   * The device address of byte {@code offset}.
   *
   * @param offset a byte offset, 0 to {@link #byteSize()}
   * @return the buffer's device address plus {@code offset}
   * @throws IllegalStateException when the buffer is closed
   */
  public long address(long offset) {
    if (address == 0) {
      throw new IllegalStateException("device buffer is closed");
    }
    if (offset < 0 || offset > bytes) {
      throw new IndexOutOfBoundsException("offset " + offset + " outside a buffer of " + bytes + " bytes");
    }
    return address + offset;
  }

  /** {@return the device address of the first byte} */
  public long address() {
    return address(0);
  }

  /**
   * Copies all of {@code host} to this buffer at {@code deviceOffset} (stream-ordered; see class doc).
   *
   * @param host the bytes to copy
   * @param deviceOffset where in this buffer they go
   * @param stream the stream the copy is ordered on
   */
  public void copyFrom(MemorySegment host, long deviceOffset, CudaStream stream) {
    copyH2D(dp, address(deviceOffset), host, checkRange(deviceOffset, host.byteSize()), stream);
  }

  /**
   * Copies {@code host.byteSize()} bytes from this buffer at {@code deviceOffset} into {@code host}.
   *
   * @param host receives the bytes
   * @param deviceOffset where in this buffer they are read
   * @param stream the stream the copy is ordered on
   */
  public void copyTo(MemorySegment host, long deviceOffset, CudaStream stream) {
    copyD2H(dp, host, address(deviceOffset), checkRange(deviceOffset, host.byteSize()), stream);
  }

  private long checkRange(long off, long len) {
    if (off < 0 || len < 0 || off + len > bytes) {
      throw new IndexOutOfBoundsException(
          "copy of " + len + " bytes at offset " + off + " outside a device buffer of " + bytes + " bytes");
    }
    return len;
  }

  static void copyH2D(Dp dp, long dst, MemorySegment host, long len, CudaStream stream) {
    try {
      for (long done = 0; done < len; done += COPY_CHUNK) {
        long n = Math.min(COPY_CHUNK, len - done);
        int st = (int) dp.memcpyH2D.invokeExact(Dp.ptr(dst + done), host.asSlice(done, n), n, stream.handle());
        dp.check(st, "dp_memcpy_h2d(" + n + " bytes)");
      }
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  static void copyD2H(Dp dp, MemorySegment host, long src, long len, CudaStream stream) {
    try {
      for (long done = 0; done < len; done += COPY_CHUNK) {
        long n = Math.min(COPY_CHUNK, len - done);
        int st = (int) dp.memcpyD2H.invokeExact(host.asSlice(done, n), Dp.ptr(src + done), n, stream.handle());
        dp.check(st, "dp_memcpy_d2h(" + n + " bytes)");
      }
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  @Override
  public void close() {
    if (address == 0) {
      return;
    }
    long a = address;
    address = 0;
    try {
      int st = (int) dp.free.invokeExact(Dp.ptr(a));
      dp.check(st, "dp_free");
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  static ValueLayout layout() {
    return ADDRESS;
  }
}
