package org.densephrases.bench.drift;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Grouped bars (one group per metric, one bar per series) drawn with Java2D, written as PNG (tmp + rename). */
final class BarChart {
  /** One series: its name and one value per group. */
  public record Series(String name, double[] values) {}

  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd)};

  private BarChart() {}

  public static void write(Path png, String title, String yLabel, List<String> groups, List<Series> series,
      double yMax) throws IOException {
    int w = 1000;
    int h = 560;
    int left = 70;
    int right = 20;
    int top = 50;
    int bottom = 110;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int pw = w - left - right;
    int ph = h - top - bottom;
    for (int i = 0; i <= 5; i++) {
      double v = yMax * i / 5;
      int y = top + ph - (int) Math.round(ph * v / yMax);
      g.setColor(new Color(0xdddddd));
      g.drawLine(left, y, left + pw, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%.0f", v), left - 35, y + 4);
    }
    g.drawLine(left, top, left, top + ph);
    g.drawLine(left, top + ph, left + pw, top + ph);
    int gw = pw / groups.size();
    int bw = Math.max(4, (gw - 20) / series.size());
    for (int gi = 0; gi < groups.size(); gi++) {
      int x0 = left + gi * gw + 10;
      for (int si = 0; si < series.size(); si++) {
        double v = series.get(si).values()[gi];
        int bh = (int) Math.round(ph * Math.min(v, yMax) / yMax);
        g.setColor(COLORS[si % COLORS.length]);
        g.fillRect(x0 + si * bw, top + ph - bh, bw - 2, bh);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        g.drawString(String.format(Locale.ROOT, "%.1f", v), x0 + si * bw, top + ph - bh - 3);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(groups.get(gi), x0, top + ph + 18);
    }
    int ly = h - bottom + 45;
    int lx = left;
    for (int si = 0; si < series.size(); si++) {
      g.setColor(COLORS[si % COLORS.length]);
      g.fillRect(lx, ly - 10, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(series.get(si).name(), lx + 18, ly);
      lx += 20 + g.getFontMetrics().stringWidth(series.get(si).name()) + 30;
    }
    g.setStroke(new BasicStroke(1));
    g.drawString(yLabel, left, h - 20);
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
    ImageIO.write(img, "png", tmp.toFile());
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
