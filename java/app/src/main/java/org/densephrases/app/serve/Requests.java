package org.densephrases.app.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.index.search.Unit;

/**
 * Turns request parameters and bodies into checked questions and {@link Query}s. Everything a client can get wrong is
 * an {@link ApiException} with a 4xx status and a message naming the parameter and the accepted values.
 */
final class Requests {
  static final Set<String> SEARCH_PARAMS = Set.of("q", "k", "unit", "max_answer_length", "timeout_ms");
  static final Set<String> BATCH_FIELDS = Set.of("questions", "k", "unit", "max_answer_length", "timeout_ms");
  /** Longest piece of client input echoed in an error message. */
  static final int ECHO_CHARS = 40;
  /** Deepest JSON nesting read (a request is two levels deep). */
  static final int MAX_JSON_DEPTH = 16;

  private final ServeConfig config;

  Requests(ServeConfig config) {
    this.config = config;
  }

  /** A parsed GET /api/search; timeoutMillis is the deadline it asked for, or the server's default. */
  record Search(String question, Query query, long timeoutMillis) {}

  /** A parsed POST /api/batch. */
  record Batch(List<String> questions, Query query, long timeoutMillis) {}

  /**
   * @param params each parameter's values, in order (a parameter given twice is refused)
   */
  Search search(Map<String, List<String>> params) {
    for (var e : params.entrySet()) {
      if (!SEARCH_PARAMS.contains(e.getKey())) {
        throw bad("unknown parameter '" + abbreviate(e.getKey()) + "': expected q, k, unit, max_answer_length, "
            + "timeout_ms");
      }
      if (e.getValue().size() != 1) {
        throw bad("parameter '" + abbreviate(e.getKey()) + "' given " + e.getValue().size() + " times; give it once");
      }
    }
    List<String> q = params.get("q");
    if (q == null) {
      throw bad("missing parameter q (the question)");
    }
    String k = one(params, "k");
    String unit = one(params, "unit");
    String len = one(params, "max_answer_length");
    String timeout = one(params, "timeout_ms");
    String question = question("q", q.get(0));
    Query query = query(k == null ? null : parseInt("k", k), unit,
        len == null ? null : parseInt("max_answer_length", len));
    checkCost(1, query);
    return new Search(question, query, timeout(timeout == null ? null : parseLong("timeout_ms", timeout)));
  }

