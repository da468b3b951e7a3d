package org.densephrases.model.augment;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPOutputStream;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;

/** Writes a dataset in the SQuAD v1.1 JSON layout, gzip, whole or not at all (OUT.tmp, then an atomic rename). */
public final class AugmentedSquad {
  private AugmentedSquad() {}

  /**
   * Writes {@code data} as gzip SQuAD v1.1 JSON: to {@code out.tmp}, then renamed over {@code out}.
   *
   * @param data the dataset to write
   * @param out the destination file
   * @throws IOException when writing or the rename fails (then {@code out} is left as it was)
   */
  public static void write(SquadDataset data, Path out) throws IOException {
    JsonArray articles = new JsonArray();
    JsonObject article = null;
    String title = null;
    for (SquadParagraph p : data.paragraphs()) {
      if (article == null || !p.title().equals(title)) {
        article = new JsonObject();
        article.addProperty("title", p.title());
        article.add("paragraphs", new JsonArray());
        articles.add(article);
        title = p.title();
      }
      JsonObject para = new JsonObject();
      para.addProperty("context", p.context());
      JsonArray qas = new JsonArray();
      for (SquadQuestion q : p.questions()) {
        JsonObject qa = new JsonObject();
        qa.addProperty("id", q.id());
        qa.addProperty("question", q.question());
        JsonArray answers = new JsonArray();
        q.answers().forEach(a -> {
          JsonObject o = new JsonObject();
          o.addProperty("text", a.text());
          o.addProperty("answer_start", a.charStart());
          answers.add(o);
        });
        qa.add("answers", answers);
        qas.add(qa);
      }
      para.add("qas", qas);
      article.getAsJsonArray("paragraphs").add(para);
    }
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.1");
    root.add("data", articles);
    Path abs = out.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    try (Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(tmp)), StandardCharsets.UTF_8)) {
      w.write(root.toString());
    }
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
