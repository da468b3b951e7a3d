package org.densephrases.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A BERT encoder on the GPU: libdensephrases' {@code dp_bert_*} (densephrases.h section 4), float32 weights uploaded
 * once and float32 arithmetic on the device. Its Java twin is java/encoder's {@code JavaBert} with the question heads
 * of {@code JavaPhraseModel}: HuggingFace BertModel without the pooler (post-LayerNorm layers, absolute positions,
 * token types, exact erf GELU), rows of tokens then padding (an attention mask of 1s then 0s).
 *
 * <p>Use: {@link #create}, then {@link #set} every weight (HuggingFace names without prefix, plus {@code heads.O.weight}
 * and {@code heads.O.bias} for the linear heads on the first token), then {@link #encode} from any threads. Close it
 * when no encode is running. The library's entry points are bound on first use, so a library without them (older than
 * this jar) fails here and nowhere else.
 */
public final class CudaBert implements AutoCloseable {
  /** The most layers (DP_BERT_MAX_LAYERS). */
  public static final int MAX_LAYERS = 64;
  /** The largest head dimension, hidden / heads (DP_BERT_MAX_HEAD_DIM). */
  public static final int MAX_HEAD_DIM = 128;
  /** The most linear heads on the first token (DP_BERT_MAX_OUTPUTS). */
  public static final int MAX_OUTPUTS = 2;
  /** The most tokens per row of one call (DP_BERT_MAX_SEQ). */
  public static final int MAX_SEQ = 512;
  /** The most rows of one call (DP_BERT_MAX_BATCH). */
  public static final int MAX_BATCH = 4096;
  /** Output: each row's first token, through the heads when there are any (DP_BERT_FIRST). */
  public static final int FIRST = 0;
  /** Output: every token's last hidden state, 0 after the row's length (DP_BERT_ALL). */
  public static final int ALL = 1;

  /**
   * The encoder's shape (HuggingFace BertConfig's fields).
   *
   * @param vocabSize the number of token ids
   * @param hiddenSize the width of each token vector (a multiple of 4 and of numHeads)
   * @param numLayers the number of transformer layers
   * @param numHeads the attention heads per layer
   * @param intermediateSize the width of the feed-forward layer (a multiple of 4)
   * @param maxPositions the most tokens per row (position embeddings)
   * @param typeVocabSize the number of token types
   * @param layerNormEps the LayerNorm epsilon
   */
  public record Shape(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
      int maxPositions, int typeVocabSize, float layerNormEps) {}

  /** The dp_bert_* downcalls, bound once. */
  private static final class Bindings {
    private static volatile Bindings instance;
    final MethodHandle create;
    final MethodHandle setTensor;
    final MethodHandle encode;
    final MethodHandle destroy;

    private Bindings(NativeLibrary lib) {
      create = lib.downcall("dp_bert_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
      setTensor = lib.downcall("dp_bert_set_tensor", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
          JAVA_LONG));
      encode = lib.downcall("dp_bert_encode", FunctionDescriptor.of(JAVA_INT,
          ADDRESS, ADDRESS, ADDRESS, ADDRESS, // model, h_ids, h_types, h_lengths
          JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)); // batch, seq, output, d_out, stream
      destroy = lib.downcall("dp_bert_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    static Bindings get() {
      Bindings b = instance;
      if (b == null) {
        synchronized (Bindings.class) {
          b = instance;
          if (b == null) {
            b = new Bindings(NativeLibrary.get());
            instance = b;
          }
        }
      }
      return b;
    }
  }

  private final Dp dp;
  private final Bindings calls;
  private final Shape shape;
  private final int outputs;
  private final int device;
  private volatile MemorySegment handle;

  private CudaBert(Dp dp, Bindings calls, Shape shape, int outputs, int device, MemorySegment handle) {
    this.dp = dp;
    this.calls = calls;
    this.shape = shape;
    this.outputs = outputs;
    this.device = device;
    this.handle = handle;
  }

