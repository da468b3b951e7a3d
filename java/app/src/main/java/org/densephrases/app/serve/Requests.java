package org.densephrases.app.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.densephrases.index.search.Unit;

/**
 * Turns request parameters and bodies into checked questions and {@link Query}s. Everything a client can get wrong is
 * an {@link ApiException} with a 4xx status and a message naming the parameter and the accepted values.
 */
final class Requests {
  static final Set<String> SEARCH_PARAMS = Set.of("q", "k", "unit", "max_answer_length");
  static final Set<String> BATCH_FIELDS = Set.of("questions", "k", "unit", "max_answer_length");

  private final ServeConfig config;

  Requests(ServeConfig config) {
    this.config = config;
  }

  /** A parsed GET /api/search. */
  record Search(String question, Query query) {}

  /** A parsed POST /api/batch. */
  record Batch(List<String> questions, Query query) {}

  /**
   * @param params each parameter's values, in order (a parameter given twice is refused)
   */
  Search search(Map<String, List<String>> params) {
    for (var e : params.entrySet()) {
      if (!SEARCH_PARAMS.contains(e.getKey())) {
        throw bad("unknown parameter '" + e.getKey() + "': expected q, k, unit, max_answer_length");
      }
      if (e.getValue().size() != 1) {
        throw bad("parameter '" + e.getKey() + "' given " + e.getValue().size() + " times; give it once");
      }
    }
    List<String> q = params.get("q");
    if (q == null) {
      throw bad("missing parameter q (the question)");
    }
    String k = one(params, "k");
    String unit = one(params, "unit");
    String len = one(params, "max_answer_length");
    return new Search(question("q", q.get(0)), query(
        k == null ? null : parseInt("k", k),
        unit,
        len == null ? null : parseInt("max_answer_length", len)));
  }

  Batch batch(String body) {
    JsonObject o = parseObject(body);
    for (String f : o.keySet()) {
      if (!BATCH_FIELDS.contains(f)) {
        throw bad("unknown field '" + f + "': expected questions, k, unit, max_answer_length");
      }
    }
    JsonElement qs = o.get("questions");
    if (qs == null || qs.isJsonNull()) {
      throw bad("missing field questions (an array of question strings)");
    }
    if (!qs.isJsonArray()) {
      throw bad("questions must be an array of strings");
    }
    JsonArray arr = qs.getAsJsonArray();
    if (arr.isEmpty()) {
      throw bad("questions is empty: give 1 to " + config.maxBatchQuestions() + " questions");
    }
    if (arr.size() > config.maxBatchQuestions()) {
      throw new ApiException(413, "questions has " + arr.size() + " entries; at most " + config.maxBatchQuestions()
          + " per request");
    }
    List<String> out = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      JsonElement e = arr.get(i);
      if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
        throw bad("questions[" + i + "] must be a string");
      }
      out.add(question("questions[" + i + "]", e.getAsString()));
    }
    String unit = null;
    JsonElement u = o.get("unit");
    if (u != null && !u.isJsonNull()) {
      if (!(u.isJsonPrimitive() && u.getAsJsonPrimitive().isString())) {
        throw bad("unit must be a string: phrase, sentence, paragraph or document");
      }
      unit = u.getAsString();
    }
    return new Batch(out, query(jsonInt(o, "k"), unit, jsonInt(o, "max_answer_length")));
  }

  /** k, unit and L, each checked against its range, the server's defaults where null. */
  Query query(Integer k, String unit, Integer maxAnswerLength) {
    int kk = k == null ? config.defaults().k() : k;
    if (kk < 1 || kk > config.maxK()) {
      throw bad("k must be in [1, " + config.maxK() + "], got " + kk);
    }
    Unit u;
    if (unit == null) {
      u = config.defaults().unit();
    } else {
      try {
        u = Unit.parse(unit);
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
    }
    int l = maxAnswerLength == null ? config.defaults().maxAnswerLength() : maxAnswerLength;
    if (l < 1 || l > config.maxAnswerLength()) {
      throw bad("max_answer_length must be in [1, " + config.maxAnswerLength() + "], got " + l);
    }
    return new Query(kk, u, l);
  }

  /** The question, trimmed; empty or over the length cap is refused. */
  String question(String name, String q) {
    String t = q == null ? "" : q.strip();
    if (t.isEmpty()) {
      throw bad(name + ": the question is empty");
    }
    if (t.length() > config.maxQuestionChars()) {
      throw bad(name + ": the question has " + t.length() + " characters; at most " + config.maxQuestionChars()
          + " are accepted");
    }
    return t;
  }

  private static String one(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null ? null : v.get(0);
  }

  private static int parseInt(String name, String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw bad(name + " must be an integer, got '" + abbreviate(v) + "'");
    }
  }

  private static Integer jsonInt(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      double d = p.getAsDouble();
      if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
        return (int) d;
      }
    }
    throw bad(name + " must be an integer, got " + abbreviate(e.toString()));
  }

  /** One strict JSON object, nothing after it. */
  private static JsonObject parseObject(String body) {
    if (body == null || body.isBlank()) {
      throw bad("the request body is empty: expected a JSON object like {\"questions\": [\"...\"]}");
    }
    JsonElement root;
    try (JsonReader r = new JsonReader(new StringReader(body))) {
      r.setStrictness(Strictness.STRICT);
      root = JsonParser.parseReader(r);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw bad("malformed JSON: more content after the object");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      String m = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
      throw bad("malformed JSON: " + abbreviate(String.valueOf(m)));
    }
    if (!root.isJsonObject()) {
      throw bad("the request body must be a JSON object like {\"questions\": [\"...\"]}");
    }
    return root.getAsJsonObject();
  }

  static ApiException bad(String message) {
    return new ApiException(400, message);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
