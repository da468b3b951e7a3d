package org.densephrases.model.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-step loss log of a run ({@code losses.csv}): appended after every step, truncated back to the checkpoint's
 * step on resume so that a killed run's extra rows never show twice. {@link LossCurve} plots it.
 */
public final class LossLog {
  /** The log's file name inside a run directory. */
  public static final String FILE = "losses.csv";
  /** The phrase model's columns. */
  public static final String STUDENT_HEADER = "step,seconds,loss,single,distill,negative,filter,lr,gnorm,"
      + "tokens_per_s,questions,cache";
  /** The teacher's columns. */
  public static final String TEACHER_HEADER = "step,seconds,loss,lr,tokens_per_s";

  private LossLog() {}

  /**
   * Appends one row (step, cumulative seconds, then {@code v} in header order); writes the header first if new.
   *
   * @param f the CSV file
   * @param header the CSV header line, written first when the file does not exist yet
   * @param step the optimizer step the row is for
   * @param seconds training time so far, in seconds
   * @param v the loss values, one per header column
   * @throws java.io.UncheckedIOException when the file cannot be written
   */
  public static void append(Path f, String header, long step, double seconds, float... v) {
    StringBuilder sb = new StringBuilder();
    sb.append(step).append(',').append(String.format(Locale.ROOT, "%.1f", seconds));
    for (float x : v) {
      sb.append(',').append(String.format(Locale.ROOT, "%.6g", x));
    }
    sb.append('\n');
    try {
      if (!Files.exists(f)) {
        Files.writeString(f, header + "\n");
      }
      Files.writeString(f, sb.toString(), StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Drops rows after {@code step} (written after the checkpoint the run resumes from).
   *
   * @param f the CSV file (nothing happens when it does not exist)
   * @param step the last step to keep
   * @throws IOException when the file cannot be rewritten
   */
  public static void truncate(Path f, long step) throws IOException {
    if (!Files.exists(f)) {
      return;
    }
    List<String> keep = new ArrayList<>();
    for (String line : Files.readAllLines(f)) {
      if (line.startsWith("step") || line.isBlank()) {
        keep.add(line);
        continue;
      }
      if (Long.parseLong(line.substring(0, line.indexOf(','))) <= step) {
        keep.add(line);
      }
    }
    Files.write(f, keep);
  }
}
