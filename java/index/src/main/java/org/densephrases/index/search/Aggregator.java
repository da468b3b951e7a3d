package org.densephrases.index.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

  /**
   * @param distinct phrase unit: also drop a span overlapping a better kept span of the same document
   */
  List<Answer> aggregate(List<Span> spans, Unit unit, int k, boolean distinct) {
    List<Answer> out = new ArrayList<>();
    Map<Object, Integer> seen = new HashMap<>(); // unit key -> index in out
    List<List<Answer.Source>> sources = new ArrayList<>(); // phrase unit: per answer, other documents
    List<Span> kept = new ArrayList<>(); // phrase unit with distinct: the spans answered so far
    for (Span s : spans) {
      if (out.size() >= k && unit != Unit.PHRASE) {
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
      if (unit == Unit.PHRASE && distinct && overlapsAny(kept, s)) {
        continue; // nested in, containing or overlapping a better answer of this document (same evidence)
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
      Integer at = seen.get(key);
      if (at != null) {
        // a better span of this unit came first; for phrases, another document holding the same answer is a source
        if (unit == Unit.PHRASE) {
          addSource(out.get(at), sources.get(at), shard, localDoc, doc, text, s, answer, cs, ce);
        }
        continue;
      }
      if (out.size() >= k) {
        continue; // phrase unit: the list is full, later spans can only be sources of the answers above
      }
      seen.put(key, out.size());
      sources.add(new ArrayList<>());
      kept.add(s);
      // the evidence: the sentence holding the answer, or the whole document for the paragraph and document units
      int[] ev = unit == Unit.PARAGRAPH || unit == Unit.DOCUMENT ? new int[] {0, text.length()}
          : SentenceSplitter.covering(sentencesOf(doc, text), cs, ce);
      out.add(new Answer(answer, s.score(), shard.docId(localDoc), shard.title(localDoc), doc, cs, ce,
          text.substring(ev[0], ev[1]), ev[0], s.start(), s.end(), unit));
    }
    if (unit == Unit.PHRASE) {
      for (int i = 0; i < out.size(); i++) {
        if (!sources.get(i).isEmpty()) {
          Answer a = out.get(i);
          out.set(i, new Answer(a.text(), a.score(), a.docId(), a.title(), a.doc(), a.charStart(), a.charEnd(),
              a.evidence(), a.evidenceStart(), a.startToken(), a.endToken(), a.unit(), sources.get(i)));
        }
      }
    }
    return out;
  }

  /** Adds the span as a source of {@code a} when it is from a document not yet listed (at most MAX_SOURCES). */
  private void addSource(Answer a, List<Answer.Source> list, DumpShard shard, int localDoc, int doc, String text,
      Span s, String answer, int cs, int ce) {
    if (doc == a.doc() || list.size() >= Answer.MAX_SOURCES) {
      return;
    }
    String id = shard.docId(localDoc);
    for (Answer.Source x : list) {
      if (x.docId().equals(id)) {
        return;
      }
    }
    int[] ev = SentenceSplitter.covering(sentencesOf(doc, text), cs, ce);
    list.add(new Answer.Source(answer, s.score(), id, shard.title(localDoc), cs, ce, text.substring(ev[0], ev[1]),
        ev[0]));
  }

  /**
   * True when {@code s} shares a token with one of {@code kept}. Token ids are global and a span never crosses a
   * document, so a shared token means the same document.
   */
  private static boolean overlapsAny(List<Span> kept, Span s) {
    for (Span o : kept) {
      if (s.start() <= o.end() && o.start() <= s.end()) {
        return true;
      }
    }
    return false;
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
