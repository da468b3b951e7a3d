// Grouped bars of answer recall@k from eval-open tables: one group per k, one bar per table (e.g. all spans vs
// distinct answers). Java's single-file launcher, no build, no dependency:
//   java tools/plot-recall.java OUT.png "title" LABEL1=table1.md LABEL2=table2.md
// Reads the first data row of each table (columns: index | backend | EM | F1 | answer R@1 | R@5 | R@10 | R@50 | ...).
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

public class PlotRecall {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: java tools/plot-recall.java OUT.png TITLE LABEL=table.md ...");
      System.exit(2);
    }
    String[] ks = {"R@1", "R@5", "R@10", "R@50"};
    List<String> labels = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        System.err.println("plot-recall: expected LABEL=table.md, got " + args[i]);
        System.exit(2);
      }
      labels.add(args[i].substring(0, eq));
      values.add(recall(Path.of(args[i].substring(eq + 1))));
    }
    int w = 900;
    int h = 520;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int left = 70;
    int right = w - 30;
    int top = 60;
    int bottom = h - 70;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    g.drawString(args[1], left, 34);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    double max = 0;
    for (double[] v : values) {
      for (double x : v) {
        max = Math.max(max, x);
      }
    }
    max = Math.ceil(max / 10) * 10;
    for (int t = 0; t <= max; t += 10) {
      int y = bottom - (int) ((bottom - top) * t / max);
      g.setColor(new Color(225, 225, 225));
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(t + "%", left - 40, y + 5);
    }
    Color[] colors = {new Color(150, 160, 180), new Color(36, 86, 200), new Color(230, 140, 30), new Color(60, 160, 90)};
    int groupW = (right - left) / ks.length;
    int barW = (groupW - 40) / labels.size();
    for (int k = 0; k < ks.length; k++) {
      int x0 = left + k * groupW + 20;
      for (int s = 0; s < labels.size(); s++) {
        double v = values.get(s)[k];
        int bh = (int) ((bottom - top) * v / max);
        g.setColor(colors[s % colors.length]);
        g.fillRect(x0 + s * barW, bottom - bh, barW - 6, bh);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%.1f", v), x0 + s * barW + 4, bottom - bh - 6);
      }
      g.drawString("answer " + ks[k], x0 + (labels.size() * barW) / 2 - 40, bottom + 22);
    }
    g.setStroke(new BasicStroke(1.5f));
    g.drawLine(left, bottom, right, bottom);
    for (int s = 0; s < labels.size(); s++) {
      g.setColor(colors[s % colors.length]);
      g.fillRect(left + s * 260, h - 30, 14, 14);
      g.setColor(Color.BLACK);
      g.drawString(labels.get(s), left + s * 260 + 20, h - 18);
    }
    g.dispose();
    File out = new File(args[0]);
    File tmp = new File(args[0] + ".tmp.png");
    ImageIO.write(img, "png", tmp);
    Files.move(tmp.toPath(), out.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.out.println("plot-recall: " + out);
  }

  /** Answer R@1/5/10/50 of the first data row of an eval-open table. */
  static double[] recall(Path table) throws Exception {
    for (String line : Files.readAllLines(table)) {
      if (line.startsWith("| ") && !line.startsWith("| index")) {
        String[] c = line.split("\\|");
        // c[0] is empty: index=1 backend=2 EM=3 F1=4 R@1..R@50 = 5..8
        return new double[] {num(c[5]), num(c[6]), num(c[7]), num(c[8])};
      }
    }
    throw new IllegalArgumentException(table + ": no table row");
  }

  static double num(String s) {
    return Double.parseDouble(s.trim());
  }
}
