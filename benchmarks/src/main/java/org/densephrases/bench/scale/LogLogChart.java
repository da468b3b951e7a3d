package org.densephrases.bench.scale;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A small log-log line chart drawn with Java2D (no plotting library here), written as PNG. */
final class LogLogChart {
  /** One line: name, x values, y values. */
  public record Series(String name, double[] x, double[] y) {}

  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
      new Color(0xbcbd22), new Color(0x17becf)};

  private LogLogChart() {}

  public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series)
      throws IOException {
    int w = 900;
    int h = 600;
    int left = 90;
    int right = 30;
    int top = 50;
    int bottom = 70;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double x0 = Double.MAX_VALUE;
    double x1 = 0;
    double y0 = Double.MAX_VALUE;
    double y1 = 0;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (s.x()[i] > 0 && s.y()[i] > 0) {
          x0 = Math.min(x0, s.x()[i]);
          x1 = Math.max(x1, s.x()[i]);
          y0 = Math.min(y0, s.y()[i]);
          y1 = Math.max(y1, s.y()[i]);
        }
      }
    }
    if (x1 == 0) {
      x0 = 1;
      x1 = 10;
      y0 = 1;
      y1 = 10;
    }
    double lx0 = Math.floor(Math.log10(x0));
    double lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(x1)));
    double ly0 = Math.floor(Math.log10(y0));
    double ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(y1)));
    int pw = w - left - right;
    int ph = h - top - bottom;
    java.util.function.DoubleUnaryOperator px = x -> left + (Math.log10(x) - lx0) / (lx1 - lx0) * pw;
    java.util.function.DoubleUnaryOperator py = y -> top + ph - (Math.log10(y) - ly0) / (ly1 - ly0) * ph;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    for (int e = (int) lx0; e <= lx1; e++) {
      int x = (int) px.applyAsDouble(Math.pow(10, e));
      g.setColor(new Color(0xdddddd));
      g.drawLine(x, top, x, top + ph);
      g.setColor(Color.BLACK);
      g.drawString("1e" + e, x - 12, top + ph + 20);
    }
    for (int e = (int) ly0; e <= ly1; e++) {
      int y = (int) py.applyAsDouble(Math.pow(10, e));
      g.setColor(new Color(0xdddddd));
      g.drawLine(left, y, left + pw, y);
      g.setColor(Color.BLACK);
      String lab = e >= 0 && e <= 4 ? String.format(Locale.ROOT, "%.0f", Math.pow(10, e))
          : e == -1 ? "0.1" : e == -2 ? "0.01" : "1e" + e;
      g.drawString(lab, left - 10 - g.getFontMetrics().stringWidth(lab), y + 5);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, left, top - 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    g.drawString(xLabel, left + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, h - 25);
    Graphics2D gr = (Graphics2D) g.create();
    gr.rotate(-Math.PI / 2);
    gr.drawString(yLabel, -(top + ph / 2 + g.getFontMetrics().stringWidth(yLabel) / 2), 25);
    gr.dispose();
    List<Series> ss = new ArrayList<>(series);
    for (int k = 0; k < ss.size(); k++) {
      Series s = ss.get(k);
      g.setColor(COLORS[k % COLORS.length]);
      g.setStroke(new BasicStroke(2.2f));
      int lastX = -1;
      int lastY = -1;
      for (int i = 0; i < s.x().length; i++) {
        if (!(s.x()[i] > 0 && s.y()[i] > 0)) {
          continue;
        }
        int x = (int) px.applyAsDouble(s.x()[i]);
        int y = (int) py.applyAsDouble(s.y()[i]);
        g.fillOval(x - 4, y - 4, 8, 8);
        if (lastX >= 0) {
          g.drawLine(lastX, lastY, x, y);
        }
        lastX = x;
        lastY = y;
      }
      g.drawLine(left + 15, top + 18 + 20 * k, left + 45, top + 18 + 20 * k);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), left + 52, top + 23 + 20 * k);
    }
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
    ImageIO.write(img, "png", tmp.toFile());
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
