package org.densephrases.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.densephrases.model.bert.BertEncoderBlock;
import org.densephrases.model.bert.PretrainedModels;
import org.densephrases.model.data.SquadReader;
import org.densephrases.model.teacher.CrossEncoderTeacher;
import org.densephrases.model.teacher.TeacherTrainer;
import org.densephrases.model.text.SpanExample;
import org.densephrases.model.text.SquadExamples;
import org.densephrases.model.text.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher's length-bucketed epoch order and the hashed subset used for partial logit caches. */
class TeacherDataOrderTest {
  @TempDir Path tmp;

  private SquadExamples.Result examples() throws IOException {
    Path train = TinyRuns.squadFile(tmp);
    TrainConfig c = TinyRuns.config(train);
    try (TeacherTrainer t = new TeacherTrainer(c, tmp.resolve("teacher"), new PrintStream(OutputStream.nullOutputStream()),
        () -> new CrossEncoderTeacher(new BertEncoderBlock(TinyRuns.TINY, 0.1f)),
        Tokenizer.fromResource(PretrainedModels.MINILM_L6.tokenizerResource()))) {
      return t.examples(SquadReader.read(train));
    }
  }

  private static int length(SquadExamples.Result d, SpanExample e) {
    return d.passages().get(e.paragraph()).windows().get(e.window()).length();
  }

  @Test
  void bucketedOrderIsADeterministicPermutationWithAlignedLengthSortedBatches() throws IOException {
    SquadExamples.Result d = examples();
    int n = d.examples().size();
    int b = 3;
    assertTrue(n % b != 0, "the fixture should leave one short batch");
    List<SpanExample> order = TeacherTrainer.bucketedOrder(d, b, 7);
    assertEquals(n, order.size());
    assertEquals(new HashSet<>(d.examples()), new HashSet<>(order), "every example exactly once");
    assertEquals(n, new HashSet<>(order).size());
    assertEquals(order, TeacherTrainer.bucketedOrder(d, b, 7), "same seed, same order");
    for (int from = 0; from + b <= n; from += b) {
      for (int i = from + 1; i < from + b; i++) {
        assertTrue(length(d, order.get(i - 1)) <= length(d, order.get(i)),
            "batch at " + from + " is not sorted by window length");
      }
    }
    Set<String> seeds = new HashSet<>();
    for (long seed = 0; seed < 8; seed++) {
      seeds.add(TeacherTrainer.bucketedOrder(d, b, seed).toString());
    }
    assertTrue(seeds.size() > 1, "the order must depend on the seed");
  }

  @Test
  void sampleKeepsAFixedHashedSubset() throws IOException {
    SquadExamples.Result d = examples();
    assertEquals(d.examples(), TeacherTrainer.sample(d, 1.0).examples());
    List<SpanExample> half = TeacherTrainer.sample(d, 0.5).examples();
    assertEquals(half, TeacherTrainer.sample(d, 0.5).examples(), "deterministic");
    assertTrue(d.examples().containsAll(half));
    assertNotEquals(d.examples().size(), half.size());
    List<SpanExample> quarter = TeacherTrainer.sample(d, 0.25).examples();
    assertTrue(half.containsAll(quarter), "a smaller fraction is a subset of a larger one");
    assertThrows(IllegalArgumentException.class, () -> TeacherTrainer.sample(d, 0));
    assertThrows(IllegalArgumentException.class, () -> TeacherTrainer.sample(d, 1.5));
  }
}