  /** The body as JSON: strict UTF-8 (a byte that is not is refused, as the query string's are). */
  Batch batch(byte[] body) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw bad("the request body is not valid UTF-8: send JSON in UTF-8");
    }
    return batch(text);
  }

  Batch batch(String body) {
    JsonObject o = parseObject(body);
    for (String f : o.keySet()) {
      if (!BATCH_FIELDS.contains(f)) {
        throw bad("unknown field '" + abbreviate(f) + "': expected questions, k, unit, max_answer_length, "
            + "timeout_ms");
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
    Query query = query(jsonInt(o, "k"), unit, jsonInt(o, "max_answer_length"));
    checkCost(out.size(), query);
    Integer t = jsonInt(o, "timeout_ms");
    return new Batch(out, query, timeout(t == null ? null : t.longValue()));
  }

  /** The deadline asked for, checked against the cap; the default when null. */
  long timeout(Long asked) {
    Guards g = config.guards();
    if (asked == null) {
      return g.timeoutMillis();
    }
    if (asked < 1 || asked > g.maxTimeoutMillis()) {
      throw bad("timeout_ms must be in [1, " + g.maxTimeoutMillis() + "], got " + asked);
    }
    return asked;
  }

  /** The work a request asks for: questions x k x max_answer_length, refused (413) above the budget. */
  void checkCost(int questions, Query q) {
    long cost = (long) questions * q.k() * q.maxAnswerLength();
    long max = config.guards().maxCost();
    if (cost > max) {
      throw new ApiException(413, "this request costs " + cost + " (" + questions + " questions x k " + q.k()
          + " x max_answer_length " + q.maxAnswerLength() + "); at most " + max + " per request: ask fewer "
          + "questions, fewer answers or shorter ones");
    }
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
        throw bad("unknown unit '" + abbreviate(unit) + "': expected phrase, sentence, paragraph or document");
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
    if (t.codePoints().noneMatch(Character::isLetterOrDigit)) {
      throw bad(name + ": the question has no words (no letter or digit): '" + abbreviate(t) + "'");
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

  private static long parseLong(String name, String v) {
    try {
      return Long.parseLong(v.strip());
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

  /** One strict JSON object, nothing after it, no key twice at any level. */
  private static JsonObject parseObject(String body) {
    if (body == null || body.isBlank()) {
      throw bad("the request body is empty: expected a JSON object like {\"questions\": [\"...\"]}");
    }
    JsonElement root;
    try (JsonReader r = new JsonReader(new StringReader(body))) {
      r.setStrictness(Strictness.STRICT);
      root = read(r, 0);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw bad("malformed JSON: more content after the object");
      }
    } catch (IOException | NumberFormatException | IllegalStateException e) {
      throw bad(jsonMessage(e));
    }
    if (!root.isJsonObject()) {
      throw bad("the request body must be a JSON object like {\"questions\": [\"...\"]}");
    }
    return root.getAsJsonObject();
  }

  /** One value, read with Gson's strict streaming reader; duplicate keys and deep nesting refused. */
  private static JsonElement read(JsonReader r, int depth) throws IOException {
    if (depth > MAX_JSON_DEPTH) {
      throw bad("malformed JSON: nested deeper than " + MAX_JSON_DEPTH + " levels");
    }
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          if (o.has(name)) {
            throw bad("malformed JSON: the key '" + abbreviate(name) + "' appears twice; give it once");
          }
          o.add(name, read(r, depth + 1));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r, depth + 1));
        }
        r.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(r.nextString());
      }
      case NUMBER -> {
        return new JsonPrimitive(new com.google.gson.internal.LazilyParsedNumber(r.nextString()));
      }
      case BOOLEAN -> {
        return new JsonPrimitive(r.nextBoolean());
      }
      case NULL -> {
        r.nextNull();
        return com.google.gson.JsonNull.INSTANCE;
      }
      default -> throw bad("malformed JSON: expected a value at " + where(r.toString()));
    }
  }

  private static final Pattern AT = Pattern.compile("at line (\\d+) column (\\d+)");

  /** Gson's reader messages in our words: what is wrong and where, without its advice on lenient parsing. */
  static String jsonMessage(Exception e) {
    String m = String.valueOf(e.getMessage());
    String first = m.lines().findFirst().orElse("");
    String where = where(first);
    String what;
    if (e instanceof java.io.EOFException || first.startsWith("End of input")) {
      what = "the body ends before the JSON does";
    } else if (first.contains("setStrictness") || first.contains("LENIENT")) {
      what = "not JSON here (a string needs double quotes; no comments, single quotes or bare words)";
    } else if (first.startsWith("Unterminated")) {
      what = first.substring(0, first.indexOf(" at ") > 0 ? first.indexOf(" at ") : first.length())
          .toLowerCase(Locale.ROOT);
    } else if (first.startsWith("Expected")) {
      what = "expected " + first.substring("Expected ".length(), first.indexOf(" at ") > 0 ? first.indexOf(" at ")
          : first.length());
    } else if (e instanceof NumberFormatException) {
      what = "a number that is not valid JSON";
    } else {
      what = "not valid JSON";
    }
    return "malformed JSON" + (where.isEmpty() ? "" : " at " + where) + ": " + abbreviate(what);
  }

  private static String where(String s) {
    Matcher m = AT.matcher(s);
    return m.find() ? "line " + m.group(1) + " column " + m.group(2) : "";
  }

  static ApiException bad(String message) {
    return new ApiException(400, message);
  }

  /** Client input echoed in a message: at most {@link #ECHO_CHARS} characters, control characters shown as '?'. */
  static String abbreviate(String s) {
    String t = s.length() <= ECHO_CHARS ? s : s.substring(0, ECHO_CHARS - 3) + "...";
    return t.replaceAll("\\p{Cntrl}", "?");
  }
}
