package org.densephrases.index.format;

/** When a reader checks a file's payload checksum. */
public enum Verify {
  /** On open: reads the whole file once (fast: CRC32C is hardware-accelerated, a few GB/s). The default. */
  ON_OPEN,
  /**
   * Only when {@code verify()} is called: for huge files where a full read at every open would cost more than it
   * protects. The header (with its own checksum), the file length and the section bounds are still checked.
   */
  LAZY
}
