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

  public Expect withDtype(DType t) {
    return new Expect(modelId, dim, t);
  }

  public Expect withDim(int d) {
    return new Expect(modelId, d, dtype);
  }

  public Expect withModelId(String m) {
    return new Expect(m, dim, dtype);
  }
}
