package org.densephrases.kernels;

import org.densephrases.kernels.loss.NegativeLoss;
import org.densephrases.kernels.scan.VectorScanner;
import org.densephrases.kernels.span.SpanScorer;

/** One implementation of the three kernel families: scalar Java, SIMD Java (Vector API) or CUDA. */
public interface KernelBackend {
  /**
   * "scalar", "simd" or "cuda".
   *
   * @return the backend's name
   */
  String name();

  /**
   * What it runs on, for logs and benchmark tables (e.g. "NVIDIA H100 80GB HBM3 (sm_90)" or "2 cores, 256-bit SIMD").
   *
   * @return the device description
   */
  String device();

  /** {@return this backend's span scorer} */
  SpanScorer spanScorer();

  /** {@return this backend's vector scanner} */
  VectorScanner vectorScanner();

  /** {@return this backend's in-batch and pre-batch negative loss} */
  NegativeLoss negativeLoss();
}
