package org.densephrases.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.densephrases.kernels.util.FloatList;
import org.densephrases.kernels.util.LongList;

/**
 * One ONNX TensorProto (an initializer or a Constant's value). The payload stays in the file's byte array until
 * {@link #floats()} or {@link #longs()} decodes it.
 */
public final class OnnxTensor {
  // TensorProto.DataType values we decode.
  /** TensorProto data type FLOAT (float32). */
  public static final int FLOAT = 1;
  /** TensorProto data type INT32. */
  public static final int INT32 = 6;
  /** TensorProto data type INT64. */
  public static final int INT64 = 7;
  /** TensorProto data type FLOAT16. */
  public static final int FLOAT16 = 10;
  /** TensorProto data type DOUBLE (float64). */
  public static final int DOUBLE = 11;

  private final String name;
  private final long[] dims;
  private final int dataType;
  private final byte[] buf;
  private final int rawOffset; // -1 when the data is in a typed field
  private final int rawLength;
  private final float[] floatData;
  private final long[] longData; // int32_data or int64_data
  private final double[] doubleData;

  private OnnxTensor(String name, long[] dims, int dataType, byte[] buf, int rawOffset, int rawLength,
      float[] floatData, long[] longData, double[] doubleData) {
    this.name = name;
    this.dims = dims;
    this.dataType = dataType;
    this.buf = buf;
    this.rawOffset = rawOffset;
    this.rawLength = rawLength;
    this.floatData = floatData;
    this.longData = longData;
    this.doubleData = doubleData;
  }

  /** {@return the tensor's name} */
  public String name() {
    return name;
  }

  /** {@return a copy of its dims} */
  public long[] dims() {
    return dims.clone();
  }

  /** {@return its TensorProto data type (see the constants)} */
  public int dataType() {
    return dataType;
  }

