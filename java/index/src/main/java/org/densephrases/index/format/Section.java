package org.densephrases.index.format;

/**
 * One entry of a file's section table: a named byte range of the payload (offset from the start of the file).
 *
 * @param name the section's name (up to 8 ASCII characters)
 * @param offset its first byte, from the start of the file
 * @param length its length in bytes
 */
public record Section(String name, long offset, long length) {
  /** Section names are at most this many ASCII characters (stored NUL-padded). */
  public static final int NAME_BYTES = 8;
}
