package org.densephrases.model.data;

import static org.densephrases.model.data.SquadReaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String content, boolean gzip) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  static final String LINES = """
      {"id": "train-000-000", "title": "University of Notre Dame", "text": "Architecturally, the school ..."}

      {"id": "dev-000-000", "title": "Super Bowl 50", "text": "Super Bowl 50 was an American football game."}
      """;

  @Test
  void readsPlainAndGzip() throws IOException {
    for (boolean gz : new boolean[] {false, true}) {
      List<CorpusParagraph> all = CorpusReader.readAll(write("c" + gz + ".jsonl", LINES, gz));
      assertEquals(2, all.size());
      assertEquals(new CorpusParagraph("dev-000-000", "Super Bowl 50", "Super Bowl 50 was an American football game."),
          all.get(1));
    }
  }

  @Test
  void errorsNameFileAndLine() throws IOException {
    assertMessage("corpus file not found", () -> CorpusReader.readAll(dir.resolve("none.jsonl")));
    assertMessage("line 3 is not valid JSON",
        () -> CorpusReader.readAll(write("bad.jsonl", LINES.replace("\"dev-000-000\",", "\"dev-000-000\""), false)));
    assertMessage("line 1.text is missing", () -> CorpusReader.readAll(write("m.jsonl", "{\"id\":\"a\",\"title\":\"t\"}",
        false)));
    assertMessage("line 2: duplicate id 'a'", () -> CorpusReader.readAll(write("d.jsonl",
        "{\"id\":\"a\",\"title\":\"t\",\"text\":\"x\"}\n{\"id\":\"a\",\"title\":\"t\",\"text\":\"y\"}\n", false)));
    assertMessage("line 1 is not a JSON object", () -> CorpusReader.readAll(write("n.jsonl", "[]\n", false)));
  }
}
