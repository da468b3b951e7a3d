package org.densephrases.kernels.cuda;

import java.lang.foreign.MemorySegment;
import org.densephrases.kernels.loss.LossResult;
import org.densephrases.kernels.loss.NegativeLoss;

/** In-batch + pre-batch negative loss, forward and backward, by the CUDA kernel {@code dp_inbatch_loss}. */
public final class CudaNegativeLoss extends NegativeLoss {
  /** A loss on the CUDA backend (the library is loaded by the backend). */
  public CudaNegativeLoss() {}


  @Override
  protected LossResult computeChecked(
      float[] qStart, float[] qEnd, float[] pStart, float[] pEnd, float[] cacheStart, float[] cacheEnd, int batch,
      int cache, int dim) {
    long bd = (long) batch * dim;
    float[] loss = new float[3];
    float[] gqs = new float[(int) bd];
    float[] gqe = new float[(int) bd];
    float[] gps = new float[(int) bd];
    float[] gpe = new float[(int) bd];
    try (CudaContext c = CudaContext.acquire()) {
      long oQs = c.reserve(4 * bd);
      long oQe = c.reserve(4 * bd);
      long oPs = c.reserve(4 * bd);
      long oPe = c.reserve(4 * bd);
      long oCs = cache > 0 ? c.reserve(4L * cache * dim) : -1;
      long oCe = cache > 0 ? c.reserve(4L * cache * dim) : -1;
      long oL = c.reserve(12);
      long oGqs = c.reserve(4 * bd);
      long oGqe = c.reserve(4 * bd);
      long oGps = c.reserve(4 * bd);
      long oGpe = c.reserve(4 * bd);
      c.commit();
      c.upload(oQs, qStart);
      c.upload(oQe, qEnd);
      c.upload(oPs, pStart);
      c.upload(oPe, pEnd);
      MemorySegment cs = MemorySegment.NULL;
      MemorySegment ce = MemorySegment.NULL;
      if (cache > 0) {
        c.upload(oCs, cacheStart);
        c.upload(oCe, cacheEnd);
        cs = c.ptr(oCs);
        ce = c.ptr(oCe);
      }
      int st = (int) c.dp().inbatchLoss.invokeExact(
          c.ptr(oQs), c.ptr(oQe), c.ptr(oPs), c.ptr(oPe), cs, ce, batch, cache, dim,
          c.ptr(oL), c.ptr(oGqs), c.ptr(oGqe), c.ptr(oGps), c.ptr(oGpe), c.streamHandle());
      c.dp().check(st, "dp_inbatch_loss");
      c.download(loss, oL);
      c.download(gqs, oGqs);
      c.download(gqe, oGqe);
      c.download(gps, oGps);
      c.download(gpe, oGpe);
      c.stream().synchronize();
    } catch (Throwable e) {
      throw Dp.rethrow(e);
    }
    return new LossResult(loss[0], loss[1], loss[2], gqs, gqe, gps, gpe);
  }
}
