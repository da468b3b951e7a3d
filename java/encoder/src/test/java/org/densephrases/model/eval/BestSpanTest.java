package org.densephrases.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BestSpanTest {

  @Test
  void matchesBruteForceOnRandomScores() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + rnd.nextInt(41);
      float[] s = new float[n];
      float[] e = new float[n];
      for (int i = 0; i < n; i++) {
        // small integer values make ties common
        s[i] = rnd.nextInt(5) - 2;
        e[i] = rnd.nextInt(5) - 2;
      }
      int from = rnd.nextInt(n);
      int to = from + 1 + rnd.nextInt(n - from);
      int maxLen = 1 + rnd.nextInt(7);
      boolean[] allowed = rnd.nextBoolean() ? null : new boolean[to - from];
      if (allowed != null) {
        for (int i = 0; i < allowed.length; i++) {
          allowed[i] = rnd.nextInt(3) > 0;
        }
      }
      BestSpan.Span got = BestSpan.find(s, e, from, to, maxLen, allowed);
      // brute force with the documented tie rule: earliest start, then shortest
      int bi = -1;
      int bj = -1;
      float best = 0;
      for (int i = from; i < to; i++) {
        for (int j = i; j < to && j - i < maxLen; j++) {
          if (allowed != null && !allowed[i - from]) {
            continue;
          }
          if (bi < 0 || s[i] + e[j] > best) {
            best = s[i] + e[j];
            bi = i;
            bj = j;
          }
        }
      }
      if (bi < 0) {
        assertNull(got);
      } else {
        assertEquals(new BestSpan.Span(bi, bj, best), got, "trial " + trial);
      }
    }
  }

  @Test
  void respectsLengthAndRejectsBadArguments() {
    float[] s = {0, 0, 5, 0};
    float[] e = {0, 0, 0, 9};
    assertEquals(new BestSpan.Span(2, 3, 14), BestSpan.find(s, e, 0, 4, 2, null));
    assertEquals(new BestSpan.Span(3, 3, 9), BestSpan.find(s, e, 0, 4, 1, null));
    assertThrows(IllegalArgumentException.class, () -> BestSpan.find(s, e, 0, 5, 2, null));
    assertThrows(IllegalArgumentException.class, () -> BestSpan.find(s, e, 0, 4, 0, null));
    assertNull(BestSpan.find(s, e, 2, 2, 3, null));
  }
}
