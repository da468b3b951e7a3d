package org.densephrases.app.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.densephrases.model.data.CorpusParagraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
  @TempDir Path tmp;

  static String words(String w, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(w).append(i).append(i % 10 == 9 ? "." : "");
    }
    return sb.toString();
  }

  @Test
  void shortBlocksAreJoinedLongOnesCutAtSentenceEnds() {
    String text = "# My Title\n\n" + words("a", 40) + "\n" + words("b", 30) + "\n\n## Part two\n\n" + words("c", 60)
        + "\n\n" + words("d", 400) + "\n";
    List<CorpusParagraph> ps = TextCorpus.passages("dir/doc.md", text);
    for (int i = 0; i < ps.size(); i++) {
      CorpusParagraph p = ps.get(i);
      assertEquals("dir/doc.md#" + i, p.id());
      assertEquals("My Title", p.title(), "the first heading");
      assertTrue(TextCorpus.words(p.text()) <= TextCorpus.TARGET_WORDS, p.text());
      assertTrue(!p.text().contains("#") && !p.text().contains("\n"), p.text());
    }
    // a 40-word and a 30-word line of one block, then the 60-word block: 130 words in the first passage
    assertTrue(ps.get(0).text().startsWith("a0 a1") && ps.get(0).text().contains("b29. c0"), ps.get(0).text());
    // the 400-word block is cut at sentence ends (every 10th word ends one)
    for (CorpusParagraph p : ps.subList(1, ps.size())) {
      assertTrue(p.text().endsWith("."), p.text());
    }
    String all = String.join(" ", ps.stream().map(CorpusParagraph::text).toList());
    assertEquals(40 + 30 + 60 + 400, TextCorpus.words(all), "no word lost or repeated");
  }

  @Test
  void withoutAHeadingTheTitleIsTheFileName() {
    List<CorpusParagraph> ps = TextCorpus.passages("notes.txt", "One line.\r\nAnother line.\n");
    assertEquals(List.of(new CorpusParagraph("notes.txt#0", "notes", "One line. Another line.")), ps);
  }

  @Test
  void aFolderIsReadRecursivelyInPathOrderAndChecksummed() throws IOException {
    Path dir = tmp.resolve("c");
    Files.createDirectories(dir.resolve("sub"));
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve("b.md"), "# Bee\n\nBees make honey.");
    Files.writeString(dir.resolve("sub/a.txt"), "Ants carry leaves.");
    Files.writeString(dir.resolve("skip.json"), "{}");
    Files.writeString(dir.resolve(".git/x.txt"), "hidden");
    List<CorpusParagraph> ps = TextCorpus.read(dir);
    assertEquals(List.of("b.md#0", "sub/a.txt#0"), ps.stream().map(CorpusParagraph::id).toList());
    assertEquals("Bee", ps.get(0).title());
    String c1 = TextCorpus.checksum(dir);
    assertEquals(c1, TextCorpus.checksum(dir));
    Files.writeString(dir.resolve("sub/a.txt"), "Ants carry leaves home.");
    assertNotEquals(c1, TextCorpus.checksum(dir));
    assertTrue(TextCorpus.isText(dir.resolve("b.md")) && !TextCorpus.isText(dir.resolve("skip.json")));
    assertEquals(List.of("b.md#0"), TextCorpus.read(dir.resolve("b.md")).stream().map(CorpusParagraph::id).toList());
  }

  @Test
  void emptyOrNonUtf8InputIsRefusedWithTheFileNamed() throws IOException {
    Path empty = tmp.resolve("empty");
    Files.createDirectories(empty);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.read(empty));
    assertTrue(e.getMessage().contains("no non-empty .txt or .md file"), e.getMessage());
    Path bad = tmp.resolve("bad.txt");
    Files.write(bad, new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b'});
    e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.read(bad));
    assertTrue(e.getMessage().contains("bad.txt") && e.getMessage().contains("UTF-8"), e.getMessage());
    assertThrows(java.nio.file.NoSuchFileException.class, () -> TextCorpus.read(tmp.resolve("nope")));
  }
}
