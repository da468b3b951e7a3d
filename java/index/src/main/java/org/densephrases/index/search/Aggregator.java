package org.densephrases.index.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpShard;

/**
 * Turns scored spans (best first) into at most k answers, one per unit: the first span of each group wins, so each
 * answer is its group's best. Document texts and sentence splits are decoded once per search and cached.
 */
final class Aggregator {
  /** A scored span of global token ids. */
  record Span(long start, long end, float score) {}

  private final Dump dump;
  private final Map<Integer, String> texts = new HashMap<>(); // global doc -> text
  private final Map<Integer, List<int[]>> sentences = new HashMap<>();

  Aggregator(Dump dump) {
    this.dump = dump;
  }

  List<Answer> aggregate(List<Span> spans, Unit unit, int k) {
    List<Answer> out = new ArrayList<>();
    Set<Object> seen = new LinkedHashSet<>();
    for (Span s : spans) {
      if (out.size() >= k) {
        break;
      }
      DumpShard shard = dump.shardOfToken(s.start());
      if (dump.shardOfToken(s.end()) != shard) {
        throw new IllegalStateException("span " + s + " crosses shards: the span scorer returned a bad partner");
      }
      long ls = s.start() - shard.tokenBase();
      long le = s.end() - shard.tokenBase();
      int localDoc = shard.docOfToken(ls);
      int doc = shard.docBase() + localDoc;
      String text = texts.computeIfAbsent(doc, d -> shard.text(localDoc));
      int cs = shard.charStart(ls);
      int ce = shard.charEnd(le);
      if (cs < 0 || ce > text.length() || cs > ce) {
        throw new IllegalStateException(shard.index() + ": tokens " + ls + ".." + le + " point to characters [" + cs
            + ", " + ce + ") outside document " + doc + " of " + text.length() + " characters");
      }
      String answer = text.substring(cs, ce);
      Object key = switch (unit) {
        case PHRASE -> normalize(answer);
        case SENTENCE -> List.of(doc, SentenceSplitter.covering(sentencesOf(doc, text), cs, cs + 1)[0]);
        case PARAGRAPH -> doc;
        case DOCUMENT -> {
          String title = shard.title(localDoc);
          yield title.isEmpty() ? "id:" + shard.docId(localDoc) : "title:" + title;
        }
      };
      if (!seen.add(key)) {
        continue; // a better span of this unit came first
      }
      int[] ev = SentenceSplitter.covering(sentencesOf(doc, text), cs, ce);
      out.add(new Answer(answer, s.score(), shard.docId(localDoc), shard.title(localDoc), doc, cs, ce,
          text.substring(ev[0], ev[1]), ev[0], s.start(), s.end(), unit));
    }
    return out;
  }

  private List<int[]> sentencesOf(int doc, String text) {
    return sentences.computeIfAbsent(doc, d -> SentenceSplitter.split(text));
  }

  /**
   * SQuAD-style normalisation (lower case, punctuation and the articles a/an/the removed, whitespace collapsed), so
   * that "The Nile." and "nile" count as one phrase; the raw lower-cased text when nothing would be left.
   */
  static String normalize(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      sb.append(Character.isLetterOrDigit(c) || Character.isWhitespace(c) ? c : ' ');
    }
    StringBuilder out = new StringBuilder();
    for (String w : sb.toString().trim().split("\\s+")) {
      if (w.isEmpty() || w.equals("a") || w.equals("an") || w.equals("the")) {
        continue;
      }
      if (!out.isEmpty()) {
        out.append(' ');
      }
      out.append(w);
    }
    return out.isEmpty() ? lower.trim() : out.toString();
  }
}
