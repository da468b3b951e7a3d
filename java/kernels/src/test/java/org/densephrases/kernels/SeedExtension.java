package org.densephrases.kernels;

import java.util.Random;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Fresh random inputs per run, reproducible on failure: each test draws from a {@link Random} seeded with a mix of
 * the run's base seed and the test's unique id (so every test and every parameter set gets other numbers). A
 * failing test prints its seeds; {@code -Ddensephrases.test.seed=<base>} replays the whole run.
 */
public final class SeedExtension implements BeforeEachCallback, TestWatcher {
  public static final String PROPERTY = "densephrases.test.seed";
  private static final long BASE = baseSeed();

  private long seed;
  private Random random;

  private static long baseSeed() {
    String s = System.getProperty(PROPERTY);
    return s == null || s.isBlank() ? System.nanoTime() ^ 0x5DEECE66DL : Long.decode(s.trim());
  }

  @Override
  public void beforeEach(ExtensionContext ctx) {
    seed = mix(BASE ^ ctx.getUniqueId().hashCode() * 0x9E3779B97F4A7C15L);
    random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  public long seed() {
    return seed;
  }

  @Override
  public void testFailed(ExtensionContext ctx, Throwable cause) {
    System.err.printf("FAILED %s [%s]: test seed 0x%x; replay the run with -D%s=0x%x%n",
        ctx.getDisplayName(), ctx.getUniqueId(), seed, PROPERTY, BASE);
  }

  /** SplitMix64 finaliser: nearby inputs give unrelated seeds. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
