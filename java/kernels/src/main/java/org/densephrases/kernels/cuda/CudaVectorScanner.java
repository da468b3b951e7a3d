package org.densephrases.kernels.cuda;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.scan.IvfLists;
import org.densephrases.kernels.scan.PqCodes;
import org.densephrases.kernels.scan.ScanTable;
import org.densephrases.kernels.scan.VectorScanner;

/** Scans by the CUDA kernels {@code dp_scan_flat}, {@code dp_scan_ivf} and {@code dp_scan_ivf_pq}, top-k fused. */
public final class CudaVectorScanner extends VectorScanner {
  /** A scanner on the CUDA backend (the library is loaded by the backend). */
  public CudaVectorScanner() {}


  /** A scan table with a device copy of its codes (and lists). */
  static final class DeviceScanTable extends ScanTable {
    final DeviceVectors vectors; // flat or IVF vectors, null for PQ
    final DeviceBuffer pqCodes; // PQ only
    final DeviceBuffer codebooks; // PQ only
    final DeviceBuffer listOffsets; // IVF only
    final DeviceBuffer ids; // IVF with explicit ids only

    DeviceScanTable(EncodedVectors flat) {
      super(flat, null);
      try (CudaContext c = CudaContext.acquire()) {
        this.vectors = DeviceVectors.upload(flat, c.stream());
      }
      this.pqCodes = null;
      this.codebooks = null;
      this.listOffsets = null;
      this.ids = null;
    }

    DeviceScanTable(IvfLists lists) {
      super(null, lists);
      DeviceVectors v = null;
      DeviceBuffer pq = null;
      DeviceBuffer cb = null;
      DeviceBuffer lo = null;
      DeviceBuffer id = null;
      try (CudaContext c = CudaContext.acquire()) {
        if (lists.isPq()) {
          PqCodes p = lists.pq();
          pq = DeviceBuffer.copyOf(p.codes(), c.stream());
          cb = DeviceBuffer.copyOf(p.codebooks(), c.stream());
        } else {
          v = DeviceVectors.upload(lists.vectors(), c.stream());
        }
        lo = DeviceBuffer.copyOf(lists.listOffsets(), c.stream());
        if (lists.ids() != null) {
          id = DeviceBuffer.copyOf(lists.ids(), c.stream());
        }
      } catch (RuntimeException e) {
        DeviceVectors.closeQuietly(v);
        DeviceVectors.closeQuietly(pq);
        DeviceVectors.closeQuietly(cb);
        DeviceVectors.closeQuietly(lo);
        DeviceVectors.closeQuietly(id);
        throw e;
      }
      this.vectors = v;
      this.pqCodes = pq;
      this.codebooks = cb;
      this.listOffsets = lo;
      this.ids = id;
    }

    @Override
    public void close() {
      DeviceVectors.closeQuietly(vectors);
      DeviceVectors.closeQuietly(pqCodes);
      DeviceVectors.closeQuietly(codebooks);
      DeviceVectors.closeQuietly(listOffsets);
      DeviceVectors.closeQuietly(ids);
    }
  }

  @Override
  public ScanTable load(EncodedVectors flat) {
    return new DeviceScanTable(flat);
  }

  @Override
  public ScanTable load(IvfLists lists) {
    return new DeviceScanTable(lists);
  }

  private static DeviceScanTable device(ScanTable table) {
    if (!(table instanceof DeviceScanTable t)) {
      throw new IllegalArgumentException("the scan table was not loaded by the CUDA scanner: use its load()");
    }
    return t;
  }

  @Override
  protected TopK computeFlat(ScanTable table, float[] queries, int nq, int k) {
    DeviceScanTable t = device(table);
    EncodedVectors v = t.flat();
    float[] scores = new float[nq * k];
    long[] ids = new long[nq * k];
    try (CudaContext c = CudaContext.acquire()) {
      long oQ = c.reserve(4L * queries.length);
      long oS = c.reserve(4L * nq * k);
      long oI = c.reserve(8L * nq * k);
      c.commit();
      c.upload(oQ, queries);
      int st = (int) c.dp().scanFlat.invokeExact(
          v.type().nativeCode, t.vectors.dataPtr(), t.vectors.offsetPtr(), t.vectors.scalePtr(), v.count(), v.dim(),
          c.ptr(oQ), nq, k, c.ptr(oS), c.ptr(oI), c.streamHandle());
      c.dp().check(st, "dp_scan_flat");
      c.download(scores, oS);
      c.download(ids, oI);
      c.stream().synchronize();
    } catch (Throwable e) {
      throw Dp.rethrow(e);
    }
    return new TopK(nq, k, scores, ids);
  }

  @Override
  protected TopK computeIvf(
      ScanTable table, float[] queries, int nq, int[] probes, int nprobe, float[] probeBias, int k) {
    DeviceScanTable t = device(table);
    IvfLists lists = t.ivf();
    float[] scores = new float[nq * k];
    long[] ids = new long[nq * k];
    try (CudaContext c = CudaContext.acquire()) {
      long oQ = c.reserve(4L * queries.length);
      long oP = c.reserve(4L * probes.length);
      long oB = probeBias == null ? -1 : c.reserve(4L * probeBias.length);
      long oS = c.reserve(4L * nq * k);
      long oI = c.reserve(8L * nq * k);
      c.commit();
      c.upload(oQ, queries);
      c.upload(oP, probes);
      MemorySegment bias = MemorySegment.NULL;
      if (probeBias != null) {
        c.upload(oB, probeBias);
        bias = c.ptr(oB);
      }
      MemorySegment idPtr = t.ids == null ? MemorySegment.NULL : Dp.ptr(t.ids.address());
      MemorySegment loPtr = Dp.ptr(t.listOffsets.address());
      int st;
      if (lists.isPq()) {
        PqCodes p = lists.pq();
        st = (int) c.dp().scanIvfPq.invokeExact(
            Dp.ptr(t.pqCodes.address()), p.m(), Dp.ptr(t.codebooks.address()), p.count(), p.dim(),
            loPtr, lists.nlist(), idPtr, c.ptr(oQ), nq, c.ptr(oP), nprobe, bias, k,
            c.ptr(oS), c.ptr(oI), c.streamHandle());
        c.dp().check(st, "dp_scan_ivf_pq");
      } else {
        EncodedVectors v = lists.vectors();
        st = (int) c.dp().scanIvf.invokeExact(
            v.type().nativeCode, t.vectors.dataPtr(), t.vectors.offsetPtr(), t.vectors.scalePtr(), v.count(),
            v.dim(), loPtr, lists.nlist(), idPtr, c.ptr(oQ), nq, c.ptr(oP), nprobe, bias, k,
            c.ptr(oS), c.ptr(oI), c.streamHandle());
        c.dp().check(st, "dp_scan_ivf");
      }
      c.download(scores, oS);
      c.download(ids, oI);
      c.stream().synchronize();
    } catch (Throwable e) {
      throw Dp.rethrow(e);
    }
    return new TopK(nq, k, scores, ids);
  }
}