  /**
   * A model of this shape with no weights yet (nothing is allocated on the device before the first {@link #set}).
   *
   * @param shape the encoder's shape
   * @param outputs linear heads (hidden)(hidden) applied to the first token, 0 to {@link #MAX_OUTPUTS}
   * @return the model; the caller closes it
   * @throws org.densephrases.kernels.UnsupportedBackendException when the library or a device is missing, or the
   *     library has no dp_bert entry points
   * @throws IllegalArgumentException when the library refuses the shape (the message says why)
   */
  public static CudaBert create(Shape shape, int outputs) {
    CudaBackend.create(); // the library and a device, or UnsupportedBackendException saying why
    Dp dp = Dp.get();
    Bindings calls = Bindings.get();
    int device = Integer.getInteger(CudaBackend.DEVICE_PROPERTY, 0);
    try (Arena a = Arena.ofConfined()) {
      // dp_bert_config: 7 ints, a float, an int (no padding)
      MemorySegment cfg = a.allocate(36, 4);
      int[] ints = {shape.vocabSize(), shape.hiddenSize(), shape.numLayers(), shape.numHeads(),
          shape.intermediateSize(), shape.maxPositions(), shape.typeVocabSize()};
      for (int i = 0; i < ints.length; i++) {
        cfg.set(JAVA_INT, 4L * i, ints[i]);
      }
      cfg.set(JAVA_FLOAT, 28, shape.layerNormEps());
      cfg.set(JAVA_INT, 32, outputs);
      MemorySegment out = a.allocate(ADDRESS);
      int st = (int) calls.create.invokeExact(cfg, out);
      dp.check(st, "dp_bert_create");
      return new CudaBert(dp, calls, shape, outputs, device, out.get(ADDRESS, 0));
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  /** {@return the encoder's shape} */
  public Shape shape() {
    return shape;
  }

  /** {@return the number of linear heads on the first token} */
  public int outputs() {
    return outputs;
  }

  private MemorySegment handle() {
    MemorySegment h = handle;
    if (h == null) {
      throw new IllegalStateException("the CUDA BERT model is closed");
    }
    return h;
  }

  /** The calling thread's current device is the model's (CUDA's current device is per host thread). */
  private void useDevice() throws Throwable {
    int st = (int) dp.setDevice.invokeExact(device);
    dp.check(st, "dp_set_device(" + device + ")");
  }

  /**
   * Copies one weight to the device (finished on return).
   *
   * @param name its name, e.g. {@code encoder.layer.0.attention.self.query.weight} or {@code heads.1.bias}
   * @param values its values, row-major (dense weights (out)(in))
   * @throws IllegalArgumentException an unknown name or a wrong number of values
   */
  public void set(String name, float[] values) {
    try (Arena a = Arena.ofConfined()) {
      useDevice();
      MemorySegment n = a.allocateFrom(name);
      MemorySegment v = a.allocateFrom(JAVA_FLOAT, values); // off the heap: the copy may take milliseconds
      int st = (int) calls.setTensor.invokeExact(handle(), n, v, (long) values.length);
      dp.check(st, "dp_bert_set_tensor(" + name + ")");
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }

  /**
   * Encodes a batch. {@code output} {@link #FIRST}: (max(1, outputs))(batch)(hidden), head o of row b at
   * {@code ((o * batch) + b) * hidden}, or the first token's hidden state without heads; {@link #ALL}:
   * (batch)(seq)(hidden), 0 after each row's length.
   *
   * @param ids token ids (batch)(seq), row-major; values after a row's length are not read
   * @param types token types (batch)(seq), or null for all 0
   * @param lengths each row's tokens, 1 to seq (and at most the model's positions)
   * @param seq the row width of ids and types, 1 to {@link #MAX_SEQ}
   * @param output {@link #FIRST} or {@link #ALL}
   * @return the output as described
   * @throws IllegalArgumentException a bad size, length, id or type (the library names it)
   */
  public float[] encode(int[] ids, int[] types, int[] lengths, int seq, int output) {
    int batch = lengths.length;
    if (batch < 1 || batch > MAX_BATCH || seq < 1 || seq > MAX_SEQ) {
      throw new IllegalArgumentException("batch must be in [1, " + MAX_BATCH + "] and seq in [1, " + MAX_SEQ
          + "], got " + batch + " and " + seq);
    }
    if (ids.length != batch * seq || (types != null && types.length != batch * seq)) {
      throw new IllegalArgumentException("ids and types must hold batch x seq = " + batch * seq + " values, got "
          + ids.length + " and " + (types == null ? "none" : types.length));
    }
    if (output != FIRST && output != ALL) {
      throw new IllegalArgumentException("output must be FIRST or ALL, got " + output);
    }
    int h = shape.hiddenSize();
    long n = output == FIRST ? (long) Math.max(1, outputs) * batch * h : (long) batch * seq * h;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("the output of " + n + " floats does not fit a Java array");
    }
    float[] out = new float[(int) n];
    try (Arena a = Arena.ofConfined(); CudaContext c = CudaContext.acquire()) {
      useDevice();
      MemorySegment hIds = a.allocateFrom(JAVA_INT, ids);
      MemorySegment hTypes = types == null ? MemorySegment.NULL : a.allocateFrom(JAVA_INT, types);
      MemorySegment hLengths = a.allocateFrom(JAVA_INT, lengths);
      long oOut = c.reserve(4L * n);
      c.commit();
      int st = (int) calls.encode.invokeExact(handle(), hIds, hTypes, hLengths, batch, seq, output, c.ptr(oOut),
          c.streamHandle());
      dp.check(st, "dp_bert_encode");
      c.download(out, oOut);
      c.stream().synchronize();
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
    return out;
  }

  /** Frees the device memory (after the device has finished with it); later calls throw. */
  @Override
  public synchronized void close() {
    MemorySegment h = handle;
    if (h == null) {
      return;
    }
    handle = null;
    try {
      int st = (int) calls.destroy.invokeExact(h);
      dp.check(st, "dp_bert_destroy");
    } catch (Throwable t) {
      throw Dp.rethrow(t);
    }
  }
}
