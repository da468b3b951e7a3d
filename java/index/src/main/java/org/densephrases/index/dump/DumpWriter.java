package org.densephrases.index.dump;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.densephrases.index.format.ContainerFile;
import org.densephrases.index.format.ContainerWriter;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.Header;
import org.densephrases.index.format.Segments;
import org.densephrases.index.format.Verify;
import org.densephrases.kernels.Checks;
import org.densephrases.kernels.VectorType;
import org.densephrases.kernels.util.FloatList;
import org.densephrases.kernels.util.LongList;

/**
 * Writes a dump directory shard by shard; resumable.
 *
 * <p>Documents come in corpus order. A shard's vectors are streamed to disk as FP16 while it fills (to the final
 * FP16 file's temporary name, or to a staging file when only INT8 is kept); when it holds
 * {@link DumpSpec#tokensPerShard()} tokens its files are finished (INT8 encoded from the staged FP16, metadata
 * written), each renamed atomically into place, and only then is the shard appended to the MANIFEST (itself
 * replaced atomically). A kill at any point leaves the manifest listing whole shards only; {@link #open} on the same
 * directory deletes the leftovers and the caller resumes at {@link #inputDocumentsDone()}.
 *
 * <p>Not thread-safe: one writer per directory, fed by one thread.
 */
public final class DumpWriter implements AutoCloseable {
  /** Crash point: a shard's vector files are renamed into place, its metadata file is not written yet. */
  public static final String STEP_SHARD_PARTIAL = "shard-partial";
  private final Path dir;
  private final DumpSpec spec;
  private final List<DumpManifest.ShardEntry> done;
  private final int fileBase; // shard i of done has file number fileBase + i
  private final boolean appending; // writes shards for a new generation: no MANIFEST, no resume
  private boolean complete;
  private long clipped;

  // the shard being filled
  private ContainerWriter vecWriter;
  private int inputDocs;
  private long tokensBeforeFilter;
  private final List<String> ids = new ArrayList<>();
  private final List<String> titles = new ArrayList<>();
  private final List<String> texts = new ArrayList<>();
  private final LongList docTok = new LongList(1024);
  private final IntList tokChar = new IntList(); // (token)(2) start, end
  private final IntList tokPos = new IntList();
  private final FloatList filter = new FloatList(1024);
  private float[] min;
  private float[] max;
  private final byte[] rowBytes;

  private DumpWriter(Path dir, DumpSpec spec, List<DumpManifest.ShardEntry> done, boolean complete) {
    this(dir, spec, done, complete, 0, false);
  }

  private DumpWriter(Path dir, DumpSpec spec, List<DumpManifest.ShardEntry> done, boolean complete, int fileBase,
      boolean appending) {
    this.dir = dir;
    this.spec = spec;
    this.done = new ArrayList<>(done);
    this.fileBase = fileBase;
    this.appending = appending;
    this.complete = complete;
    this.rowBytes = new byte[spec.dim() * 2];
  }

  /**
   * Opens {@code dir} for writing: a new dump when it has no MANIFEST, else a resumed one, which must have the same
   * model id, dimension, vector types, INT8 scheme and filter threshold, and agree on the source keys both record
   * (the resumed manifest then records the union). Files of unfinished shards are deleted.
   *
   * @param dir the dump directory (created when missing)
   * @param spec what the dump holds
   * @return the writer; the caller closes it
   * @throws IOException when the directory cannot be written or the resumed dump does not match {@code spec}
   */
  public static DumpWriter open(Path dir, DumpSpec spec) throws IOException {
    Files.createDirectories(dir);
    Path manifest = dir.resolve(DumpManifest.FILE);
    DumpWriter w;
    if (Files.exists(manifest)) {
      // a dump changed by add/remove/compact is its newest generation (complete by definition)
      DumpManifest m = Generations.read(dir, Expect.ANY);
      DumpSpec s = m.spec();
      DumpManifest.checkSource(dir, s.source(), spec.source());
      List<String> diff = new ArrayList<>();
      if (!s.modelId().equals(spec.modelId())) {
        diff.add("model id '" + s.modelId() + "' vs '" + spec.modelId() + "'");
      }
      if (s.dim() != spec.dim()) {
        diff.add("dim " + s.dim() + " vs " + spec.dim());
      }
      if (!s.types().equals(spec.types())) {
        diff.add("types " + s.types() + " vs " + spec.types());
      }
      if (!s.int8().equals(spec.int8())) {
        diff.add("int8 scheme " + s.int8() + " vs " + spec.int8());
      }
      if (Float.compare(s.filterThreshold(), spec.filterThreshold()) != 0) {
        diff.add("filter threshold " + s.filterThreshold() + " vs " + spec.filterThreshold());
      }
      if (!diff.isEmpty()) {
        throw new IllegalArgumentException("cannot resume the dump in " + dir + " with another spec: "
            + String.join(", ", diff) + " (delete the directory to start over)");
      }
      Map<String, String> source = new java.util.TreeMap<>(s.source());
      source.putAll(spec.source());
      w = new DumpWriter(dir, spec.withSource(source), m.shards(), m.complete());
      if (m.complete()) {
        return w; // nothing to resume: leave every file alone (a later generation's shards have higher numbers)
      }
    } else {
      w = new DumpWriter(dir, spec, List.of(), false);
      w.writeManifest();
    }
    w.deleteLeftovers();
    return w;
  }

