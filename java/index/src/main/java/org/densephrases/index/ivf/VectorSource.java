package org.densephrases.index.ivf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpShard;
import org.densephrases.index.format.Segments;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.EncodedVectors;
import org.densephrases.kernels.VectorType;

/**
 * Vectors an index is built from, decoded to float in row ranges: a dump's token vectors (optionally only those
 * whose filter score reaches a threshold) or any {@link EncodedVectors}. Each row has an id, the id a search returns
 * (for a dump: the global token id).
 */
public interface VectorSource {
  /** {@return the number of rows} */
  long count();

  /** {@return the vector dimension} */
  int dim();

  /**
   * The model the vectors come from; recorded in the index header.
   *
   * @return the model id
   */
  String modelId();

  /**
   * Identifies the vectors' origin (a dump's fingerprint); recorded in the index and checked when serving.
   *
   * @return a dump fingerprint, or another stable identifier of the rows
   */
  String fingerprint();

  /**
   * Decodes rows [from, from+n) into out[0..n*dim) and their ids into ids[0..n).
   *
   * @param from the first row
   * @param n the number of rows
   * @param out receives {@code n * dim} floats
   * @param ids receives {@code n} ids
   */
  void read(long from, int n, float[] out, long[] ids);

  /**
   * Whether {@link #read} may be called from several threads at once (for different rows and buffers). The index
   * builder then reads blocks in parallel; otherwise it serialises the calls. The sources made here (mapped dumps,
   * {@link #of}) allow it.
   *
   * @return true when concurrent reads are safe (the default: false)
   */
  default boolean concurrentReads() {
    return false;
  }

  /**
   * Every row of {@code v}, ids = row numbers.
   *
   * @param v vectors of any type (FP32, FP16, INT8)
   * @param modelId the model they come from
   * @return a source whose ids are row numbers and whose fingerprint is empty
   */
  static VectorSource of(EncodedVectors v, String modelId) {
    return new VectorSource() {
      @Override
      public long count() {
        return v.count();
      }

      @Override
      public int dim() {
        return v.dim();
      }

      @Override
      public String modelId() {
        return modelId;
      }

      @Override
      public String fingerprint() {
        return "vectors-" + v.count();
      }

      @Override
      public boolean concurrentReads() {
        return true;
      }

      @Override
      public void read(long from, int n, float[] out, long[] ids) {
        decode(v, from, n, out, 0);
        for (int i = 0; i < n; i++) {
          ids[i] = from + i;
        }
      }
    };
  }

  /**
   * The dump's token vectors of type {@code type}, only tokens with filter score &gt;= {@code minFilterScore}
   * ({@code Float.NEGATIVE_INFINITY}: all). Ids are global token ids.
   *
   * @param dump the open dump
   * @param type FP16 or INT8
   * @param minFilterScore the filter cut
   * @return a source over the kept tokens, fingerprint the dump's
   */
  static VectorSource ofDump(Dump dump, VectorType type, float minFilterScore) {
    return new DumpSource(dump, type, minFilterScore);
  }

  /**
   * The dump's token vectors of type {@code type} with global ids in [from, to): the rows a change added (the index
   * updater encodes them with an existing index's centroids and codec).
   *
   * @param dump the open dump
   * @param type FP16 or INT8
   * @param from the first global token id
   * @param to one past the last
   * @return a source over the range, fingerprint the dump's
   */
  static VectorSource ofDumpRange(Dump dump, VectorType type, long from, long to) {
    Checks.require(0 <= from && from <= to && to <= dump.numTokens(),
        "token range [" + from + ", " + to + ") outside the dump's " + dump.numTokens() + " tokens");
    VectorSource all = ofDump(dump, type, Float.NEGATIVE_INFINITY);
    return new VectorSource() {
      @Override
      public long count() {
        return to - from;
      }

      @Override
      public int dim() {
        return dump.dim();
      }

      @Override
      public String modelId() {
        return dump.modelId();
      }

      @Override
      public String fingerprint() {
        return dump.fingerprint();
      }

      @Override
      public boolean concurrentReads() {
        return true;
      }

      @Override
      public void read(long row, int n, float[] out, long[] ids) {
        all.read(from + row, n, out, ids);
      }
    };
  }

