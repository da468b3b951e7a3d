package org.densephrases.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.TopK;
import org.densephrases.kernels.scan.IvfLists;
import org.densephrases.kernels.scan.PqCodes;
import org.densephrases.kernels.scan.ScanTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * IVF-PQ scan with fused top-100, the shape of a DensePhrases index: 1M vectors of dim 768 as 96 x 8-bit PQ codes,
 * 4096 lists, 256 probes per query with a bias each (about 62k rows scanned per query), 1 and 8 queries per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class IvfPqBenchmark {
  /** JMH instantiates the state once per trial; the parameters are set before {@code setup()}. */
  public IvfPqBenchmark() {}

  /** Which kernels: {@code scalar}, {@code simd} (all cores) or {@code simd-1t} (one thread). */
  @Param({"scalar", "simd", "simd-1t"})
  public String backend;

  /** Queries per scan call. */
  @Param({"1", "8"})
  public int queries;

  /** Vectors in the index. */
  public int count = 1_000_000;
  /** Vector dimension. */
  public int dim = 768;
  /** PQ sub-quantizers per vector (one byte code each). */
  public int m = 96;
  /** Inverted lists. */
  public int nlist = 4096;
  /** Lists probed per query. */
  public int nprobe = 256;
  /** Results kept per query. */
  public int k = 100;

  private Arena arena;
  private KernelBackend kernels;
  private ScanTable table;
  private float[] q;
  private int[] probes;
  private float[] bias;

  /** Builds random PQ codes, codebooks, list assignment, probes and biases (seeded). */
  @Setup(Level.Trial)
  public void setup() {
    kernels = BenchData.backend(backend);
    SplittableRandom r = new SplittableRandom(42);
    arena = Arena.ofShared();
    MemorySegment codes = arena.allocate((long) count * m, 64);
    for (long i = 0; i < (long) count * m; i += 8) {
      codes.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
    }
    PqCodes pq = new PqCodes(codes, count, m, dim, BenchData.gaussian(r, m * 256 * (dim / m), 0.1));
    long[] offsets = new long[nlist + 1];
    for (int l = 1; l < nlist; l++) {
      offsets[l] = r.nextLong(count + 1L);
    }
    offsets[nlist] = count;
    Arrays.sort(offsets);
    table = kernels.vectorScanner().load(IvfLists.of(pq, offsets, null));
    q = BenchData.gaussian(r, queries * dim, 1.0);
    probes = new int[queries * nprobe];
    for (int qi = 0; qi < queries; qi++) {
      int[] lists = r.ints(0, nlist).distinct().limit(nprobe).toArray();
      System.arraycopy(lists, 0, probes, qi * nprobe, nprobe);
    }
    bias = BenchData.gaussian(r, queries * nprobe, 1.0);
  }

  /** Frees the native table. */
  @TearDown(Level.Trial)
  public void tearDown() {
    table.close();
    arena.close();
  }

  /**
   * One IVF-PQ scan with fused top-k.
   *
   * @return the top-k of every query
   */
  @Benchmark
  public TopK ivfPqScan() {
    return kernels.vectorScanner().search(table, q, queries, probes, nprobe, bias, k);
  }
}
