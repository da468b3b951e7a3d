package org.densephrases.index;

import org.densephrases.kernels.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.Verify;
import org.densephrases.index.ivf.BuildReport;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.kernels.Backends;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.VectorType;

/**
 * Not a test: builds IVF indexes from an existing dump (opened read-only, CRCs checked lazily) into another
 * directory, optionally from its first {@code limit} tokens only, and prints the build reports. Run from java/index
 * after test-compile:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp target/classes:target/test-classes:../kernels/target/classes org.densephrases.index.DumpBuildProbe \
 *   DUMP_DIR OUT_DIR 256 48 20000 sq8,pq [limit]
 * </pre>
 * Arguments: dump directory, output directory, nlist, PQ m, train size, codecs, tokens (default all).
 */
public final class DumpBuildProbe {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path outDir = Path.of(args[1]);
    int nlist = Integer.parseInt(args[2]);
    int m = Integer.parseInt(args[3]);
    int trainSize = Integer.parseInt(args[4]);
    String[] codecs = args[5].split(",");
    long limit = args.length > 6 ? Long.parseLong(args[6]) : Long.MAX_VALUE;
    KernelBackend b = Backends.best();
    Files.createDirectories(outDir);
    try (Dump d = Dump.open(dir, Expect.ANY, Verify.LAZY, false)) {
      VectorSource all = VectorSource.ofDump(d, VectorType.FP16, Float.NEGATIVE_INFINITY);
      long n = Math.min(limit, all.count());
      VectorSource src = n == all.count() ? all : new VectorSource() {
        @Override
        public long count() {
          return n;
        }

        @Override
        public int dim() {
          return all.dim();
        }

        @Override
        public String modelId() {
          return all.modelId();
        }

        @Override
        public String fingerprint() {
          return all.fingerprint() + "-first" + n;
        }

        @Override
        public void read(long from, int count, float[] out, long[] ids) {
          all.read(from, count, out, ids);
        }
      };
      System.out.printf(Locale.ROOT, "dump %s: %d of %d tokens x %d, backend %s on %s, load %.2f%n", dir, n,
          all.count(), all.dim(), b.name(), b.device(),
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      for (String c : codecs) {
        IndexSpec spec = (c.equals("sq8") ? IndexSpec.sq8(nlist) : IndexSpec.pq(nlist, m)).withTrainSize(trainSize);
        Path out = outDir.resolve("ivf-" + c + ".idx");
        BuildReport r = new IndexBuilder(spec, b, Progress.LOG_LISTENER).build(src, out);
        System.out.printf(Locale.ROOT, "%s: %s%n  assign %.0f vec/s, encode %.0f vec/s, load %.2f%n", c, r,
            n / r.assignSeconds(), n / r.encodeSeconds(),
            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
    }
  }
}
