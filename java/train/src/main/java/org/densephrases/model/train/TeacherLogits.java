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
 * The teacher's start/end logits per training question, computed once and read by every student run. Logits are
 * indexed by the student's window positions (length = the window's length; only context positions are used).
 *
 * <pre>
 *   magic "DPTEACH1" | i32 version | str teacher id | i32 count
 *   | per question: str questionId, floats start (window length), floats end | i64 crc32c
 * </pre>
 */
public final class TeacherLogits {
  static final byte[] MAGIC = "DPTEACH1".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;

  private final String teacherId;
  private final Map<String, float[][]> byQuestion;

  /**
   * Logits of one teacher for a set of questions.
   *
   * @param teacherId the id of the teacher model the logits came from
   * @param byQuestion question id to {start, end} logits at the student's window positions
   */
  public TeacherLogits(String teacherId, Map<String, float[][]> byQuestion) {
    this.teacherId = teacherId;
    this.byQuestion = byQuestion;
  }

  /** {@return the id of the teacher model the logits came from} */
  public String teacherId() {
    return teacherId;
  }

  /** {@return the number of questions with logits} */
  public int size() {
    return byQuestion.size();
  }

  /**
   * {start, end} logits of the question, or null when the teacher did not see it.
   *
   * @param questionId a question id
   * @return {start, end}, each as long as the student window, or null
   */
  public float[][] get(String questionId) {
    return byQuestion.get(questionId);
  }

  /**
   * Writes the logits to {@code file.tmp}, then renames it over {@code file}.
   *
   * @param file the destination
   * @throws IOException when writing or the rename fails
   */
  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BinaryIo.Out o = new BinaryIo.Out(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
      o.bytes(MAGIC);
      o.i32(VERSION);
      o.str(teacherId);
      o.i32(byQuestion.size());
      for (Map.Entry<String, float[][]> e : byQuestion.entrySet()) {
        o.str(e.getKey());
        o.floats(e.getValue()[0]);
        o.floats(e.getValue()[1]);
      }
      o.finish();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads and checks a logits file (magic, version, CRC32C).
   *
   * @param file the logits file
   * @return the teacher id and the logits per question
   * @throws IOException when the file is missing, truncated or corrupt
   */
  public static TeacherLogits read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file + " (teacher logits) does not exist");
    }
    try (BinaryIo.In in = new BinaryIo.In(new BufferedInputStream(Files.newInputStream(file), 1 << 20),
        file.toString())) {
      byte[] magic = in.bytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + " is not a teacher-logits file");
      }
      int v = in.i32();
      if (v != VERSION) {
        throw new IllegalArgumentException(file + ": teacher-logits version " + v + ", this build reads " + VERSION);
      }
      String id = in.str();
      int n = in.i32();
      Map<String, float[][]> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String q = in.str();
        float[] s = in.floats();
        float[] e = in.floats();
        if (s.length != e.length) {
          throw new IllegalArgumentException(file + ": question " + q + " has " + s.length + " start and "
              + e.length + " end logits");
        }
        m.put(q, new float[][] {s, e});
      }
      in.verify();
      return new TeacherLogits(id, m);
    }
  }
}
