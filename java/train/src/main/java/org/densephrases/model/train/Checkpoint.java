package org.densephrases.model.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: config, step, every parameter's values and the optimizer's moments. One file,
 * little-endian, CRC32C at the end; written to {@code name.tmp} and renamed over the old one, so a kill during the
 * write leaves the previous checkpoint intact.
 *
 * <pre>
 *   magic "DPCKPT01" | i32 version | str config json | i64 step | i64 examplesSeen | f64 trainSeconds
 *   | i32 params | per param: str name, i32 rank, i64 dims..., floats values
 *   | i32 states | per state: str name, floats mean, floats variance
 *   | i64 crc32c
 * </pre>
 *
 * <p>The pre-batch cache is not saved: after a resume it restarts empty and refills in C steps.
 *
 * @param configJson the run's {@link TrainConfig} as JSON
 * @param step optimizer steps done
 * @param examplesSeen training questions seen so far
 * @param trainSeconds training time so far, in seconds (resumes add to it)
 * @param params parameter name to shape and values
 * @param optimizer parameter name to the optimizer's {mean, variance}
 */
public record Checkpoint(String configJson, long step, long examplesSeen, double trainSeconds,
    Map<String, Param> params, Map<String, float[][]> optimizer) {
  static final byte[] MAGIC = "DPCKPT01".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  public static final String FILE = "checkpoint.bin";

  /**
   * One parameter's values.
   *
   * @param shape its dims
   * @param values its values, row-major
   */
  public record Param(long[] shape, float[] values) {}

  /**
   * Writes the checkpoint to {@code file.tmp}, then renames it over {@code file} (atomically where supported).
   *
   * @param file the checkpoint path
   * @throws IOException when writing or the rename fails
   */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BinaryIo.Out o = new BinaryIo.Out(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
      o.bytes(MAGIC);
      o.i32(VERSION);
      o.str(configJson);
      o.i64(step);
      o.i64(examplesSeen);
      o.i64(Double.doubleToLongBits(trainSeconds));
      o.i32(params.size());
      for (Map.Entry<String, Param> e : params.entrySet()) {
        o.str(e.getKey());
        o.i32(e.getValue().shape().length);
        for (long d : e.getValue().shape()) {
          o.i64(d);
        }
        o.floats(e.getValue().values());
      }
      o.i32(optimizer.size());
      for (Map.Entry<String, float[][]> e : optimizer.entrySet()) {
        o.str(e.getKey());
        o.floats(e.getValue()[0]);
        o.floats(e.getValue()[1]);
      }
      o.finish();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads and checks a checkpoint (magic, version, CRC32C).
   *
   * @param file the checkpoint path
   * @return the checkpoint's config, counters, parameters and optimizer state
   * @throws IOException when the file is missing, truncated or corrupt
   */
  public static Checkpoint read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file + " (checkpoint) does not exist");
    }
    try (BinaryIo.In in = new BinaryIo.In(new BufferedInputStream(Files.newInputStream(file), 1 << 20),
        file.toString())) {
      byte[] magic = in.bytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + " is not a densephrases checkpoint (magic "
            + new String(magic, StandardCharsets.ISO_8859_1) + ")");
      }
      int version = in.i32();
      if (version != VERSION) {
        throw new IllegalArgumentException(file + ": checkpoint version " + version + ", this build reads "
            + VERSION);
      }
      String config = in.str();
      long step = in.i64();
      long seen = in.i64();
      double seconds = Double.longBitsToDouble(in.i64());
      int n = in.i32();
      Map<String, Param> params = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String name = in.str();
        long[] shape = new long[in.i32()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.i64();
        }
        params.put(name, new Param(shape, in.floats()));
      }
      int s = in.i32();
      Map<String, float[][]> opt = new LinkedHashMap<>();
      for (int i = 0; i < s; i++) {
        String name = in.str();
        opt.put(name, new float[][] {in.floats(), in.floats()});
      }
      in.verify();
      return new Checkpoint(config, step, seen, seconds, params, opt);
    }
  }
}
