package org.densephrases.app.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.densephrases.model.data.CorpusParagraph;
import org.densephrases.model.data.CorpusReader;

/**
 * A corpus given as a JSONL file ({@code {id,title,text}} a line, gzip or plain), a folder of {@code .txt} /
 * {@code .md} files (one document per file, searched recursively) or one such file.
 *
 * <p>A text document is split into passages the size of the SQuAD corpus's paragraphs (which the committed model
 * was trained on and which the dump encodes one per document): blocks separated by blank lines are joined, whitespace
 * folded, into passages of at most {@value #TARGET_WORDS} words; a longer block is cut at sentence ends (or, with no
 * sentence end in reach, at {@value #TARGET_WORDS} words). Markdown headings are not passage text; the first one is
 * the title, else the file name without its extension. Passage ids are {@code <path>#<n>} with the path relative to
 * the folder ('/' separated) and n from 0, so that {@code densephrases remove --ids <path>} removes a file's passages
 * and adding the file again replaces them (the key of an id is the part before its last '#').
 */
public final class TextCorpus {
  /** SQuAD's paragraphs average about 120 words; the passage windows of the model take 384 word pieces. */
  static final int TARGET_WORDS = 150;

  private TextCorpus() {}

  /**
   * Whether {@code p} is read as text (a folder or a .txt/.md file) rather than JSONL.
   *
   * @param p a corpus path
   * @return true for a directory or a {@code .txt} / {@code .md} file
   */
  public static boolean isText(Path p) {
    return Files.isDirectory(p) || isTextFile(p);
  }

  static boolean isTextFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".txt") || n.endsWith(".md") || n.endsWith(".markdown");
  }

  /**
   * The corpus at {@code p}, in order: JSONL lines, or the text files' passages in path order.
   *
   * @param p a JSONL file (gzip or plain), a text file, or a folder of text files
   * @return the paragraphs in order
   * @throws IOException when a file cannot be read
   */
  public static List<CorpusParagraph> read(Path p) throws IOException {
    if (!Files.exists(p)) {
      throw new NoSuchFileException(p.toString(), null, "corpus file not found");
    }
    if (!isText(p)) {
      return CorpusReader.readAll(p);
    }
    List<CorpusParagraph> out = new ArrayList<>();
    for (Path f : files(p)) {
      String rel = Files.isDirectory(p) ? p.relativize(f).toString().replace('\\', '/') : f.getFileName().toString();
      out.addAll(passages(rel, read(f, rel)));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(p + ": no text found (" + (Files.isDirectory(p)
          ? "the folder holds no non-empty .txt or .md file" : "the file is empty") + ")");
    }
    return out;
  }

  /** The .txt/.md files of a folder (recursively, hidden ones skipped), sorted by path; or the file itself. */
  static List<Path> files(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).filter(TextCorpus::isTextFile)
          .filter(f -> p.relativize(f).toString().chars().noneMatch(c -> c == 0)
              && !p.relativize(f).toString().startsWith(".") && !p.relativize(f).toString().contains("/."))
          .sorted().toList();
    }
  }

  private static String read(Path f, String name) throws IOException {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(f + ": not UTF-8 text (" + name + ")");
    }
  }

  /**
   * The passages of one document (see the class comment).
   *
   * @param path the document's path relative to the corpus root (its id and title derive from it)
   * @param text the document's text
   * @return its passages, in order
   */
  public static List<CorpusParagraph> passages(String path, String text) {
    String stem = path.substring(path.lastIndexOf('/') + 1).replaceFirst("\\.[^.]+$", "");
    String title = null;
    List<String> blocks = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
      String l = line.strip();
      boolean heading = l.startsWith("#") && l.replaceFirst("^#+", "").startsWith(" ");
      if (l.isEmpty() || heading) {
        flush(cur, blocks);
        if (heading && title == null) {
          title = l.replaceFirst("^#+\\s*", "").strip();
        }
        continue;
      }
      if (!cur.isEmpty()) {
        cur.append(' ');
      }
      cur.append(l.replaceAll("\\s+", " "));
    }
    flush(cur, blocks);
    List<String> pieces = new ArrayList<>();
    for (String b : blocks) {
      pieces.addAll(splitLong(b));
    }
    List<CorpusParagraph> out = new ArrayList<>();
    StringBuilder p = new StringBuilder();
    int words = 0;
    for (String piece : pieces) {
      int w = words(piece);
      if (words > 0 && words + w > TARGET_WORDS) {
        out.add(new CorpusParagraph(path + "#" + out.size(), title != null ? title : stem, p.toString()));
        p.setLength(0);
        words = 0;
      }
      if (!p.isEmpty()) {
        p.append(' ');
      }
      p.append(piece);
      words += w;
    }
    if (!p.isEmpty()) {
      out.add(new CorpusParagraph(path + "#" + out.size(), title != null ? title : stem, p.toString()));
    }
    return out;
  }

  private static void flush(StringBuilder cur, List<String> blocks) {
    if (!cur.isEmpty()) {
      blocks.add(cur.toString());
      cur.setLength(0);
    }
  }

  static int words(String s) {
    return s.isBlank() ? 0 : s.strip().split("\\s+").length;
  }

  /** A block of more than TARGET_WORDS words cut into pieces at sentence ends, else at TARGET_WORDS words. */
  static List<String> splitLong(String block) {
    List<String> out = new ArrayList<>();
    String[] w = block.split(" ");
    int from = 0;
    while (w.length - from > TARGET_WORDS) {
      int cut = -1;
      for (int i = from + TARGET_WORDS - 1; i > from + TARGET_WORDS / 3; i--) {
        String x = w[i];
        if (x.endsWith(".") || x.endsWith("?") || x.endsWith("!") || x.endsWith(".\"") || x.endsWith(".)")) {
          cut = i + 1;
          break;
        }
      }
      if (cut < 0) {
        cut = from + TARGET_WORDS;
      }
      out.add(String.join(" ", java.util.Arrays.copyOfRange(w, from, cut)));
      from = cut;
    }
    out.add(String.join(" ", java.util.Arrays.copyOfRange(w, from, w.length)));
    return out;
  }

  /**
   * CRC32C of a corpus: a file's bytes; a folder's text files' relative paths and bytes, in path order.
   *
   * @param p a corpus file or folder
   * @return the CRC32C as 8 lower-case hex digits
   * @throws IOException when a file cannot be read
   */
  public static String checksum(Path p) throws IOException {
    if (!Files.exists(p)) {
      throw new NoSuchFileException(p.toString(), null, "corpus file not found");
    }
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[1 << 16];
    for (Path f : Files.isDirectory(p) ? files(p) : List.of(p)) {
      if (Files.isDirectory(p)) {
        crc.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
        crc.update(0);
      }
      try (InputStream in = Files.newInputStream(f)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          crc.update(buf, 0, n);
        }
      }
    }
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }
}
