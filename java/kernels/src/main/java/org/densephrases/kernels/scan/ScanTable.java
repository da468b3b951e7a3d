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

  /**
   * A host-only flat table, as the Java backends use it.
   *
   * @param flat the vectors to scan (not copied)
   * @return a table that reads the vectors where they are
   */
  public static ScanTable host(org.densephrases.kernels.EncodedVectors flat) {
    return new ScanTable(flat, null);
  }

  /**
   * A host-only IVF table, as the Java backends use it.
   *
   * @param ivf the lists to scan (not copied)
   * @return a table that reads the lists where they are
   */
  public static ScanTable host(IvfLists ivf) {
    return new ScanTable(null, ivf);
  }

  /**
   * Flat vectors, or null for IVF tables.
   *
   * @return the vectors or null
   */
  public org.densephrases.kernels.EncodedVectors flat() {
    return flat;
  }

  /**
   * IVF lists, or null for flat tables.
   *
   * @return the lists or null
   */
  public IvfLists ivf() {
    return ivf;
  }

  /** {@return true for an IVF table} */
  public boolean isIvf() {
    return ivf != null;
  }

  /** {@return the vector dimension} */
  public int dim() {
    return flat != null ? flat.dim() : ivf.dim();
  }

  @Override
  public void close() {}
}
