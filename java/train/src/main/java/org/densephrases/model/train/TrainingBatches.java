package org.densephrases.model.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.densephrases.model.text.EncodedPassage;
import org.densephrases.model.text.PassageWindow;
import org.densephrases.model.text.SpanExample;
import org.densephrases.model.text.SquadExamples;

/**
 * Training units and the batch order.
 *
 * <p>A unit is one passage window with every question whose answer lies in it: the window is encoded once per step
 * and all its questions train against that one encoding (SQuAD has ~4.6 questions a paragraph, so this is ~4x cheaper
 * per question than one passage forward per question). A batch is {@code batchUnits} units of similar length.
 *
 * <p>The order is a pure function of (seed, epoch): units are shuffled, cut into buckets of 32 batches, sorted by
 * length inside a bucket, sliced into batches, and the batches shuffled again. So step s always sees the same batch,
 * which is what makes resuming after a kill lose nothing.
 */
final class TrainingBatches {
  /** One window and the examples answered inside it. */
  public record Unit(int paragraph, int window, PassageWindow windowData, List<SpanExample> examples) {
    public int length() {
      return windowData.length();
    }
  }

  private final List<Unit> units;
  private final int batchUnits;
  private final long seed;

  public TrainingBatches(SquadExamples.Result data, int batchUnits, long seed) {
    if (batchUnits < 1) {
      throw new IllegalArgumentException("batch size must be >= 1 window, got " + batchUnits);
    }
    Map<Long, List<SpanExample>> byWindow = new LinkedHashMap<>();
    for (SpanExample e : data.examples()) {
      byWindow.computeIfAbsent(((long) e.paragraph() << 20) | e.window(), k -> new ArrayList<>()).add(e);
    }
    List<Unit> u = new ArrayList<>(byWindow.size());
    for (List<SpanExample> ex : byWindow.values()) {
      SpanExample first = ex.getFirst();
      EncodedPassage p = data.passages().get(first.paragraph());
      u.add(new Unit(first.paragraph(), first.window(), p.windows().get(first.window()), List.copyOf(ex)));
    }
    if (u.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    this.units = List.copyOf(u);
    this.batchUnits = batchUnits;
    this.seed = seed;
  }

  public List<Unit> units() {
    return units;
  }

  public int stepsPerEpoch() {
    return (units.size() + batchUnits - 1) / batchUnits;
  }

  public int questions() {
    return units.stream().mapToInt(x -> x.examples().size()).sum();
  }

  /** The batches of one epoch, in order. */
  public List<List<Unit>> epoch(int epoch) {
    Random rnd = new Random(seed * 1_000_003L + epoch);
    List<Unit> shuffled = new ArrayList<>(units);
    Collections.shuffle(shuffled, rnd);
    int bucket = batchUnits * 32;
    List<List<Unit>> batches = new ArrayList<>();
    for (int from = 0; from < shuffled.size(); from += bucket) {
      List<Unit> b = new ArrayList<>(shuffled.subList(from, Math.min(shuffled.size(), from + bucket)));
      b.sort(Comparator.comparingInt(Unit::length));
      for (int i = 0; i < b.size(); i += batchUnits) {
        batches.add(List.copyOf(b.subList(i, Math.min(b.size(), i + batchUnits))));
      }
    }
    Collections.shuffle(batches, rnd);
    return batches;
  }
}
