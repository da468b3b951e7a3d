package org.densephrases.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The FFM bindings of densephrases.h: one method handle per exported function, and {@link #check} turning a status
 * into an exception carrying {@code dp_last_error()}. Nothing here validates content: the kernel classes do that
 * before they get here. Device pointers travel as zero-length {@link MemorySegment}s (see {@link #ptr}).
 */
final class Dp {
  static final int OK = 0;
  static final int ERR_INVALID_ARGUMENT = 1;
  static final int ERR_NO_DEVICE = 2;
  static final int ERR_OUT_OF_MEMORY = 3;
  static final int ERR_CUDA = 4;
  static final int ERR_INTERNAL = 5;

  private static final ValueLayout SIZE_T = JAVA_LONG;

  final MethodHandle lastError;
  final MethodHandle deviceCount;
  final MethodHandle deviceInfo;
  final MethodHandle setDevice;
  final MethodHandle malloc;
  final MethodHandle free;
  final MethodHandle memInfo;
  final MethodHandle memcpyH2D;
  final MethodHandle memcpyD2H;
  final MethodHandle memcpyD2D;
  final MethodHandle memset;
  final MethodHandle streamCreate;
  final MethodHandle streamDestroy;
  final MethodHandle streamSynchronize;
  final MethodHandle spanScore;
  final MethodHandle scanFlat;
  final MethodHandle scanIvf;
  final MethodHandle scanIvfPq;
  final MethodHandle inbatchLoss;

  private static volatile Dp instance;

  private Dp(NativeLibrary lib) {
    lastError = lib.downcall("dp_last_error", FunctionDescriptor.of(ADDRESS));
    deviceCount = lib.downcall("dp_device_count", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    deviceInfo = lib.downcall("dp_device_info",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, SIZE_T, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    setDevice = lib.downcall("dp_set_device", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    malloc = lib.downcall("dp_malloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, SIZE_T));
    free = lib.downcall("dp_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    memInfo = lib.downcall("dp_mem_info", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    // critical: the host side may be a heap segment (a Java array) and the copy is bounded by the caller's chunking
    memcpyH2D = lib.downcall("dp_memcpy_h2d", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, SIZE_T, ADDRESS),
        Linker.Option.critical(true));
    memcpyD2H = lib.downcall("dp_memcpy_d2h", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, SIZE_T, ADDRESS),
        Linker.Option.critical(true));
    memcpyD2D = lib.downcall("dp_memcpy_d2d", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, SIZE_T, ADDRESS));
    memset = lib.downcall("dp_memset", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, SIZE_T, ADDRESS));
    streamCreate = lib.downcall("dp_stream_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    streamDestroy = lib.downcall("dp_stream_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    streamSynchronize = lib.downcall("dp_stream_synchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    spanScore = lib.downcall("dp_span_score", FunctionDescriptor.of(JAVA_INT,
        JAVA_INT, ADDRESS, ADDRESS, ADDRESS, // type, tokens, offset, scale
        JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, // num_tokens, dim, doc_starts, num_docs
        ADDRESS, ADDRESS, JAVA_INT, // q_start, q_end, num_queries
        ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, // candidates, num_candidates, max_len, direction, k
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, // cand_other, cand_score, top_start, top_end, top_score
        ADDRESS)); // stream
    scanFlat = lib.downcall("dp_scan_flat", FunctionDescriptor.of(JAVA_INT,
        JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, // type, codes, offset, scale, n, dim
        ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS)); // queries, nq, k, scores, ids, stream
    scanIvf = lib.downcall("dp_scan_ivf", FunctionDescriptor.of(JAVA_INT,
        JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, // type, codes, offset, scale, n, dim
        ADDRESS, JAVA_INT, ADDRESS, // list_offsets, nlist, ids
        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, // queries, nq, probes, nprobe, bias, k
        ADDRESS, ADDRESS, ADDRESS)); // scores, ids, stream
    scanIvfPq = lib.downcall("dp_scan_ivf_pq", FunctionDescriptor.of(JAVA_INT,
        ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, // codes, m, codebooks, n, dim
        ADDRESS, JAVA_INT, ADDRESS, // list_offsets, nlist, ids
        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, // queries, nq, probes, nprobe, bias, k
        ADDRESS, ADDRESS, ADDRESS)); // scores, ids, stream
    inbatchLoss = lib.downcall("dp_inbatch_loss", FunctionDescriptor.of(JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, // q_s, q_e, p_s, p_e, c_s, c_e
        JAVA_INT, JAVA_INT, JAVA_INT, // batch, cache, dim
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, // loss, gq_s, gq_e, gp_s, gp_e
        ADDRESS)); // stream
  }

  /** The bindings; throws UnsupportedBackendException when the library cannot be loaded. */
  static Dp get() {
    Dp d = instance;
    if (d == null) {
      synchronized (Dp.class) {
        d = instance;
        if (d == null) {
          d = new Dp(NativeLibrary.get());
          instance = d;
        }
      }
    }
    return d;
  }

  /** A device (or native) address as a zero-length segment; 0 is NULL. */
  static MemorySegment ptr(long address) {
    return address == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(address);
  }

  /** Throws the exception that {@code status} stands for, with the library's last error message. */
  void check(int status, String what) {
    if (status == OK) {
      return;
    }
    String msg = lastErrorMessage();
    String text = what + " failed: " + msg;
    if (status == ERR_INVALID_ARGUMENT) {
      throw new IllegalArgumentException(text);
    }
    throw new CudaException(status, text + " (dp_status " + status + ")");
  }

  String lastErrorMessage() {
    try {
      MemorySegment s = (MemorySegment) lastError.invokeExact();
      if (s.equals(MemorySegment.NULL)) {
        return "(no message)";
      }
      return s.reinterpret(4096).getString(0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }

  /** Reads an int written by a native call into a one-int scratch segment. */
  static int readInt(MemorySegment s) {
    return s.get(JAVA_INT, 0);
  }

  static Arena confined() {
    return Arena.ofConfined();
  }
}
