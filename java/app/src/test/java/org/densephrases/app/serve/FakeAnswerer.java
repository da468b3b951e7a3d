package org.densephrases.app.serve;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.densephrases.index.search.Answer;
import org.densephrases.index.search.SearchOptions;
import org.densephrases.index.search.Unit;
import org.densephrases.search.SearchSession;

/**
 * An answerer whose answers are made from the question, so a test can tell whose answers a response carries:
 * answer i of question q is "ans-i:" + q in the evidence "Before ans-i:q after." of document "doc-" + q. A question
 * containing FAIL makes its whole search call throw; one containing SLOW blocks the call until {@link #release}.
 */
final class FakeAnswerer implements Answerer {
  final List<Integer> callSizes = new CopyOnWriteArrayList<>();
  /** Every question of every call, in call order. */
  final List<String> asked = new CopyOnWriteArrayList<>();
  volatile boolean closed;
  final CountDownLatch slowStarted = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final long delayMillis;

  FakeAnswerer(long delayMillis) {
    this.delayMillis = delayMillis;
  }

  static String answerText(String q, int i) {
    return "ans-" + i + ":" + q;
  }

  @Override
  public SearchSession.Results answer(List<String> questions, SearchOptions options, List<Unit> units) {
    callSizes.add(questions.size());
    asked.addAll(questions);
    for (String q : questions) {
      if (q.contains("FAIL")) {
        throw new IllegalStateException("planted failure for " + q);
      }
      if (q.contains("SLOW")) {
        slowStarted.countDown();
        try {
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Map<Unit, List<List<Answer>>> out = new EnumMap<>(Unit.class);
    for (Unit u : units) {
      List<List<Answer>> perQ = new ArrayList<>();
      for (String q : questions) {
        List<Answer> a = new ArrayList<>();
        for (int i = 0; i < options.k(); i++) {
          String text = answerText(q, i);
          String prefix = "Before ";
          String evidence = prefix + text + " after.";
          int docStart = 100; // the evidence sits at character 100 of its document
          a.add(new Answer(text, 10f - i, "doc-" + q, "Title of " + q, 0, docStart + prefix.length(),
              docStart + prefix.length() + text.length(), evidence, docStart, i, i, u));
        }
        perQ.add(a);
      }
      out.put(u, perQ);
    }
    return new SearchSession.Results(out, 0, 0, 0, 0, 0);
  }

  @Override
  public ServerInfo info() {
    return new ServerInfo("fake", "no device", "exact", "fake-model", 1234, 5678, 42, 3);
  }

  @Override
  public void close() {
    closed = true;
  }
}
