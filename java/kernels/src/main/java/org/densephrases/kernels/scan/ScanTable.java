package org.densephrases.kernels.scan;

/**
 * Codes made resident for one backend by {@link VectorScanner#load}: either flat vectors or IVF lists. Java
 * backends keep a view of the host data; the CUDA backend adds a device copy that {@link #close()} frees.
 */
public class ScanTable implements AutoCloseable {
  private final org.densephrases.kernels.EncodedVectors flat;
  private final IvfLists ivf;

  protected ScanTable(org.densephrases.kernels.EncodedVectors flat, IvfLists ivf) {
    this.flat = flat;
    this.ivf = ivf;
  }

  public static ScanTable host(org.densephrases.kernels.EncodedVectors flat) {
    return new ScanTable(flat, null);
  }

  public static ScanTable host(IvfLists ivf) {
    return new ScanTable(null, ivf);
  }

  /** Flat vectors, or null for IVF tables. */
  public org.densephrases.kernels.EncodedVectors flat() {
    return flat;
  }

  /** IVF lists, or null for flat tables. */
  public IvfLists ivf() {
    return ivf;
  }

  public boolean isIvf() {
    return ivf != null;
  }

  public int dim() {
    return flat != null ? flat.dim() : ivf.dim();
  }

  @Override
  public void close() {}
}
