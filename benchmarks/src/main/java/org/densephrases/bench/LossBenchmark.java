package org.densephrases.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.loss.LossResult;
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

/** In-batch + pre-batch loss, forward and backward: batch 64, cache 64 (128 candidate columns), dim 768. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LossBenchmark {
  /** JMH instantiates the state once per trial; the parameters are set before {@code setup()}. */
  public LossBenchmark() {}

  /** Which kernels: {@code scalar}, {@code simd} (all cores) or {@code simd-1t} (one thread). */
  @Param({"scalar", "simd", "simd-1t"})
  public String backend;

  /** Questions (and gold phrases) per batch. */
  public int batch = 64;
  /** Pre-batch cache rows (gold phrases of earlier batches). */
  public int cache = 64;
  /** Vector dimension. */
  public int dim = 768;

  private KernelBackend kernels;
  private float[] qs;
  private float[] qe;
  private float[] ps;
  private float[] pe;
  private float[] cs;
  private float[] ce;

  /** Fills random question, phrase and cache vectors (seeded). */
  @Setup(Level.Trial)
  public void setup() {
    kernels = BenchData.backend(backend);
    SplittableRandom r = new SplittableRandom(7);
    double sigma = 1 / Math.sqrt(Math.sqrt(dim)); // logits of order 1
    qs = BenchData.gaussian(r, batch * dim, sigma);
    qe = BenchData.gaussian(r, batch * dim, sigma);
    ps = BenchData.gaussian(r, batch * dim, sigma);
    pe = BenchData.gaussian(r, batch * dim, sigma);
    cs = BenchData.gaussian(r, cache * dim, sigma);
    ce = BenchData.gaussian(r, cache * dim, sigma);
  }

  /**
   * One forward and backward pass of the loss.
   *
   * @return the loss and its gradients
   */
  @Benchmark
  public LossResult lossForwardBackward() {
    return kernels.negativeLoss().compute(qs, qe, ps, pe, cs, ce, batch, cache, dim);
  }
}