  /** {@return the product of the dims (1 for a scalar)} */
  public long numElements() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  /**
   * Decodes FLOAT, FLOAT16 or DOUBLE data (raw_data little-endian, or the typed field) to float32.
   *
   * @return the values as float32, row-major
   */
  public float[] floats() {
    int n = checkedCount();
    float[] out = new float[n];
    if (rawOffset >= 0) {
      ByteBuffer bb = ByteBuffer.wrap(buf, rawOffset, rawLength).order(ByteOrder.LITTLE_ENDIAN);
      switch (dataType) {
        case FLOAT -> {
          expectRaw(n, 4);
          bb.asFloatBuffer().get(out);
        }
        case FLOAT16 -> {
          expectRaw(n, 2);
          for (int i = 0; i < n; i++) {
            out[i] = Float.float16ToFloat(bb.getShort());
          }
        }
        case DOUBLE -> {
          expectRaw(n, 8);
          for (int i = 0; i < n; i++) {
            out[i] = (float) bb.getDouble();
          }
        }
        default -> throw notType("float");
      }
      return out;
    }
    switch (dataType) {
      case FLOAT -> {
        expectTyped(floatData, n);
        System.arraycopy(floatData, 0, out, 0, n);
      }
      case DOUBLE -> {
        expectTyped(doubleData, n);
        for (int i = 0; i < n; i++) {
          out[i] = (float) doubleData[i];
        }
      }
      case FLOAT16 -> {
        // float16 without raw_data is stored bit-wise in int32_data.
        expectTyped(longData, n);
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat((short) longData[i]);
        }
      }
      default -> throw notType("float");
    }
    return out;
  }

  /**
   * Decodes INT32 or INT64 data.
   *
   * @return the values as longs, row-major
   */
  public long[] longs() {
    int n = checkedCount();
    if (dataType != INT64 && dataType != INT32) {
      throw notType("integer");
    }
    long[] out = new long[n];
    if (rawOffset >= 0) {
      int width = dataType == INT64 ? 8 : 4;
      expectRaw(n, width);
      ByteBuffer bb = ByteBuffer.wrap(buf, rawOffset, rawLength).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        out[i] = width == 8 ? bb.getLong() : bb.getInt();
      }
      return out;
    }
    expectTyped(longData, n);
    System.arraycopy(longData, 0, out, 0, n);
    return out;
  }

  private int checkedCount() {
    long n = numElements();
    if (n > Integer.MAX_VALUE - 8) {
      throw new OnnxFormatException("tensor '" + name + "' has " + n + " elements, more than one array holds");
    }
    return (int) n;
  }

  private void expectRaw(int n, int width) {
    if ((long) n * width != rawLength) {
      throw new OnnxFormatException("tensor '" + name + "' dims " + Arrays.toString(dims) + " need " + (long) n * width
          + " bytes of raw_data, found " + rawLength);
    }
  }

  private void expectTyped(Object arr, int n) {
    int len = arr == null ? 0 : java.lang.reflect.Array.getLength(arr);
    if (len != n) {
      throw new OnnxFormatException(
          "tensor '" + name + "' dims " + Arrays.toString(dims) + " need " + n + " values, found " + len);
    }
  }

  private OnnxFormatException notType(String want) {
    return new OnnxFormatException("tensor '" + name + "' has data_type " + dataType + ", not a " + want + " type");
  }

  @Override
  public String toString() {
    return name + Arrays.toString(dims) + " type " + dataType;
  }

  /** Parses a TensorProto message. */
  static OnnxTensor parse(ProtoReader r) {
    String name = "";
    LongList dims = new LongList(4);
    int dataType = 0;
    int rawOffset = -1;
    int rawLength = 0;
    FloatList floats = null;
    LongList longs = null;
    DoubleList doubles = null;
    boolean external = false;
    while (r.hasMore()) {
      int tag = r.readTag();
      int field = tag >>> 3;
      int wire = tag & 7;
      switch (field) {
        case 1 -> readLongs(r, wire, dims, false);
        case 2 -> dataType = (int) r.readVarint();
        case 4 -> {
          if (floats == null) {
            floats = new FloatList(16);
          }
          if (wire == ProtoReader.LEN) {
            ProtoReader p = r.readMessage("float_data");
            while (p.hasMore()) {
              floats.add(Float.intBitsToFloat(p.readFixed32()));
            }
          } else {
            floats.add(Float.intBitsToFloat(r.readFixed32()));
          }
        }
        case 5, 7, 11 -> { // int32_data, int64_data, uint64_data: varints
          if (longs == null) {
            longs = new LongList(4);
          }
          readLongs(r, wire, longs, field == 5);
        }
        case 8 -> name = r.readString();
        case 9 -> {
          int[] range = r.readBytesRange();
          rawOffset = range[0];
          rawLength = range[1];
        }
        case 10 -> {
          if (doubles == null) {
            doubles = new DoubleList();
          }
          if (wire == ProtoReader.LEN) {
            ProtoReader p = r.readMessage("double_data");
            while (p.hasMore()) {
              doubles.add(Double.longBitsToDouble(p.readFixed64()));
            }
          } else {
            doubles.add(Double.longBitsToDouble(r.readFixed64()));
          }
        }
        case 14 -> external = r.readVarint() == 1;
        default -> r.skip(wire);
      }
    }
    if (external) {
      throw new OnnxFormatException("tensor '" + name + "' keeps its data in an external file; only self-contained "
          + "ONNX files are supported");
    }
    return new OnnxTensor(name, dims.toArray(), dataType, r.buffer(), rawOffset, rawLength,
        floats == null ? null : floats.toArray(), longs == null ? null : longs.toArray(),
        doubles == null ? null : doubles.toArray());
  }

  static void readLongs(ProtoReader r, int wire, LongList out, boolean int32) {
    if (wire == ProtoReader.LEN) {
      ProtoReader p = r.readMessage("packed");
      while (p.hasMore()) {
        long v = p.readVarint();
        out.add(int32 ? (int) v : v);
      }
    } else {
      long v = r.readVarint();
      out.add(int32 ? (int) v : v);
    }
  }

  static final class DoubleList {
    private double[] a = new double[16];
    private int n;

    void add(double v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
