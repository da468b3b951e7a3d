package org.densephrases.model.train;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.densephrases.model.bert.BertConfig;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.phrase.PhraseModel;

/** A tiny SQuAD file and a tiny random model for training tests (seconds, no pretrained weights). */
final class TinyRuns {
  static final BertConfig TINY = new BertConfig(30522, 16, 1, 2, 32, 128, 2, 1e-12f);

  private TinyRuns() {}

  static PhraseModel tinyModel(TrainConfig c) {
    return PhraseModel.shared(new BertEncoderBlock(TINY, c.dropout), new BertEncoderBlock(TINY, c.dropout));
  }

  /** 8 paragraphs, 2-3 questions each, answers located by indexOf (so answer_start is right). */
  static Path squadFile(Path dir) throws IOException {
    String[] cities = {"Denver", "Paris", "Nairobi", "Lima", "Oslo", "Hanoi", "Quito", "Perth"};
    List<Object> paragraphs = new ArrayList<>();
    for (int i = 0; i < cities.length; i++) {
      String ctx = "The festival number " + i + " took place in " + cities[i] + " in the year " + (1900 + 7 * i)
          + ". It was organised by " + "the society of " + cities[(i + 3) % 8] + " and drew " + (100 * i + 5)
          + " visitors.";
      List<Object> qas = new ArrayList<>();
      qas.add(qa("q" + i + "a", "Where did festival " + i + " take place?", cities[i], ctx));
      qas.add(qa("q" + i + "b", "In which year was festival " + i + "?", String.valueOf(1900 + 7 * i), ctx));
      if (i % 2 == 0) {
        qas.add(qa("q" + i + "c", "How many visitors came?", String.valueOf(100 * i + 5), ctx));
      }
      paragraphs.add(Map.of("context", ctx, "qas", qas));
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", "1.1");
    root.put("data", List.of(Map.of("title", "Festivals", "paragraphs", paragraphs)));
    Path f = dir.resolve("tiny-train.json");
    Files.writeString(f, new Gson().toJson(root));
    return f;
  }

  private static Map<String, Object> qa(String id, String q, String answer, String ctx) {
    int at = ctx.indexOf(answer);
    if (at < 0) {
      throw new IllegalStateException(answer + " not in " + ctx);
    }
    return Map.of("id", id, "question", q, "answers", List.of(Map.of("text", answer, "answer_start", at)));
  }

  static TrainConfig config(Path trainFile) {
    TrainConfig c = new TrainConfig();
    c.trainFile = trainFile.toString();
    c.maxLength = 64;
    c.stride = 16;
    c.maxTitleTokens = 8;
    c.batchWindows = 3;
    c.learningRate = 1e-3f;
    c.epochs = 2;
    c.prebatch = 1;
    c.prebatchWarmup = 1;
    c.checkpointSteps = 1000;
    c.exportEveryCheckpoint = false;
    return c;
  }
}
