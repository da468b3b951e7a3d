package org.densephrases.kernels.cuda;

import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.span.SpanQuery;
import org.densephrases.kernels.span.SpanResult;
import org.densephrases.kernels.span.SpanScorer;
import org.densephrases.kernels.span.TokenTable;

/** Span scoring by the CUDA kernel {@code dp_span_score}: one launch per call, top-k fused. */
public final class CudaSpanScorer extends SpanScorer {
  /** A scorer on the CUDA backend (the library is loaded by the backend). */
  public CudaSpanScorer() {}


  /** A token table with a device copy of the vectors and document boundaries. */
  static final class DeviceTokenTable extends TokenTable {
    final DeviceVectors vectors;
    final DeviceBuffer docStarts;

    DeviceTokenTable(EncodedVectors tokens, long[] docStarts) {
      super(tokens, docStarts);
      try (CudaContext c = CudaContext.acquire()) {
        DeviceVectors v = DeviceVectors.upload(tokens, c.stream());
        try {
          this.docStarts = DeviceBuffer.copyOf(docStarts(), c.stream());
        } catch (RuntimeException e) {
          v.close();
          throw e;
        }
        this.vectors = v;
      }
    }

    @Override
    public void close() {
      vectors.close();
      docStarts.close();
    }
  }

  @Override
  public TokenTable load(EncodedVectors tokens, long[] docStarts) {
    return new DeviceTokenTable(tokens, docStarts);
  }

  @Override
  protected SpanResult compute(TokenTable table, SpanQuery q) {
    if (!(table instanceof DeviceTokenTable t)) {
      throw new IllegalArgumentException("the token table was not loaded by the CUDA span scorer: use its load()");
    }
    int nq = q.numQuestions();
    int kc = q.candidatesPerQuestion();
    int k = q.k();
    int dim = q.dim();
    long[] candOther = new long[nq * kc];
    float[] candScore = new float[nq * kc];
    long[] topStart = new long[nq * k];
    long[] topEnd = new long[nq * k];
    float[] topScore = new float[nq * k];
    try (CudaContext c = CudaContext.acquire()) {
      long oQs = c.reserve(4L * nq * dim);
      long oQe = c.reserve(4L * nq * dim);
      long oCand = c.reserve(8L * nq * kc);
      long oOther = c.reserve(8L * nq * kc);
      long oCScore = c.reserve(4L * nq * kc);
      long oTs = c.reserve(8L * nq * k);
      long oTe = c.reserve(8L * nq * k);
      long oTsc = c.reserve(4L * nq * k);
      c.commit();
      c.upload(oQs, q.qStart());
      c.upload(oQe, q.qEnd());
      c.upload(oCand, q.candidates());
      EncodedVectors v = t.tokens();
      int st = (int) c.dp().spanScore.invokeExact(
          v.type().nativeCode, t.vectors.dataPtr(), t.vectors.offsetPtr(), t.vectors.scalePtr(),
          v.count(), dim, Dp.ptr(t.docStarts.address()), (long) t.numDocs(),
          c.ptr(oQs), c.ptr(oQe), nq,
          c.ptr(oCand), kc, q.maxAnswerLength(), q.direction().nativeCode, k,
          c.ptr(oOther), c.ptr(oCScore), c.ptr(oTs), c.ptr(oTe), c.ptr(oTsc),
          c.streamHandle());
      c.dp().check(st, "dp_span_score");
      c.download(candOther, oOther);
      c.download(candScore, oCScore);
      c.download(topStart, oTs);
      c.download(topEnd, oTe);
      c.download(topScore, oTsc);
      c.stream().synchronize();
    } catch (Throwable e) {
      throw Dp.rethrow(e);
    }
    return new SpanResult(nq, kc, k, candOther, candScore, topStart, topEnd, topScore);
  }
}
