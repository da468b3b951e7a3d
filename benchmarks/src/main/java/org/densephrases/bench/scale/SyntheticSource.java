package org.densephrases.bench.scale;

import java.util.SplittableRandom;
import org.densephrases.index.ivf.VectorSource;

/**
 * Random clustered vectors generated on the fly, never held in memory: row i belongs to cluster (mix(i) mod
 * clusters) and is that cluster's centre plus Gaussian noise; the same row always has the same value (each row's
 * generator is seeded from the row number), so an index build can read the source twice and recall can be measured.
 * Centres are N(0, 1) per dimension, noise N(0, noise^2).
 */
final class SyntheticSource implements VectorSource {
  private final long count;
  private final int dim;
  private final int clusters;
  private final float noise;
  private final long seed;
  private final float[] centres; // (clusters)(dim)

  public SyntheticSource(long count, int dim, int clusters, float noise, long seed) {
    this.count = count;
    this.dim = dim;
    this.clusters = clusters;
    this.noise = noise;
    this.seed = seed;
    this.centres = new float[clusters * dim];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < centres.length; i++) {
      centres[i] = (float) r.nextGaussian();
    }
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public String modelId() {
    return "synthetic-clustered";
  }

  @Override
  public String fingerprint() {
    return "synthetic-" + count + "x" + dim + "-c" + clusters + "-s" + seed;
  }

  /** Rows are generated from their number alone (no shared state): the index builder may read blocks in parallel. */
  @Override
  public boolean concurrentReads() {
    return true;
  }

  @Override
  public void read(long from, int n, float[] out, long[] ids) {
    for (int i = 0; i < n; i++) {
      long row = from + i;
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + row);
      int c = (int) Math.floorMod(r.nextLong(), (long) clusters);
      int o = i * dim;
      int co = c * dim;
      for (int d = 0; d < dim; d++) {
        out[o + d] = centres[co + d] + noise * (float) r.nextGaussian();
      }
      ids[i] = row;
    }
  }
}
