package org.densephrases.model.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SQuAD v1.1 JSON ({@code data[].title, data[].paragraphs[].{context, qas[].{id, question,
 * answers[].{text, answer_start, ambiguous_start?}}}}), gzip or plain. Every answer is checked: its text must be at
 * answer_start in the context. Errors name the file and the JSON path of the bad field.
 */
public final class SquadReader {
  private SquadReader() {}

  /**
   * Reads and checks a SQuAD v1.1 file.
   *
   * @param file the JSON file, gzip or plain
   * @return every paragraph with its questions, in file order
   * @throws DataFileException when the file is missing or malformed, or an answer is not at its answer_start
   */
  public static SquadDataset read(Path file) {
    String src = file.toString();
    JsonElement root;
    try (BufferedReader r = DataFiles.open(file, "SQuAD file")) {
      root = JsonParser.parseReader(r);
    } catch (JsonParseException e) {
      throw new DataFileException(src + ": not valid JSON: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataFileException("cannot read SQuAD file " + src + ": " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new DataFileException(src + ": top level is not a JSON object");
    }
    JsonObject top = root.getAsJsonObject();
    String version = top.has("version") && top.get("version").isJsonPrimitive() ? top.get("version").getAsString()
        : "";
    JsonArray data = array(top, "data", src, "");
    List<SquadParagraph> paragraphs = new ArrayList<>();
    for (int a = 0; a < data.size(); a++) {
      String ap = "data[" + a + "]";
      JsonObject article = object(data.get(a), src, ap);
      String title = string(article, "title", src, ap).replace('_', ' ');
      JsonArray ps = array(article, "paragraphs", src, ap);
      for (int p = 0; p < ps.size(); p++) {
        String pp = ap + ".paragraphs[" + p + "]";
        JsonObject para = object(ps.get(p), src, pp);
        String context = string(para, "context", src, pp);
        int[] cpToChar = codePointToChar(context);
        JsonArray qas = array(para, "qas", src, pp);
        List<SquadQuestion> questions = new ArrayList<>(qas.size());
        for (int q = 0; q < qas.size(); q++) {
          String qp = pp + ".qas[" + q + "]";
          JsonObject qa = object(qas.get(q), src, qp);
          JsonArray ans = array(qa, "answers", src, qp);
          List<SquadAnswer> answers = new ArrayList<>(ans.size());
          for (int k = 0; k < ans.size(); k++) {
            String kp = qp + ".answers[" + k + "]";
            JsonObject an = object(ans.get(k), src, kp);
            String text = string(an, "text", src, kp);
            int cpStart = integer(an, "answer_start", src, kp);
            boolean ambiguous = an.has("ambiguous_start") && an.get("ambiguous_start").getAsBoolean();
            if (cpStart < 0 || cpStart >= cpToChar.length) {
              throw new DataFileException(src + ": " + kp + ".answer_start " + cpStart + " is outside its "
                  + (cpToChar.length - 1) + "-character context");
            }
            int start = cpToChar[cpStart];
            if (!context.startsWith(text, start) || text.isEmpty()) {
              throw new DataFileException(src + ": " + kp + ": text \"" + text + "\" is not at answer_start "
                  + cpStart + " of the context");
            }
            answers.add(new SquadAnswer(text, start, ambiguous));
          }
          questions.add(new SquadQuestion(string(qa, "id", src, qp), string(qa, "question", src, qp),
              List.copyOf(answers)));
        }
        paragraphs.add(new SquadParagraph(title, context, List.copyOf(questions)));
      }
    }
    return new SquadDataset(src, version, List.copyOf(paragraphs));
  }

  /** code point index -> UTF-16 index, length codePoints + 1. */
  private static int[] codePointToChar(String s) {
    int n = s.codePointCount(0, s.length());
    int[] m = new int[n + 1];
    int c = 0;
    for (int i = 0; i < n; i++) {
      m[i] = c;
      c += Character.charCount(s.codePointAt(c));
    }
    m[n] = c;
    return m;
  }

  private static JsonObject object(JsonElement e, String src, String path) {
    if (e == null || !e.isJsonObject()) {
      throw new DataFileException(src + ": " + path + " is not a JSON object");
    }
    return e.getAsJsonObject();
  }

  private static JsonArray array(JsonObject o, String key, String src, String path) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonArray()) {
      throw new DataFileException(src + ": " + where(path, key) + (e == null ? " is missing" : " is not an array"));
    }
    return e.getAsJsonArray();
  }

  static String string(JsonObject o, String key, String src, String path) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
      throw new DataFileException(src + ": " + where(path, key) + (e == null ? " is missing" : " is not a string"));
    }
    return e.getAsString();
  }

  private static int integer(JsonObject o, String key, String src, String path) {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
      throw new DataFileException(src + ": " + where(path, key) + (e == null ? " is missing" : " is not a number"));
    }
    return e.getAsInt();
  }

  private static String where(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
