package org.densephrases.index.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.kernels.VectorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-written documents with hand-placed vectors: what each unit returns, and what the mirror direction adds. */
class AggregationAndMirrorTest {
  static final int DIM = 16;
  @TempDir Path tmp;
  final Random r = new Random(5);
  final float[] u = PlantedCorpusUnit.unit(r, DIM);
  final float[] w = PlantedCorpusUnit.orthogonalUnit(r, u, DIM);

  /** A document whose tokens are words and punctuation; background vectors of norm about 0.05. */
  final class Doc {
    final String id;
    final String title;
    final String text;
    final List<int[]> tokens = new ArrayList<>();
    final float[] vectors;

    Doc(String id, String title, String text) {
      this.id = id;
      this.title = title;
      this.text = text;
      Matcher m = Pattern.compile("\\w+|[^\\w\\s]").matcher(text);
      while (m.find()) {
        tokens.add(new int[] {m.start(), m.end()});
      }
      vectors = new float[tokens.size() * DIM];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = (float) (r.nextGaussian() * 0.05 / Math.sqrt(DIM));
      }
    }

    /** Token index of the n-th occurrence (0-based) of word. */
    int token(String word, int n) {
      for (int t = 0; t < tokens.size(); t++) {
        if (text.substring(tokens.get(t)[0], tokens.get(t)[1]).equals(word) && n-- == 0) {
          return t;
        }
      }
      throw new IllegalArgumentException(word);
    }

    /** Sets token t's vector to a*u + b*w. */
    Doc set(int t, float a, float b) {
      for (int k = 0; k < DIM; k++) {
        vectors[t * DIM + k] = a * u[k] + b * w[k];
      }
      return this;
    }

