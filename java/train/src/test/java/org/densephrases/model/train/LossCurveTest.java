package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** losses.csv of either run kind is logged, truncated on resume and drawn; a log without loss columns is refused. */
class LossCurveTest {
  @TempDir Path tmp;

  private static int nonWhite(BufferedImage img) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        n += (img.getRGB(x, y) & 0xffffff) != 0xffffff ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void teacherAndStudentLogsAreDrawnAndTruncated() throws IOException {
    Path t = tmp.resolve("t.csv");
    Path s = tmp.resolve("s.csv");
    for (int step = 1; step <= 30; step++) {
      LossLog.append(t, LossLog.TEACHER_HEADER, step, step * 2.0, 5f / step, 1e-4f, 2000f);
      LossLog.append(s, LossLog.STUDENT_HEADER, step, step * 2.0, 9f / step, 3f / step, 1f, 2f, 0.1f, 1e-4f, 30f,
          1500f, 60f, 0f);
    }
    LossLog.truncate(t, 20);
    List<String> rows = Files.readAllLines(t);
    assertEquals(21, rows.size());
    assertEquals(LossLog.TEACHER_HEADER, rows.getFirst());
    assertTrue(rows.getLast().startsWith("20,"));
    for (Path csv : List.of(t, s)) {
      Path png = tmp.resolve(csv.getFileName() + ".png");
      LossCurve.plot(csv, png);
      BufferedImage img = ImageIO.read(png.toFile());
      assertEquals(900, img.getWidth());
      assertTrue(nonWhite(img) > 2000, "curve drawn for " + csv);
    }
  }

  @Test
  void aLogWithoutLossColumnsIsRefused() throws IOException {
    Path bad = tmp.resolve("bad.csv");
    Files.writeString(bad, "step,seconds,accuracy\n1,1,0.5\n2,2,0.6\n3,3,0.7\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LossCurve.plot(bad, tmp.resolve("bad.png")));
    assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("loss"), e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("bad.png")));
  }
}
