package org.densephrases.index;

import org.densephrases.kernels.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.densephrases.index.ivf.BuildReport;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.index.quant.KMeans;
import org.densephrases.index.quant.Opq;
import org.densephrases.index.quant.ProductQuantizer;
import org.densephrases.index.quant.ScalarQuantizer;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.KernelBackend;

/**
 * Not a test: times the phases of an IVF build on in-memory synthetic clustered vectors (vectors per second per
 * phase), for the before/after table in NOTES.md. Run from java/index after test-compile:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp target/classes:target/test-classes:../kernels/target/classes org.densephrases.index.BuildProfile \
 *   200000 384 1024 48 [limit] [build]
 * </pre>
 * Arguments: vectors, dim, nlist, PQ m, at most this many vectors per timed phase (default all), and "build" to also
 * time whole builds (IVF-SQ8 and IVF-PQ, default specs but a train sample of 16 x nlist).
 */
public final class BuildProfile {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int dim = Integer.parseInt(args[1]);
    int nlist = Integer.parseInt(args[2]);
    int m = Integer.parseInt(args[3]);
    int limit = args.length > 4 ? Integer.parseInt(args[4]) : n;
    boolean build = args.length > 5 && args[5].equals("build");
    KernelBackend b = Backends.best();
    System.out.printf(Locale.ROOT, "profile: %d x %d, nlist %d, PQ m %d, backend %s, %d cpus, load %.2f%n", n, dim,
        nlist, m, b.name(), Runtime.getRuntime().availableProcessors(),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    float[] x = clustered(n, dim, 4096, 0.5f, 7);
    int lim = Math.min(limit, n);

    // an untimed round on a small prefix first, so that the timed round runs JIT-compiled code (both versions)
    quiet = true;
    phases(x, Math.min(n, 8192), dim, Math.min(nlist, 256), m, Math.min(lim, 8192), b);
    quiet = false;
    phases(x, n, dim, nlist, m, lim, b);

    if (build) {
      VectorSource src = VectorSource.of(EncodedVectors.ofFloats(x, dim), "profile");
      Path dir = Files.createTempDirectory("build-profile");
      for (IndexSpec spec : new IndexSpec[] {IndexSpec.sq8(nlist), IndexSpec.pq(nlist, m)}) {
        IndexSpec s = spec.withTrainSize(16 * nlist);
        Path out = dir.resolve(s.codec() + ".ivf");
        BuildReport rep = new IndexBuilder(s, b, Progress.SILENT).build(src, out);
        System.out.printf(Locale.ROOT, "build %s: %.1f s (train %.1f, assign %.1f = %.0f vec/s, encode %.1f = %.0f"
            + " vec/s)%n", s.codec(), rep.totalSeconds(), rep.trainSeconds(), rep.assignSeconds(),
            n / rep.assignSeconds(), rep.encodeSeconds(), n / rep.encodeSeconds());
        Files.delete(out);
      }
      Files.delete(dir);
    }
  }

  static boolean quiet;

  private static void phases(float[] x, int n, int dim, int nlist, int m, int lim, KernelBackend b) throws Exception {
    float[] xs = Arrays.copyOf(x, lim * dim);
    // k-means training: a sample of 16 x nlist points, 2 iterations (rate in point-iterations/s)
    int t = Math.min(n, 16 * nlist);
    int iters = 2;
    float[] sample = Arrays.copyOf(x, t * dim);
    cpu0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    float[] c = KMeans.train(sample, t, dim, nlist, iters, KMeans.Init.RANDOM, 1);
    rate("kmeans train (" + t + " pts x " + iters + " it, k " + nlist + ")", (long) t * iters, t0);

    int[] a = new int[lim];
    t0 = System.nanoTime();
    KMeans.assign(c, nlist, dim, xs, lim, a);
    rate("assign (k " + nlist + ")", lim, t0);

    float[] r = xs.clone();
    t0 = System.nanoTime();
    for (int i = 0; i < lim; i++) {
      int base = a[i] * dim;
      for (int d = 0; d < dim; d++) {
        r[i * dim + d] -= c[base + d];
      }
    }
    rate("residuals", lim, t0);

    ScalarQuantizer sq = ScalarQuantizer.train(Arrays.copyOf(r, Math.min(lim, t) * dim), Math.min(lim, t), dim);
    byte[] sqCodes = new byte[lim * dim];
    t0 = System.nanoTime();
    for (int i = 0; i < lim; i++) {
      sq.encode(r, i * dim, sqCodes, i * dim);
    }
    rate("SQ8 encode", lim, t0);

    int pt = Math.min(lim, 8192);
    float[] ps = Arrays.copyOf(r, pt * dim);
    t0 = System.nanoTime();
    ProductQuantizer pq = ProductQuantizer.train(ps, pt, dim, m, iters, 3);
    rate("PQ train (" + pt + " pts x " + iters + " it x m " + m + ")", (long) pt * iters, t0);

    byte[] codes = new byte[lim * m];
    t0 = System.nanoTime();
    pq.encode(r, lim, codes);
    rate("PQ encode (m " + m + ")", lim, t0);

    int ot = Math.min(lim, 4096);
    t0 = System.nanoTime();
    Opq.Result opq = Opq.train(Arrays.copyOf(r, ot * dim), ot, dim, m, 1, 1, 5);
    rate("OPQ train (" + ot + " pts, 1 it, pq 1 it)", ot, t0);

    int rt = Math.min(lim, 50_000);
    float[] rot = new float[rt * dim];
    t0 = System.nanoTime();
    Opq.rotate(opq.rotation(), dim, r, rt, rot);
    rate("OPQ rotate", rt, t0);

  }

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  private static long cpu0 = OS.getProcessCpuTime();

  /** Wall seconds and rate since t0, and the process CPU seconds since the previous call (load makes wall noisy). */
  private static void rate(String what, long count, long t0) {
    double s = (System.nanoTime() - t0) / 1e9;
    long cpu = OS.getProcessCpuTime();
    double cs = (cpu - cpu0) / 1e9;
    cpu0 = cpu;
    if (quiet) {
      return;
    }
    System.out.printf(Locale.ROOT, "  %-48s %8.2f s %12.0f /s  (cpu %.2f s, %.0f /cpu-s)%n", what, s, count / s, cs,
        count / cs);
  }

  /** (n)(dim) vectors around {@code clusters} N(0,1) centres plus N(0, noise^2) noise, seeded. */
  static float[] clustered(int n, int dim, int clusters, float noise, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] centres = new float[clusters * dim];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = (float) r.nextGaussian();
    }
    float[] out = new float[n * dim];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(clusters);
      for (int d = 0; d < dim; d++) {
        out[i * dim + d] = centres[c * dim + d] + noise * (float) r.nextGaussian();
      }
    }
    return out;
  }
}
