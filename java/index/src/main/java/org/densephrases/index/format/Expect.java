package org.densephrases.index.format;

/**
 * What a reader requires of a file's header beyond its magic and version; null or 0 accepts anything.
 *
 * @param modelId the model id the vectors must come from
 * @param dim the vector dimension
 * @param dtype the element type
 */
public record Expect(String modelId, int dim, DType dtype) {
  public static final Expect ANY = new Expect(null, 0, null);

  /**
   * Requires an element type.
   *
   * @param t the element type required (null: any)
   * @return a copy requiring it
   */
  public Expect withDtype(DType t) {
    return new Expect(modelId, dim, t);
  }

  /**
   * Requires a dimension.
   *
   * @param d the dimension required (0: any)
   * @return a copy requiring it
   */
  public Expect withDim(int d) {
    return new Expect(modelId, d, dtype);
  }

  /**
   * Requires a model id.
   *
   * @param m the model id required (null: any)
   * @return a copy requiring it
   */
  public Expect withModelId(String m) {
    return new Expect(m, dim, dtype);
  }
}
