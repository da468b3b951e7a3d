package org.densephrases.model.eval;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Predictions in the official SQuAD v1.1 format, {@code {"<question id>": "<answer text>", ...}}: what the official
 * evaluation script ({@code python evaluate-v1.1.py dev-v1.1.json predictions.json}) scores. Written to a temporary
 * name and renamed, so a crash never leaves a half-written file. No DJL: eval-rc and eval-open both write it.
 */
public final class SquadPredictions {
  private SquadPredictions() {}

  /**
   * Writes {@code predictions} (question id to answer text, in the map's order) to {@code file}.
   *
   * @param file the JSON file to write
   * @param predictions question id to answer text
   * @throws IOException when the file cannot be written
   */
  public static void write(Path file, Map<String, String> predictions) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve(file.getFileName() + ".tmp");
    JsonObject o = new JsonObject();
    predictions.forEach(o::addProperty);
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      new Gson().toJson(o, w);
      w.write('\n');
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads a predictions file; anything but an object of strings is an IOException naming the file.
   *
   * @param file the JSON file to read
   * @return question id to answer text, in file order
   * @throws IOException when the file cannot be read or is not a JSON object of strings
   */
  public static Map<String, String> read(Path file) throws IOException {
    JsonElement e;
    try {
      e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
    } catch (RuntimeException ex) {
      throw new IOException(file + ": not JSON: " + ex.getMessage(), ex);
    }
    if (!e.isJsonObject()) {
      throw new IOException(file + ": expected an object {question id: answer text}");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> kv : e.getAsJsonObject().entrySet()) {
      if (!kv.getValue().isJsonPrimitive() || !kv.getValue().getAsJsonPrimitive().isString()) {
        throw new IOException(file + ": the answer of question " + kv.getKey() + " is not a string");
      }
      out.put(kv.getKey(), kv.getValue().getAsString());
    }
    return out;
  }
}
