package org.densephrases.index.dump;

/**
 * How a dump's INT8 vectors decode: {@code x[d] = offset[d] + scale[d] * code}, code a signed byte.
 *
 * <p>{@link #perDim()} (the default) takes each dimension's min and max over the shard being written and maps
 * them to -128 and 127, so no value is clipped and every dimension uses all 256 levels. Encoder token vectors have a
 * few dimensions with a much larger range than the rest; one global range (the reference system's int8 dump) spends
 * most levels of the ordinary dimensions on the outliers' range. {@link #global} is kept for compatibility with
 * that scheme: values outside {@code offset + scale * [-128, 127]} are clipped (and counted).
 *
 * @param perDimension true for per-dimension ranges taken from each shard (offset and scale unused)
 * @param offset the global offset, {@code x = offset + scale * code}
 * @param scale the global scale, positive
 */
public record Int8Scheme(boolean perDimension, float offset, float scale) {
  /**
   * Checks a global scheme's offset and scale.
   *
   * @throws IllegalArgumentException when a global scheme's offset is not finite or its scale is not positive
   */
  public Int8Scheme {
    if (!perDimension && !(scale > 0 && Float.isFinite(scale) && Float.isFinite(offset))) {
      throw new IllegalArgumentException("a global INT8 scheme needs a finite offset and a scale > 0");
    }
  }

  /**
   * The per-dimension scheme (the default).
   *
   * @return a scheme that takes each dimension's range from the shard being written
   */
  public static Int8Scheme perDim() {
    return new Int8Scheme(true, 0, 1);
  }

  /**
   * One offset and scale for every dimension.
   *
   * @param offset the value of code 0
   * @param scale the value step between codes, positive and finite
   * @return a scheme with one range for all dimensions
   */
  public static Int8Scheme global(float offset, float scale) {
    return new Int8Scheme(false, offset, scale);
  }

  /** The manifest's spelling: {@code per-dimension} or {@code global <offset> <scale>}. */
  @Override
  public String toString() {
    return perDimension ? "per-dimension" : "global " + offset + " " + scale;
  }

  /**
   * Parses the manifest's spelling (see {@link #toString()}).
   *
   * @param s {@code per-dimension} or {@code global <offset> <scale>}
   * @return the scheme {@code s} spells
   * @throws IllegalArgumentException when {@code s} is neither
   */
  public static Int8Scheme parse(String s) {
    if (s.equals("per-dimension")) {
      return perDim();
    }
    String[] p = s.split(" ");
    if (p.length == 3 && p[0].equals("global")) {
      return global(Float.parseFloat(p[1]), Float.parseFloat(p[2]));
    }
    throw new IllegalArgumentException("unknown INT8 scheme '" + s + "'");
  }
}