  /**
   * A writer of new shards for a change to a complete dump (add, compact): shard files numbered from
   * {@code firstFile} up, no MANIFEST written; {@link #endShard()} closes the shard being filled and
   * {@link #newShards()} lists what was written, for the next generation's manifest. The caller deletes leftovers
   * (see {@link Generations#deleteGarbage}) and holds the dump's write lock.
   *
   * @param dir the dump directory
   * @param spec the dump's spec
   * @param firstFile the first shard file number to use
   * @return a writer that writes no MANIFEST; the caller commits its {@link #newShards()}
   */
  public static DumpWriter appending(Path dir, DumpSpec spec, int firstFile) {
    return new DumpWriter(dir, spec, List.of(), false, firstFile, true);
  }

  /**
   * The shards written so far by an {@link #appending} writer (all shards for a plain one).
   *
   * @return the shard entries
   */
  public List<DumpManifest.ShardEntry> newShards() {
    return List.copyOf(done);
  }

  /**
   * Finishes the shard being filled, if any, so that the next document starts a new shard.
   *
   * @throws IOException when the shard files cannot be written
   */
  public void endShard() throws IOException {
    if (vecWriter != null) {
      finishShard();
    }
  }

  /**
   * Adds local document {@code doc} of {@code from} as it is stored there: its FP16 vectors (decoded INT8 when the
   * dump keeps no FP16: the INT8 codes are then re-quantized with this shard's ranges), filter scores, offsets and
   * original token positions. For compaction.
   *
   * @param from a shard of the dump being compacted
   * @param doc a local document number in {@code from}
   * @throws IOException when the shard files cannot be written
   */
  public void copyDocument(DumpShard from, int doc) throws IOException {
    long t0 = from.docTokenStarts()[doc];
    int n = Math.toIntExact(from.docTokenStarts()[doc + 1] - t0);
    int dim = spec.dim();
    VectorType vt = from.has(VectorType.FP16) ? VectorType.FP16 : VectorType.INT8;
    float[] v = new float[n * dim];
    org.densephrases.kernels.EncodedVectors ev = from.vectors(vt);
    float[] fs = new float[n];
    int[] cs = new int[n];
    int[] ce = new int[n];
    int[] pos = new int[n];
    for (int t = 0; t < n; t++) {
      for (int d = 0; d < dim; d++) {
        v[t * dim + d] = ev.get(t0 + t, d);
      }
      fs[t] = from.filterScore(t0 + t);
      cs[t] = from.charStart(t0 + t);
      ce[t] = from.charEnd(t0 + t);
      pos[t] = from.tokenPosition(t0 + t);
    }
    add(new DocumentInput(from.docId(doc), from.title(doc), from.text(doc), v, fs, cs, ce), pos);
  }

  /**
   * Corpus documents already in completed shards: the caller skips this many before calling {@link #add}.
   *
   * @return the number of corpus documents done
   */
  public long inputDocumentsDone() {
    long n = 0;
    for (DumpManifest.ShardEntry s : done) {
      n += s.inputDocs();
    }
    return n;
  }

  /** {@return true once {@link #finish()} marked the dump complete} */
  public boolean isComplete() {
    return complete;
  }

  /** {@return the number of completed shards} */
  public int completedShards() {
    return done.size();
  }

  /**
   * Adds the next corpus document. A document whose every token is filtered out is counted but not stored.
   *
   * @param doc the document's vectors, offsets and filter scores
   * @throws IOException when the shard files cannot be written
   */
  public void add(DocumentInput doc) throws IOException {
    add(doc, null);
  }

