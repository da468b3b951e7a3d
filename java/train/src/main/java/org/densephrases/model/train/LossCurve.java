package org.densephrases.model.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws losses.csv as a PNG (Java2D, headless): total and each term against the step, smoothed over 20 steps. */
public final class LossCurve {
  private LossCurve() {}

  private static final String[] SERIES = {"loss", "single", "negative", "filter", "distill"};
  private static final Color[] COLORS = {Color.BLACK, new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0x9467bd)};

  /**
   * Draws the PNG; a CSV with fewer than two rows draws nothing.
   *
   * @param csv the {@code losses.csv} to read
   * @param png the image to write
   * @throws java.io.UncheckedIOException when a file cannot be read or written
   * @throws IllegalArgumentException when the CSV does not start with a {@code step} column or has no loss column
   */
  public static void plot(Path csv, Path png) {
    System.setProperty("java.awt.headless", "true");
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (lines.size() < 3) {
      return;
    }
    String[] header = lines.getFirst().split(",");
    if (indexOf(header, "step") != 0 || java.util.Arrays.stream(SERIES).allMatch(n -> indexOf(header, n) < 0)) {
      throw new IllegalArgumentException(csv + ": expected a 'step' column first and at least one of "
          + String.join(", ", SERIES) + ", got " + lines.getFirst());
    }
    List<double[]> rows = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      if (!l.isBlank()) {
        String[] f = l.split(",");
        double[] r = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          r[i] = Double.parseDouble(f[i]);
        }
        rows.add(r);
      }
    }
    int w = 900;
    int h = 520;
    int left = 70;
    int right = 150;
    int top = 30;
    int bottom = 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double maxStep = rows.getLast()[0];
    double minStep = rows.getFirst()[0];
    double maxY = 0;
    List<double[]> smoothed = new ArrayList<>();
    List<Integer> present = new ArrayList<>();
    for (int si = 0; si < SERIES.length; si++) {
      int col = indexOf(header, SERIES[si]);
      if (col < 0) {
        continue;
      }
      present.add(si);
      double[] v = new double[rows.size()];
      double acc = 0;
      for (int i = 0; i < rows.size(); i++) {
        acc += rows.get(i)[col];
        if (i >= 20) {
          acc -= rows.get(i - 20)[col];
        }
        v[i] = acc / Math.min(i + 1, 20);
        maxY = Math.max(maxY, v[i]);
      }
      smoothed.add(v);
    }
    maxY = maxY <= 0 ? 1 : maxY * 1.05;
    g.setColor(Color.GRAY);
    g.drawRect(left, top, w - left - right, h - top - bottom);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int k = 0; k <= 5; k++) {
      double y = maxY * k / 5;
      int py = top + (int) ((h - top - bottom) * (1 - (double) k / 5));
      g.drawString(String.format(Locale.ROOT, "%.2f", y), 10, py + 4);
      double x = minStep + (maxStep - minStep) * k / 5;
      int px = left + (w - left - right) * k / 5;
      g.drawString(String.format(Locale.ROOT, "%.0f", x), px - 10, h - bottom + 18);
    }
    g.drawString("step", left + (w - left - right) / 2, h - 12);
    g.drawString("training loss (20-step mean)", left, 18);
    g.setStroke(new BasicStroke(1.5f));
    for (int k = 0; k < present.size(); k++) {
      int s = present.get(k);
      double[] v = smoothed.get(k);
      g.setColor(COLORS[s]);
      int px0 = -1;
      int py0 = -1;
      for (int i = 0; i < v.length; i++) {
        int px = left + (int) ((w - left - right) * (rows.get(i)[0] - minStep) / Math.max(1, maxStep - minStep));
        int py = top + (int) ((h - top - bottom) * (1 - v[i] / maxY));
        if (px0 >= 0) {
          g.drawLine(px0, py0, px, py);
        }
        px0 = px;
        py0 = py;
      }
      g.drawString(SERIES[s], w - right + 15, top + 20 + 18 * k);
    }
    g.dispose();
    try {
      Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
      ImageIO.write(img, "png", tmp.toFile());
      Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(String[] header, String name) {
    for (int i = 0; i < header.length; i++) {
      if (header[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
