package org.densephrases.app.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.densephrases.index.search.Answer;

/** The API's JSON: answers, errors. Field names are snake_case; offsets are UTF-16 code units, as in JavaScript. */
final class JsonViews {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .create();

  private JsonViews() {}

  static String write(JsonObject o) {
    return GSON.toJson(o);
  }

  static JsonArray answers(List<Answer> answers) {
    JsonArray arr = new JsonArray();
    int rank = 1;
    for (Answer a : answers) {
      arr.add(answer(rank++, a));
    }
    return arr;
  }

  /**
   * One answer. {@code evidence.answer_start/answer_end} locate the answer inside {@code evidence.text} (clamped to
   * it), so a client can highlight it without knowing the document.
   */
  static JsonObject answer(int rank, Answer a) {
    JsonObject o = new JsonObject();
    o.addProperty("rank", rank);
    o.addProperty("text", a.text());
    o.addProperty("score", round(a.score()));
    o.addProperty("title", a.title());
    o.addProperty("doc_id", a.docId());
    o.addProperty("char_start", a.charStart());
    o.addProperty("char_end", a.charEnd());
    String ev = a.evidence() == null ? "" : a.evidence();
    int s = Math.max(0, Math.min(ev.length(), a.startInEvidence()));
    int e = Math.max(s, Math.min(ev.length(), s + (a.charEnd() - a.charStart())));
    JsonObject evidence = new JsonObject();
    evidence.addProperty("text", ev);
    evidence.addProperty("char_start", a.evidenceStart());
    evidence.addProperty("answer_start", s);
    evidence.addProperty("answer_end", e);
    o.add("evidence", evidence);
    o.addProperty("unit", a.unit().toString());
    return o;
  }

  static String error(int status, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    o.addProperty("status", status);
    return write(o);
  }

  /** Scores to 5 decimals: float noise beyond that only makes responses longer. */
  static double round(float v) {
    return Math.round(v * 1e5) / 1e5;
  }

  static double millis(long nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }
}