  /**
   * Decodes rows [row, row+n) of v into out[outOff..]: bulk copies, then one conversion loop per type.
   *
   * @param v vectors of any type
   * @param row the first row
   * @param n the number of rows
   * @param out receives {@code n * dim} floats
   * @param outOff the first index written in {@code out}
   */
  static void decode(EncodedVectors v, long row, int n, float[] out, int outOff) {
    int dim = v.dim();
    int len = n * dim;
    long at = row * dim;
    MemorySegment data = v.data();
    switch (v.type()) {
      case FP32 -> MemorySegment.copy(data, Segments.F32, at * 4, out, outOff, len);
      case FP16 -> {
        short[] h = new short[len];
        MemorySegment.copy(data, Segments.I16, at * 2, h, 0, len);
        for (int i = 0; i < len; i++) {
          out[outOff + i] = Float.float16ToFloat(h[i]);
        }
      }
      case INT8 -> {
        byte[] c = new byte[len];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, c, 0, len);
        float[] o = v.offset();
        float[] s = v.scale();
        for (int i = 0; i < n; i++) {
          for (int d = 0; d < dim; d++) {
            out[outOff + i * dim + d] = o[d] + s[d] * c[i * dim + d];
          }
        }
      }
    }
  }

  /** A dump as a source; with a filter threshold the kept token ids are listed once (8 bytes per kept token). */
  final class DumpSource implements VectorSource {
    private final Dump dump;
    private final VectorType type;
    private final long[] kept; // null: every token

    DumpSource(Dump dump, VectorType type, float minFilterScore) {
      Checks.require(dump.types().contains(type), "the dump holds no " + type + " vectors (it has " + dump.types() + ")");
      this.dump = dump;
      this.type = type;
      if (minFilterScore == Float.NEGATIVE_INFINITY) {
        this.kept = null;
      } else {
        long n = 0;
        for (DumpShard s : dump.shards()) {
          for (long t = 0; t < s.numTokens(); t++) {
            n += s.filterScore(t) >= minFilterScore ? 1 : 0;
          }
        }
        long[] k = new long[Math.toIntExact(n)];
        int i = 0;
        for (DumpShard s : dump.shards()) {
          for (long t = 0; t < s.numTokens(); t++) {
            if (s.filterScore(t) >= minFilterScore) {
              k[i++] = s.tokenBase() + t;
            }
          }
        }
        this.kept = k;
      }
    }

    @Override
    public long count() {
      return kept == null ? dump.numTokens() : kept.length;
    }

    @Override
    public int dim() {
      return dump.dim();
    }

    @Override
    public String modelId() {
      return dump.modelId();
    }

    @Override
    public String fingerprint() {
      return dump.fingerprint();
    }

    @Override
    public boolean concurrentReads() {
      return true; // mapped segments of a shared arena, no mutable state
    }

    @Override
    public void read(long from, int n, float[] out, long[] ids) {
      int dim = dump.dim();
      if (kept == null) {
        int done = 0;
        while (done < n) {
          long g = from + done;
          DumpShard s = dump.shardOfToken(g);
          long local = g - s.tokenBase();
          int m = (int) Math.min(n - done, s.numTokens() - local);
          decode(s.vectors(type), local, m, out, done * dim);
          for (int i = 0; i < m; i++) {
            ids[done + i] = g + i;
          }
          done += m;
        }
      } else {
        for (int i = 0; i < n; i++) {
          long g = kept[Math.toIntExact(from + i)];
          DumpShard s = dump.shardOfToken(g);
          decode(s.vectors(type), g - s.tokenBase(), 1, out, i * dim);
          ids[i] = g;
        }
      }
    }
  }
}
