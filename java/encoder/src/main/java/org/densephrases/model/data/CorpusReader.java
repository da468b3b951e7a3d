package org.densephrases.model.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the corpus JSONL (gzip or plain), one {@code {"id","title","text"}} object a line; blank lines are skipped.
 * Errors name the file and line. Ids must be unique.
 */
public final class CorpusReader {
  private CorpusReader() {}

  /**
   * Reads a whole corpus into memory.
   *
   * @param file the JSONL file, gzip or plain
   * @return the paragraphs in file order
   * @throws DataFileException when the file is missing, malformed or repeats an id
   */
  public static List<CorpusParagraph> readAll(Path file) {
    List<CorpusParagraph> out = new ArrayList<>();
    forEach(file, out::add);
    return out;
  }

  /**
   * Streams paragraphs in file order without holding the file in memory (ids are still checked for uniqueness).
   *
   * @param file the JSONL file, gzip or plain
   * @param sink receives each paragraph
   * @throws DataFileException when the file is missing, malformed or repeats an id
   */
  public static void forEach(Path file, Consumer<CorpusParagraph> sink) {
    String src = file.toString();
    Set<String> ids = new HashSet<>();
    try (BufferedReader r = DataFiles.open(file, "corpus file")) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String at = "line " + no;
        JsonElement e;
        try {
          e = JsonParser.parseString(line);
        } catch (JsonParseException ex) {
          throw new DataFileException(src + ": " + at + " is not valid JSON: " + ex.getMessage(), ex);
        }
        if (!e.isJsonObject()) {
          throw new DataFileException(src + ": " + at + " is not a JSON object");
        }
        var o = e.getAsJsonObject();
        String id = SquadReader.string(o, "id", src, at);
        if (!ids.add(id)) {
          throw new DataFileException(src + ": " + at + ": duplicate id '" + id + "'");
        }
        sink.accept(new CorpusParagraph(id, SquadReader.string(o, "title", src, at),
            SquadReader.string(o, "text", src, at)));
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read corpus file " + src, ex);
    }
  }
}