  private void add(DocumentInput doc, int[] positions) throws IOException {
    if (complete) {
      throw new IllegalStateException("the dump in " + dir + " is complete: nothing more can be added");
    }
    int n = doc.numTokens();
    int dim = spec.dim();
    Checks.require(doc.vectors().length == (long) n * dim,
        "document " + doc.id() + ": vectors hold " + doc.vectors().length + " floats, expected " + n + " tokens x "
            + dim);
    Checks.checkFinite("vectors of document " + doc.id(), doc.vectors());
    inputDocs++;
    tokensBeforeFilter += n;
    float[] fs = doc.filterScores();
    int kept = 0;
    for (int t = 0; t < n; t++) {
      if (fs == null || fs[t] >= spec.filterThreshold()) {
        kept++;
      }
    }
    if (kept == 0) {
      return;
    }
    if (vecWriter == null) {
      startShard();
    }
    float[] v = doc.vectors();
    MemorySegment row = MemorySegment.ofArray(rowBytes);
    for (int t = 0; t < n; t++) {
      float f = fs == null ? 0f : fs[t];
      if (fs != null && f < spec.filterThreshold()) {
        continue;
      }
      int base = t * dim;
      for (int d = 0; d < dim; d++) {
        short h = Float.floatToFloat16(v[base + d]);
        row.setAtIndex(Segments.I16, d, h);
        float x = Float.float16ToFloat(h);
        if (x < min[d]) {
          min[d] = x;
        }
        if (x > max[d]) {
          max[d] = x;
        }
      }
      vecWriter.put(rowBytes);
      tokChar.add(doc.charStart()[t]);
      tokChar.add(doc.charEnd()[t]);
      tokPos.add(positions == null ? t : positions[t]);
      filter.add(f);
    }
    ids.add(doc.id());
    titles.add(doc.title());
    texts.add(doc.text());
    docTok.add(filter.size());
    if (filter.size() >= spec.tokensPerShard()) {
      finishShard();
    }
  }

  /**
   * Finishes the last shard and marks the dump complete.
   *
   * @return the dump's statistics
   * @throws IOException when the last shard or the manifest cannot be written
   */
  public DumpStats finish() throws IOException {
    if (!complete) {
      if (vecWriter != null) {
        finishShard();
      }
      complete = true;
      writeManifest();
    }
    return stats();
  }

  /**
   * The dump's statistics so far.
   *
   * @return the counts and bytes on disk
   * @throws IOException when the shard files cannot be measured
   */
  public DumpStats stats() throws IOException {
    long in = 0;
    long docs = 0;
    long tok = 0;
    long before = 0;
    long bytes = 0;
    for (int i = 0; i < done.size(); i++) {
      DumpManifest.ShardEntry s = done.get(i);
      in += s.inputDocs();
      docs += s.docs();
      tok += s.tokens();
      before += s.tokensBeforeFilter();
      bytes += Files.size(DumpFiles.meta(dir, s.file()));
      for (VectorType t : spec.types()) {
        bytes += Files.size(DumpFiles.vectors(dir, s.file(), t));
      }
    }
    return new DumpStats(done.size(), in, docs, tok, before, clipped, bytes);
  }

  /** Abandons the shard being filled (as a kill would); completed shards stay. */
  @Override
  public void close() throws IOException {
    if (vecWriter != null) {
      vecWriter.close();
      vecWriter = null;
    }
  }

  private void startShard() throws IOException {
    int shard = fileBase + done.size();
    Path target = spec.types().contains(VectorType.FP16) ? DumpFiles.vectors(dir, shard, VectorType.FP16)
        : DumpFiles.stage(dir, shard);
    vecWriter = ContainerWriter.create(target, DumpFiles.VECTORS_MAGIC, DumpFiles.VERSION, spec.modelId(),
        spec.dim(), DType.FP16, List.of("DATA"));
    vecWriter.begin("DATA");
    docTok.clear();
    docTok.add(0);
    min = new float[spec.dim()];
    max = new float[spec.dim()];
    Arrays.fill(min, Float.POSITIVE_INFINITY);
    Arrays.fill(max, Float.NEGATIVE_INFINITY);
  }

