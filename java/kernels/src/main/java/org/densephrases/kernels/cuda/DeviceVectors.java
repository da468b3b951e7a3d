package org.densephrases.kernels.cuda;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.EncodedVectors;

/** A device copy of an {@link EncodedVectors} array (codes, and for INT8 the offset and scale), owned here. */
final class DeviceVectors implements AutoCloseable {
  final EncodedVectors host;
  final DeviceBuffer data;
  final DeviceBuffer offset;
  final DeviceBuffer scale;

  private DeviceVectors(EncodedVectors host, DeviceBuffer data, DeviceBuffer offset, DeviceBuffer scale) {
    this.host = host;
    this.data = data;
    this.offset = offset;
    this.scale = scale;
  }

  static DeviceVectors upload(EncodedVectors v, CudaStream stream) {
    DeviceBuffer data = null;
    DeviceBuffer off = null;
    DeviceBuffer sc = null;
    try {
      data = DeviceBuffer.copyOf(v.data(), stream);
      if (v.offset() != null) {
        off = DeviceBuffer.copyOf(v.offset(), stream);
        sc = DeviceBuffer.copyOf(v.scale(), stream);
      }
      return new DeviceVectors(v, data, off, sc);
    } catch (RuntimeException e) {
      closeQuietly(data);
      closeQuietly(off);
      closeQuietly(sc);
      throw e;
    }
  }

  MemorySegment dataPtr() {
    return Dp.ptr(data.address());
  }

  MemorySegment offsetPtr() {
    return offset == null ? MemorySegment.NULL : Dp.ptr(offset.address());
  }

  MemorySegment scalePtr() {
    return scale == null ? MemorySegment.NULL : Dp.ptr(scale.address());
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // cleanup after an earlier failure: that failure is the one to report
    }
  }

  @Override
  public void close() {
    data.close();
    if (offset != null) {
      offset.close();
      scale.close();
    }
  }
}
