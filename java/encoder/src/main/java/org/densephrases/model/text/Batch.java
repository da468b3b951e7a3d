package org.densephrases.model.text;

import java.util.List;

/**
 * Rows of token ids padded to one length, ready for the encoder: (rows)(length) ids, types and attention mask.
 *
 * @param ids padded with the tokenizer's pad id
 * @param mask 1 for real tokens, 0 for padding
 */
public record Batch(long[][] ids, long[][] typeIds, long[][] mask) {

  public int rows() {
    return ids.length;
  }

  public int length() {
    return ids.length == 0 ? 0 : ids[0].length;
  }

  /** Pads rows to the longest; {@code types} may be null (all 0). */
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

  public static Batch ofWindows(List<PassageWindow> windows, long padId) {
    return pad(windows.stream().map(PassageWindow::ids).toList(), windows.stream().map(PassageWindow::typeIds).toList(),
        padId);
  }
}