  private void finishShard() throws IOException {
    int shard = fileBase + done.size();
    long tokens = filter.size();
    Map<String, Integer> crcs = new HashMap<>();
    Header fp16 = vecWriter.commit(tokens);
    vecWriter = null;
    if (spec.types().contains(VectorType.FP16)) {
      crcs.put("fp16", fp16.payloadCrc());
    }
    if (spec.types().contains(VectorType.INT8)) {
      Path staged = spec.types().contains(VectorType.FP16) ? DumpFiles.vectors(dir, shard, VectorType.FP16)
          : DumpFiles.stage(dir, shard);
      crcs.put("int8", writeInt8(shard, staged, tokens));
      if (!spec.types().contains(VectorType.FP16)) {
        Files.delete(staged);
      }
    }
    CrashPoints.reached(STEP_SHARD_PARTIAL); // vector files in place, metadata not: the shard is not listed
    crcs.put("meta", writeMeta(shard, tokens));
    done.add(new DumpManifest.ShardEntry(inputDocs, ids.size(), tokens, tokensBeforeFilter, crcs, shard));
    writeManifest();
    inputDocs = 0;
    tokensBeforeFilter = 0;
    ids.clear();
    titles.clear();
    texts.clear();
    docTok.clear();
    tokChar.clear();
    tokPos.clear();
    filter.clear();
  }

  private int writeInt8(int shard, Path staged, long tokens) throws IOException {
    int dim = spec.dim();
    float[] offset = new float[dim];
    float[] scale = new float[dim];
    if (spec.int8().perDimension()) {
      for (int d = 0; d < dim; d++) {
        float range = max[d] - min[d];
        scale[d] = range > 0 ? range / 255f : 1f;
        offset[d] = range > 0 ? min[d] + 128f * scale[d] : min[d];
      }
    } else {
      Arrays.fill(offset, spec.int8().offset());
      Arrays.fill(scale, spec.int8().scale());
    }
    try (ContainerFile in = ContainerFile.open(staged, DumpFiles.VECTORS_MAGIC, DumpFiles.VERSION,
            new Expect(spec.modelId(), dim, DType.FP16), Verify.LAZY);
        ContainerWriter w = ContainerWriter.create(DumpFiles.vectors(dir, shard, VectorType.INT8),
            DumpFiles.VECTORS_MAGIC, DumpFiles.VERSION, spec.modelId(), dim, DType.INT8,
            List.of("QPARAMS", "DATA"))) {
      MemorySegment data = in.section("DATA", tokens * dim * 2);
      w.begin("QPARAMS").putFloats(offset).putFloats(scale);
      w.begin("DATA");
      byte[] codes = new byte[dim];
      for (long r = 0; r < tokens; r++) {
        for (int d = 0; d < dim; d++) {
          float x = Float.float16ToFloat(data.getAtIndex(Segments.I16, r * dim + d));
          float c = Math.round((x - offset[d]) / scale[d]);
          if (c < -128f || c > 127f) {
            clipped++;
            c = Math.max(-128f, Math.min(127f, c));
          }
          codes[d] = (byte) c;
        }
        w.put(codes);
      }
      return w.commit(tokens).payloadCrc();
    }
  }

  private int writeMeta(int shard, long tokens) throws IOException {
    String info = "shard=" + shard + "\ntokens=" + tokens + "\n";
    try (ContainerWriter w = ContainerWriter.create(DumpFiles.meta(dir, shard), DumpFiles.META_MAGIC,
        DumpFiles.VERSION, spec.modelId(), spec.dim(), DType.NONE,
        List.of("INFO", "DOCIDS", "TITLES", "TEXTS", "DOCTOK", "TOKCHAR", "TOKPOS", "FILTER"))) {
      w.section("INFO", info.getBytes(StandardCharsets.UTF_8));
      w.section("DOCIDS", Segments.stringTable(ids));
      w.section("TITLES", Segments.stringTable(titles));
      w.section("TEXTS", Segments.stringTable(texts));
      w.begin("DOCTOK").putLongs(docTok.toArray());
      w.begin("TOKCHAR").putInts(tokChar.data(), 0, tokChar.size());
      w.begin("TOKPOS").putInts(tokPos.data(), 0, tokPos.size());
      w.begin("FILTER").putFloats(filter.data(), 0, filter.size());
      return w.commit(ids.size()).payloadCrc();
    }
  }

  private void writeManifest() throws IOException {
    if (appending) {
      return; // the change commits a generation instead
    }
    new DumpManifest(spec, done, complete).write(dir);
  }

  /** Deletes temporary files and the files of shards the manifest does not list (cut off by a kill). */
  private void deleteLeftovers() throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        int shard = DumpFiles.shardOf(name);
        boolean ours = shard >= 0 || name.equals(DumpManifest.FILE + ".tmp");
        if (ours && (name.endsWith(".tmp") || name.endsWith(".stage") || shard >= done.size())) {
          Files.delete(p);
        }
      }
    }
  }

  // Small growable primitive lists: a shard's metadata is millions of entries, boxed lists would triple it.
  static final class IntList {
    private int[] a = new int[1024];
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    int size() {
      return n;
    }

    int[] data() {
      return a;
    }

    void clear() {
      n = 0;
    }
  }
}
