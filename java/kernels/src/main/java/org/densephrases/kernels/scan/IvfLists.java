package org.densephrases.kernels.scan;

import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;

/**
 * Inverted lists in host memory: rows grouped by list (list l holds rows [listOffsets[l], listOffsets[l+1])),
 * stored either as {@link EncodedVectors} (FP32/FP16/INT8) or as {@link PqCodes}; {@code ids} maps a row to the id a
 * search returns (null: the row number).
 */
public final class IvfLists {
  private final EncodedVectors vectors;
  private final PqCodes pq;
  private final long[] listOffsets;
  private final long[] ids;

  private IvfLists(EncodedVectors vectors, PqCodes pq, long[] listOffsets, long[] ids) {
    long count = vectors != null ? vectors.count() : pq.count();
    Checks.require(listOffsets != null && listOffsets.length >= 2, "listOffsets needs at least 2 entries");
    Checks.require(listOffsets[0] == 0, "listOffsets[0] must be 0");
    Checks.require(listOffsets[listOffsets.length - 1] == count,
        "listOffsets[last] must equal the vector count " + count + ", got " + listOffsets[listOffsets.length - 1]);
    for (int i = 1; i < listOffsets.length; i++) {
      if (listOffsets[i] < listOffsets[i - 1]) {
        throw new IllegalArgumentException("listOffsets must be ascending at " + i);
      }
    }
    if (ids != null) {
      Checks.checkLength("ids", ids, count);
    }
    this.vectors = vectors;
    this.pq = pq;
    this.listOffsets = listOffsets.clone();
    this.ids = ids;
  }

  /**
   * Lists of vectors: list i holds rows [listOffsets[i], listOffsets[i+1]).
   *
   * @param vectors the rows, grouped by list
   * @param listOffsets (nlist+1) ascending row offsets, first 0, last the row count
   * @param ids row to id, or null to use row numbers
   * @return lists over {@code vectors} (not copied; the offsets are)
   * @throws IllegalArgumentException when the offsets or ids do not fit the rows
   */
  public static IvfLists of(EncodedVectors vectors, long[] listOffsets, long[] ids) {
    Checks.require(vectors != null, "vectors is null");
    return new IvfLists(vectors, null, listOffsets, ids);
  }

  /**
   * Lists of PQ codes: list i holds rows [listOffsets[i], listOffsets[i+1]).
   *
   * @param pq the codes, grouped by list
   * @param listOffsets (nlist+1) ascending row offsets, first 0, last the row count
   * @param ids row to id, or null to use row numbers
   * @return lists over {@code pq} (not copied; the offsets are)
   * @throws IllegalArgumentException when the offsets or ids do not fit the rows
   */
  public static IvfLists of(PqCodes pq, long[] listOffsets, long[] ids) {
    Checks.require(pq != null, "pq codes are null");
    return new IvfLists(null, pq, listOffsets, ids);
  }

  /**
   * The vectors, or null for PQ lists.
   *
   * @return the vectors or null
   */
  public EncodedVectors vectors() {
    return vectors;
  }

  /**
   * The PQ codes, or null for vector lists.
   *
   * @return the codes or null
   */
  public PqCodes pq() {
    return pq;
  }

  /** {@return true for PQ lists} */
  public boolean isPq() {
    return pq != null;
  }

  /** {@return the number of lists} */
  public int nlist() {
    return listOffsets.length - 1;
  }

  /** {@return the vector dimension} */
  public int dim() {
    return vectors != null ? vectors.dim() : pq.dim();
  }

  /** {@return the number of rows over all lists} */
  public long count() {
    return vectors != null ? vectors.count() : pq.count();
  }

  /**
   * Do not modify.
   *
   * @return the (nlist+1) row offsets
   */
  public long[] listOffsets() {
    return listOffsets;
  }

  /**
   * Row to id, or null for identity. Do not modify.
   *
   * @return the ids or null
   */
  public long[] ids() {
    return ids;
  }

  /**
   * {@return its id ({@code row} itself without an id array)}
   *
   * @param row a row number
   */
  public long idOf(long row) {
    return ids == null ? row : ids[(int) row];
  }
}
