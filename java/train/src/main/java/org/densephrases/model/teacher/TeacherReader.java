package org.densephrases.model.teacher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.densephrases.model.augment.AugmentFilter;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.train.Checkpoint;
import org.densephrases.model.train.TrainConfig;

/**
 * A trained teacher as the augmentation filter's reader: loaded from a `densephrases teacher --out DIR` directory
 * (its checkpoint.bin holds the config and the weights), answering with the same windows, max-context rule and
 * 30-token limit as its SQuAD evaluation.
 */
public final class TeacherReader implements AugmentFilter.Reader, AutoCloseable {
  private final TeacherTrainer teacher;

  private TeacherReader(TeacherTrainer teacher) {
    this.teacher = teacher;
  }

  /**
   * A teacher already built (e.g. a tiny one in a test); closing the reader closes it.
   *
   * @param teacher a built (and trained) teacher
   * @return a reader over it
   */
  public static TeacherReader of(TeacherTrainer teacher) {
    return new TeacherReader(teacher);
  }

  /**
   * Loads a trained teacher from its run directory.
   *
   * @param dir the teacher's run directory, holding {@code checkpoint.bin}
   * @param device the device to run on, or null for the one in the checkpoint's config
   * @param log progress lines
   * @return the reader; closing it frees the teacher
   * @throws IOException when the checkpoint cannot be read
   * @throws IllegalArgumentException when there is no checkpoint
   */
  public static TeacherReader open(Path dir, String device, PrintStream log) throws IOException {
    Path ckpt = dir.resolve(Checkpoint.FILE);
    if (!Files.exists(ckpt)) {
      throw new IllegalArgumentException("no teacher checkpoint " + ckpt + " (train one with: densephrases teacher "
          + "--out " + dir + " ...)");
    }
    TrainConfig c = TrainConfig.fromJson(Checkpoint.read(ckpt).configJson());
    if (device != null) {
      c.device = device;
    }
    return new TeacherReader(TeacherTrainer.create(c, dir, log));
  }

  /** {@return the teacher's training step} */
  public long step() {
    return teacher.step();
  }

  @Override
  public Map<String, String> answer(SquadDataset questions) {
    return teacher.predictions(questions, 30, 64);
  }

  @Override
  public void close() {
    teacher.close();
  }
}
