package org.densephrases.app.encode;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.densephrases.index.format.ContainerFile;
import org.densephrases.index.format.ContainerWriter;
import org.densephrases.index.format.DType;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.Segments;
import org.densephrases.index.format.StringTable;
import org.densephrases.index.format.Verify;

/**
 * Encoded questions on disk, so that a machine without DJL (the GPU box) can run the search part of eval-open.
 *
 * <p>The file is one densephrases container (java/index FORMATS.md section 1: header with magic, version, model id,
 * dim, dtype, count, CRC32C of header and payload; written to a .tmp and renamed): magic {@value #MAGIC}, version 1,
 * dtype FP32, count = questions n, model id = the question encoder's (checked against the dump's when searching).
 * Sections: {@code IDS} string table (n) of question ids, {@code TEXTS} string table (n) of the questions,
 * {@code QSTART} f32 (n)(dim), {@code QEND} f32 (n)(dim), little-endian.
 *
 * @param modelId the model that encoded them
 * @param dim vector dimension
 * @param ids question ids
 * @param texts the questions
 * @param qStart (n)(dim)
 * @param qEnd (n)(dim)
 */
public record QuestionVectors(String modelId, int dim, List<String> ids, List<String> texts, float[] qStart,
    float[] qEnd) {
  public static final String MAGIC = "DPQUESTN";
  public static final int VERSION = 1;

  /**
   * Checks that ids, texts and vectors agree in count.
   *
   * @throws IllegalArgumentException when they do not
   */
  public QuestionVectors {
    if (ids.size() != texts.size() || qStart.length != (long) ids.size() * dim || qEnd.length != qStart.length) {
      throw new IllegalArgumentException("question vectors: " + ids.size() + " ids, " + texts.size() + " texts, "
          + qStart.length + "/" + qEnd.length + " floats for dim " + dim);
    }
  }

  /** {@return the number of questions} */
  public int size() {
    return ids.size();
  }

  /**
   * Writes the file (to a {@code .tmp} first, then renamed), creating its directory.
   *
   * @param file the destination
   * @throws IOException when it cannot be written
   */
  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    java.nio.file.Files.createDirectories(parent);
    try (ContainerWriter w = ContainerWriter.create(file, MAGIC, VERSION, modelId, dim, DType.FP32,
        List.of("IDS", "TEXTS", "QSTART", "QEND"))) {
      w.section("IDS", Segments.stringTable(ids));
      w.section("TEXTS", Segments.stringTable(texts));
      w.begin("QSTART").putFloats(qStart);
      w.begin("QEND").putFloats(qEnd);
      w.commit(ids.size());
    }
  }

  /**
   * Reads and checks a file; {@code expectModelId} (null: any) must equal the file's model id.
   *
   * @param file the file to read
   * @param expectModelId the model id the file must carry, or null for any
   * @return the question vectors
   * @throws IOException when the file is missing, corrupt, or from another model
   */
  public static QuestionVectors read(Path file, String expectModelId) throws IOException {
    try (ContainerFile f = ContainerFile.open(file, MAGIC, VERSION, new Expect(expectModelId, 0, DType.FP32),
        Verify.ON_OPEN)) {
      int dim = f.header().dim();
      long n = f.header().count();
      f.require(n <= Integer.MAX_VALUE / Math.max(1, dim), "count", "too many questions: " + n);
      StringTable ids = StringTable.open(f, "IDS", n);
      StringTable texts = StringTable.open(f, "TEXTS", n);
      List<String> i = new ArrayList<>();
      List<String> t = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        i.add(ids.get(k));
        t.add(texts.get(k));
      }
      MemorySegment s = f.section("QSTART", 4L * n * dim);
      MemorySegment e = f.section("QEND", 4L * n * dim);
      return new QuestionVectors(f.header().modelId(), dim, i, t, Segments.floats(s), Segments.floats(e));
    }
  }
}
