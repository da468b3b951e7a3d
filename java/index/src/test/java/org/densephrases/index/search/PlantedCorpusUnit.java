package org.densephrases.index.search;

import java.util.Random;

/** Random unit vectors for tests. */
final class PlantedCorpusUnit {
  private PlantedCorpusUnit() {}

  static float[] unit(Random r, int dim) {
    float[] u = new float[dim];
    for (int i = 0; i < dim; i++) {
      u[i] = (float) r.nextGaussian();
    }
    return normalize(u);
  }

  /** A random unit vector orthogonal to unit vector u. */
  static float[] orthogonalUnit(Random r, float[] u, int dim) {
    float[] w = unit(r, dim);
    float dot = 0;
    for (int i = 0; i < dim; i++) {
      dot += w[i] * u[i];
    }
    for (int i = 0; i < dim; i++) {
      w[i] -= dot * u[i];
    }
    return normalize(w);
  }

  static float[] normalize(float[] u) {
    double n = 0;
    for (float x : u) {
      n += x * x;
    }
    for (int i = 0; i < u.length; i++) {
      u[i] /= (float) Math.sqrt(n);
    }
    return u;
  }
}
