package org.densephrases.model.text;

import java.util.List;

/**
 * Rows of token ids padded to one length, ready for the encoder: (rows)(length) ids, types and attention mask.
 *
 * @param ids padded with the tokenizer's pad id
 * @param mask 1 for real tokens, 0 for padding
 * @param typeIds token types (segment ids), 0 for padding
 */
public record Batch(long[][] ids, long[][] typeIds, long[][] mask) {

  /** {@return the number of rows (sequences) in the batch} */
  public int rows() {
    return ids.length;
  }

  /** {@return the padded length of every row, in tokens (0 for an empty batch)} */
  public int length() {
    return ids.length == 0 ? 0 : ids[0].length;
  }

  /**
   * Pads rows to the longest; {@code types} may be null (all 0).
   *
   * @param rows token ids of each sequence, in order
   * @param types token types per sequence, each as long as its ids row; null for all 0
   * @param padId the id written into padded positions
   * @return the batch, each row padded to the longest with {@code padId}, type 0 and mask 0
   */
  public static Batch pad(List<long[]> rows, List<long[]> types, long padId) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("cannot pad an empty batch");
    }
    if (types != null && types.size() != rows.size()) {
      throw new IllegalArgumentException(rows.size() + " rows but " + types.size() + " type rows");
    }
    int t = 0;
    for (long[] r : rows) {
      t = Math.max(t, r.length);
    }
    int b = rows.size();
    long[][] ids = new long[b][t];
    long[][] ty = new long[b][t];
    long[][] mask = new long[b][t];
    for (int i = 0; i < b; i++) {
      long[] r = rows.get(i);
      java.util.Arrays.fill(ids[i], padId);
      System.arraycopy(r, 0, ids[i], 0, r.length);
      if (types != null) {
        if (types.get(i).length != r.length) {
          throw new IllegalArgumentException("row " + i + " has " + r.length + " ids but " + types.get(i).length
              + " types");
        }
        System.arraycopy(types.get(i), 0, ty[i], 0, r.length);
      }
      java.util.Arrays.fill(mask[i], 0, r.length, 1L);
    }
    return new Batch(ids, ty, mask);
  }

  /**
   * Pads passage windows into one batch, keeping each window's token types.
   *
   * @param windows the windows, in batch order
   * @param padId the tokenizer's pad id
   * @return the padded batch, one row per window
   */
  public static Batch ofWindows(List<PassageWindow> windows, long padId) {
    return pad(windows.stream().map(PassageWindow::ids).toList(), windows.stream().map(PassageWindow::typeIds).toList(),
        padId);
  }
}
