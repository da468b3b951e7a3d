package org.densephrases.app.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.densephrases.index.search.Answer;

/** The API's JSON: answers, errors. Field names are snake_case; offsets are UTF-16 code units, as in JavaScript. */
public final class JsonViews {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
      .create();

  private JsonViews() {}

  /**
   * Serialises a response object.
   *
   * @param o a JSON object
   * @return its compact JSON text (no HTML escaping; NaN and infinities written as such)
   */
  public static String write(JsonObject o) {
    return GSON.toJson(o);
  }

  /**
   * The API view of ranked answers.
   *
   * @param answers ranked answers, best first
   * @return their JSON objects, each with its 1-based rank
   */
  public static JsonArray answers(List<Answer> answers) {
    JsonArray arr = new JsonArray();
    int rank = 1;
    for (Answer a : answers) {
      arr.add(answer(rank++, a));
    }
    return arr;
  }

  /**
   * One answer. {@code evidence.answer_start/answer_end} locate the answer inside {@code evidence.text} (clamped to
   * it), so a client can highlight it without knowing the document. Phrase answers found in other documents too
   * carry {@code sources}: the same fields (text, score, title, doc_id, offsets, evidence) per other document.
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
    o.add("evidence", evidence(a.evidence(), a.evidenceStart(), a.startInEvidence(), a.charEnd() - a.charStart()));
    o.addProperty("unit", a.unit().toString());
    if (!a.sources().isEmpty()) {
      JsonArray src = new JsonArray();
      for (Answer.Source x : a.sources()) {
        JsonObject so = new JsonObject();
        so.addProperty("text", x.text());
        so.addProperty("score", round(x.score()));
        so.addProperty("title", x.title());
        so.addProperty("doc_id", x.docId());
        so.addProperty("char_start", x.charStart());
        so.addProperty("char_end", x.charEnd());
        so.add("evidence",
            evidence(x.evidence(), x.evidenceStart(), x.startInEvidence(), x.charEnd() - x.charStart()));
        src.add(so);
      }
      o.add("sources", src);
    }
    return o;
  }

  private static JsonObject evidence(String text, int charStart, int answerStart, int answerLength) {
    String ev = text == null ? "" : text;
    int s = Math.max(0, Math.min(ev.length(), answerStart));
    int e = Math.max(s, Math.min(ev.length(), s + answerLength));
    JsonObject evidence = new JsonObject();
    evidence.addProperty("text", ev);
    evidence.addProperty("char_start", charStart);
    evidence.addProperty("answer_start", s);
    evidence.addProperty("answer_end", e);
    return evidence;
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
