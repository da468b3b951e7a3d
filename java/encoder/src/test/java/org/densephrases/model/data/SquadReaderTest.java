package org.densephrases.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SquadReaderTest {
  @TempDir
  Path dir;

  // The emoji is one code point (answer_start counts it once) but two Java chars.
  static final String JSON = """
      {"version": "1.1", "data": [{"title": "Super_Bowl_50", "paragraphs": [
        {"context": "Fans 😀 saw the Denver Broncos beat the Broncos' rivals.",
         "qas": [
           {"id": "q1", "question": "Who won?", "answers": [
              {"text": "Denver Broncos", "answer_start": 15},
              {"text": "Broncos", "answer_start": 22, "ambiguous_start": true}]},
           {"id": "q2", "question": "Who watched?", "answers": [{"text": "Fans", "answer_start": 0}]}]}]}]}
      """;

  private Path write(String name, String content, boolean gzip) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  @Test
  void readsPlainAndGzipAlike() throws IOException {
    // gzip is detected by content, so the name does not matter.
    for (SquadDataset d : new SquadDataset[] {SquadReader.read(write("a.json", JSON, false)),
        SquadReader.read(write("b.json", JSON, true))}) {
      assertEquals("1.1", d.version());
      assertEquals(1, d.paragraphs().size());
      assertEquals(2, d.numQuestions());
      assertEquals(3, d.numAnswers());
      SquadParagraph p = d.paragraphs().get(0);
      assertEquals("Super Bowl 50", p.title());
      SquadAnswer a = p.questions().get(0).answers().get(0);
      assertEquals(16, a.charStart()); // 15 code points = 16 Java chars
      assertEquals("Denver Broncos", p.context().substring(a.charStart(), a.charEnd()));
      assertFalse(a.ambiguousStart());
      assertTrue(p.questions().get(0).answers().get(1).ambiguousStart());
      assertEquals(java.util.List.of("Denver Broncos", "Broncos"), p.questions().get(0).answerTexts());
    }
  }

  @Test
  void missingAndMalformedFilesSayWhatAndWhere() throws IOException {
    assertMessage("SQuAD file not found", () -> SquadReader.read(dir.resolve("none.json")));
    assertMessage("not valid JSON", () -> SquadReader.read(write("bad.json", "{\"data\": [", false)));
    assertMessage("top level is not a JSON object", () -> SquadReader.read(write("arr.json", "[1]", false)));
    assertMessage("data is missing", () -> SquadReader.read(write("nodata.json", "{}", false)));
    assertMessage("data[0].paragraphs[0].qas[1].answers[0].answer_start is missing",
        () -> SquadReader.read(write("noanswerstart.json", JSON.replace("\"answer_start\": 0", "\"x\": 0"), false)));
    assertMessage("data[0].paragraphs[0].qas[0].answers[0]: text \"Denver Broncos\" is not at answer_start 14",
        () -> SquadReader.read(write("off.json", JSON.replace("15}", "14}"), false)));
    assertMessage("outside its", () -> SquadReader.read(write("far.json", JSON.replace("15}", "999}"), false)));
    assertMessage("data[0].title is not a string",
        () -> SquadReader.read(write("title.json", JSON.replace("\"Super_Bowl_50\"", "3"), false)));
    byte[] gz = Files.readAllBytes(write("t.gz", JSON, true));
    Path truncated = dir.resolve("truncated.gz");
    Files.write(truncated, java.util.Arrays.copyOf(gz, gz.length / 2));
    assertMessage("truncated.gz", () -> SquadReader.read(truncated));
  }

  static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
    RuntimeException ex = assertThrows(RuntimeException.class, e);
    assertTrue(ex.getMessage() != null && ex.getMessage().contains(part),
        () -> "message '" + ex.getMessage() + "' lacks '" + part + "'");
  }
}