    DocumentInput input() {
      int[] s = tokens.stream().mapToInt(x -> x[0]).toArray();
      int[] e = tokens.stream().mapToInt(x -> x[1]).toArray();
      return new DocumentInput(id, title, text, vectors, null, s, e);
    }
  }

  Dump write(List<Doc> docs) throws IOException {
    Path dir = tmp.resolve("dump" + System.nanoTime());
    try (DumpWriter wr = DumpWriter.open(dir, DumpSpec.of("m", DIM).withTypes(Set.of(VectorType.FP16))
        .withTokensPerShard(10))) {
      for (Doc d : docs) {
        wr.add(d.input());
      }
      wr.finish();
    }
    return Dump.open(dir);
  }

  @Test
  void eachUnitGroupsAndKeepsTheBest() throws IOException {
    Doc a = new Doc("a", "River", "The river Nile flows north. The Nile is long.");
    a.set(a.token("Nile", 0), 3, 3).set(a.token("Nile", 1), 2, 2);
    Doc b = new Doc("b", "River", "Nile river in Egypt.");
    b.set(b.token("Nile", 0), 1.5f, 1.5f);
    Doc c = new Doc("c", "City", "Paris is in France.");
    c.set(c.token("Paris", 0), 1, 1);
    try (Dump dump = write(List.of(a, b, c)); PhraseSearcher s = PhraseSearcher.exact(dump)) {
      assertTrue(dump.shards().size() >= 2);
      // L = 1: only one-token spans, so the expected lists are exact (longer spans such as "river Nile" would score
      // about 3 too, a legitimate other phrase)
      SearchOptions o = SearchOptions.defaults().withK(3).withCandidates(16).withMaxAnswerLength(1);

      List<Answer> phrase = s.search(u, w, o.withUnit(Unit.PHRASE));
      assertEquals("Nile", phrase.get(0).text());
      assertEquals("a", phrase.get(0).docId());
      assertEquals(6f, phrase.get(0).score(), 0.02f);
      assertEquals("The river Nile flows north.", phrase.get(0).evidence());
      assertEquals("Paris", phrase.get(1).text(), "the other 'Nile' spans are duplicates of the first");
      // ... and the one in another document is a source of the same answer (the second in doc a is not: same doc)
      assertEquals(List.of("b"), phrase.get(0).sources().stream().map(Answer.Source::docId).toList());
      Answer.Source src = phrase.get(0).sources().get(0);
      assertEquals("Nile river in Egypt.", src.evidence());
      assertEquals("Nile", src.evidence().substring(src.startInEvidence(), src.startInEvidence() + 4));
      assertEquals(3f, src.score(), 0.02f);
      assertTrue(phrase.get(1).sources().isEmpty());
      assertEquals(Unit.PHRASE, phrase.get(0).unit());
      List<Answer> longer = s.search(u, w, o.withUnit(Unit.PHRASE).withK(20).withMaxAnswerLength(5));
      assertEquals(longer.size(), longer.stream().map(x -> Aggregator.normalize(x.text())).distinct().count(),
          "no two phrases alike");
      assertEquals(1, longer.stream().filter(x -> x.text().equals("Nile")).count());

      List<Answer> sentence = s.search(u, w, o.withUnit(Unit.SENTENCE));
      assertEquals(List.of("The river Nile flows north.", "The Nile is long.", "Nile river in Egypt."),
          sentence.stream().map(Answer::evidence).toList());
      assertEquals(List.of(6f, 4f, 3f), sentence.stream().map(x -> (float) Math.round(x.score())).toList());

      List<Answer> paragraph = s.search(u, w, o.withUnit(Unit.PARAGRAPH));
      assertEquals(List.of("a", "b", "c"), paragraph.stream().map(Answer::docId).toList());
      assertEquals(a.text, paragraph.get(0).evidence(), "a paragraph's evidence is the paragraph");
      assertEquals(0, paragraph.get(0).evidenceStart());
      assertTrue(sentence.stream().allMatch(x -> x.sources().isEmpty()), "sources are the phrase unit's");

      List<Answer> document = s.search(u, w, o.withUnit(Unit.DOCUMENT));
      assertEquals(List.of("River", "City"), document.stream().limit(2).map(Answer::title).toList());
      assertEquals("a", document.get(0).docId());
    }
  }

  @Test
  void theMirrorDirectionFindsAnswersWithAWeakStart() throws IOException {
    List<Doc> docs = new ArrayList<>();
    Doc answer = new Doc("answer", "A", "The treaty was signed in Paris in 1783.");
    int start = answer.token("Paris", 0);
    int end = answer.token("1783", 0);
    answer.set(start, 0.3f, 0).set(end, 0, 3);
    docs.add(answer);
    for (int i = 0; i < 10; i++) { // decoys: strong starts with no end anywhere near
      Doc d = new Doc("decoy" + i, "D", "A decoy sentence number " + i + " with words.");
      d.set(1, 0.5f, 0);
      docs.add(d);
    }
    try (Dump dump = write(docs); PhraseSearcher s = PhraseSearcher.exact(dump)) {
      SearchOptions o = SearchOptions.defaults().withK(1).withCandidates(5).withMaxAnswerLength(6);
      Answer without = s.search(u, w, o.withMirror(false)).get(0);
      assertNotEquals("answer", without.docId(), "the start is not among the 5 best starts");
      assertTrue(without.score() < 1f);
      Answer with = s.search(u, w, o.withMirror(true)).get(0);
      assertEquals("answer", with.docId());
      assertEquals("Paris in 1783", with.text());
      assertEquals(3.3f, with.score(), 0.02f);
    }
  }

  @Test
  void distinctAnswersDropOverlappingSpansOfOneEvidence() throws IOException {
    // Strong starts on "Patriots", "Dallas", "Pittsburgh" and one strong end on "Steelers": without de-duplication
    // the top three are the nested spans ending at "Steelers" (the Super Bowl example).
    Doc a = new Doc("a", "Super Bowl", "They beat the Patriots, Dallas Cowboys, and Pittsburgh Steelers in 2016.");
    a.set(a.token("Pittsburgh", 0), 3, 0).set(a.token("Dallas", 0), 2.5f, 0).set(a.token("Patriots", 0), 2.2f, 0)
        .set(a.token("Steelers", 0), 0, 3);
    Doc b = new Doc("b", "Broncos", "Denver Broncos won the game.");
    b.set(b.token("Denver", 0), 1.5f, 0).set(b.token("Broncos", 0), 0, 1.5f);
    try (Dump dump = write(List.of(a, b)); PhraseSearcher s = PhraseSearcher.exact(dump)) {
      SearchOptions o = SearchOptions.defaults().withK(3).withCandidates(32).withMaxAnswerLength(10);
      List<Answer> all = s.search(u, w, o.withDistinct(false));
      assertEquals(List.of("Pittsburgh Steelers", "Dallas Cowboys, and Pittsburgh Steelers",
          "Patriots, Dallas Cowboys, and Pittsburgh Steelers"), all.stream().map(Answer::text).toList());
      List<Answer> distinct = s.search(u, w, o);
      assertEquals("Pittsburgh Steelers", distinct.get(0).text(), "the best span is kept");
      assertEquals(all.get(0).score(), distinct.get(0).score());
      for (int i = 0; i < distinct.size(); i++) {
        for (int j = 0; j < i; j++) {
          Answer x = distinct.get(i);
          Answer y = distinct.get(j);
          assertTrue(x.doc() != y.doc() || x.charEnd() <= y.charStart() || y.charEnd() <= x.charStart(),
              "'" + x.text() + "' overlaps '" + y.text() + "'");
        }
      }
      assertEquals("Denver Broncos", distinct.get(1).text(), "the room goes to other evidence");
      // the other units group spans already: the switch does not change them
      assertEquals(s.search(u, w, o.withUnit(Unit.SENTENCE)), s.search(u, w, o.withUnit(Unit.SENTENCE)
          .withDistinct(false)));
    }
  }

  @Test
  void phraseNormalisation() {
    assertEquals("nile", Aggregator.normalize("The Nile."));
    assertEquals("nile river", Aggregator.normalize("  nile,   River "));
    assertEquals("the", Aggregator.normalize("The"));
    assertEquals(".", Aggregator.normalize("."));
  }
}
