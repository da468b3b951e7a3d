package org.densephrases.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.densephrases.app.serve.JsonViews;
import org.densephrases.index.search.Answer;

/**
 * One line of eval-open's top-k JSONL: {@code {"id", "question", "gold": [...], "answers": [...]}}, each answer as
 * the HTTP API writes it (rank, text, score, title, doc_id, char_start, char_end, evidence {text, char_start,
 * answer_start, answer_end}, unit).
 */
final class TopKJsonl {
  private TopKJsonl() {}

  static String line(String id, String question, List<String> gold, List<Answer> answers, int k) {
    JsonObject o = new JsonObject();
    o.addProperty("id", id);
    o.addProperty("question", question);
    JsonArray g = new JsonArray();
    gold.forEach(g::add);
    o.add("gold", g);
    o.add("answers", JsonViews.answers(answers.subList(0, Math.min(k, answers.size()))));
    return JsonViews.write(o);
  }
}
