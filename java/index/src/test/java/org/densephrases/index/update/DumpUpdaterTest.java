package org.densephrases.index.update;

import static org.densephrases.index.update.UpdateFixture.answers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpShard;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.search.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpUpdaterTest {
  @TempDir Path tmp;

  private static List<String> liveIds(Path dir) throws IOException {
    List<String> ids = new ArrayList<>();
    try (Dump d = Dump.open(dir)) {
      for (int i = 0; i < d.numDocs(); i++) {
        if (!d.isDeleted(i)) {
          DumpShard s = d.shardOfDoc(i);
          ids.add(s.docId(i - s.docBase()));
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  /** Every index row is a live or deleted token of the dump, each token exactly once. */
  private static void assertIndexCoversDump(Path dir, String codec) throws IOException {
    try (Dump d = Dump.open(dir); IvfIndex idx = IvfIndex.open(UpdateFixture.indexFile(dir, codec))) {
      idx.checkServes(d);
      assertEquals(d.numTokens(), idx.count(), codec);
      Set<Long> ids = new HashSet<>();
      for (long id : idx.lists().ids()) {
        assertTrue(ids.add(id), "duplicate id " + id);
      }
      assertEquals(d.numTokens(), ids.size());
    }
  }

  @Test
  void addAppendsShardsUpdatesIndexesAndMatchesARebuild() throws IOException {
    Path dir = tmp.resolve("d");
    UpdateFixture.build(dir, UpdateFixture.base());
    Path rebuilt = tmp.resolve("r");
    UpdateFixture.build(rebuilt, UpdateFixture.baseAndMore());
    DumpUpdater.Report r;
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      r = u.add(UpdateFixture.more());
    }
    assertEquals(1, r.generation());
    assertEquals(13, r.added());
    assertEquals(1, r.deleted(), "doc-3 replaced");
    assertEquals(Set.of("sq8", "pq"), r.indexes().keySet());
    assertTrue(r.garbage().containsAll(Set.of("ivf-sq8.idx", "ivf-pq.idx")), r.garbage().toString());
    assertEquals(liveIds(rebuilt), liveIds(dir));
    try (Dump d = Dump.open(dir)) {
      assertEquals(1, d.generation());
      assertEquals(1, d.numDeletedDocs());
    }
    for (String codec : List.of("sq8", "pq")) {
      assertIndexCoversDump(dir, codec);
    }
    for (Unit u : List.of(Unit.PHRASE, Unit.DOCUMENT)) {
      List<String> want = answers(rebuilt, "exact", u);
      assertFalse(want.isEmpty());
      assertEquals(want, answers(dir, "exact", u), "exact " + u);
      assertEquals(want, answers(dir, "sq8", u), "sq8, every list probed " + u);
      assertEquals(want, answers(dir, "pq", u), "pq, every list probed " + u);
    }
    assertTrue(answers(dir, "exact", Unit.DOCUMENT).stream().anyMatch(s -> s.contains(" doc-3|")),
        "the new doc-3 is found");
  }

  @Test
  void removeHidesDocumentsAndUnknownIdsChangeNothing() throws IOException {
    Path dir = tmp.resolve("d");
    UpdateFixture.build(dir, UpdateFixture.base());
    List<String> before = answers(dir, "exact", Unit.DOCUMENT);
    Set<String> gone = new HashSet<>();
    for (String s : before.subList(0, 3)) {
      gone.add(s.substring(s.indexOf(' ') + 1, s.indexOf('|')));
    }
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> u.remove(List.of("doc-1", "no-such-doc")));
      assertTrue(e.getMessage().contains("no-such-doc"), e.getMessage());
      assertEquals(0, Generations.latest(dir), "nothing committed");
      assertEquals(gone.size(), u.remove(gone).deleted());
    }
    List<DocumentInput> kept = new ArrayList<>(UpdateFixture.base());
    kept.removeIf(d -> gone.contains(d.id()));
    Path rebuilt = tmp.resolve("r");
    UpdateFixture.build(rebuilt, kept);
    for (Unit unit : List.of(Unit.PHRASE, Unit.SENTENCE, Unit.DOCUMENT)) {
      List<String> got = answers(dir, "exact", unit);
      for (String s : got) {
        assertFalse(gone.contains(s.substring(s.indexOf(' ') + 1, s.indexOf('|'))), s);
      }
      assertEquals(answers(rebuilt, "exact", unit), got);
      assertEquals(got, answers(dir, "sq8", unit), "the index is unchanged, deleted rows are skipped");
    }
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> u.remove(gone));
      assertTrue(e.getMessage().contains("no live document"), e.getMessage());
    }
  }

  @Test
  void compactDropsDeletedRowsAndKeepsResults() throws IOException {
    Path dir = tmp.resolve("d");
    UpdateFixture.build(dir, UpdateFixture.base());
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      u.add(UpdateFixture.more());
      u.remove(List.of("doc-0", "doc-1", "new-5"));
    }
    Set<String> filesBefore = files(dir);
    List<String> exact = answers(dir, "exact", Unit.PHRASE);
    List<String> sq8 = answers(dir, "sq8", Unit.PHRASE);
    long liveTokens;
    try (Dump d = Dump.open(dir)) {
      liveTokens = d.numTokens() - d.numDeletedTokens();
    }
    DumpUpdater.Report r;
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      r = u.compact();
    }
    assertEquals(3, r.generation());
    assertEquals(4, r.deleted(), "doc-0, doc-1, new-5 and the old doc-3");
    try (Dump d = Dump.open(dir)) {
      assertEquals(0, d.numDeletedDocs());
      assertEquals(liveTokens, d.numTokens());
    }
    for (String codec : List.of("sq8", "pq")) {
      assertIndexCoversDump(dir, codec);
    }
    assertEquals(exact, answers(dir, "exact", Unit.PHRASE));
    assertEquals(sq8, answers(dir, "sq8", Unit.PHRASE));
    Set<String> now = files(dir);
    assertTrue(now.stream().noneMatch(f -> f.endsWith(".tmp") || f.endsWith(".new")), now.toString());
    assertNotEquals(filesBefore, now, "rewritten shards replace the ones with deleted documents");
    List<DocumentInput> all = new ArrayList<>(UpdateFixture.baseAndMore());
    all.removeIf(d -> Set.of("doc-0", "doc-1", "new-5").contains(d.id()));
    Path rebuilt = tmp.resolve("r");
    UpdateFixture.build(rebuilt, all);
    assertEquals(answers(rebuilt, "exact", Unit.PHRASE), answers(dir, "exact", Unit.PHRASE));
  }

  @Test
  void aKeyReplacesEveryPassageOfADocument() throws IOException {
    Path dir = tmp.resolve("d");
    List<DocumentInput> docs = new ArrayList<>(UpdateFixture.base().subList(0, 10));
    docs.set(0, UpdateFixture.rename(docs.get(0), "notes/a.md#0"));
    docs.set(1, UpdateFixture.rename(docs.get(1), "notes/a.md#1"));
    docs.set(2, UpdateFixture.rename(docs.get(2), "notes/a.md#2"));
    UpdateFixture.build(dir, docs);
    assertEquals("notes/a.md", DumpUpdater.keyOf("notes/a.md#12"));
    assertEquals("train-001-033", DumpUpdater.keyOf("train-001-033"));
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      DumpUpdater.Report r = u.add(List.of(UpdateFixture.rename(UpdateFixture.more().get(0), "notes/a.md#0")));
      assertEquals(3, r.deleted(), "the old three passages of notes/a.md");
      assertEquals(1, u.remove(List.of("notes/a.md")).deleted(), "the new one, by key");
    }
    assertTrue(liveIds(dir).stream().noneMatch(i -> i.startsWith("notes/")), liveIds(dir).toString());
  }

  @Test
  void anOpenReaderKeepsItsGenerationWhileChangesCommit() throws IOException {
    Path dir = tmp.resolve("d");
    UpdateFixture.build(dir, UpdateFixture.base());
    try (Dump old = Dump.open(dir)) {
      List<String> before = answers(old, "exact", Unit.PHRASE);
      try (DumpUpdater u = DumpUpdater.open(dir)) {
        u.add(UpdateFixture.more());
        u.remove(List.of("doc-7", "doc-8"));
        u.compact(); // deletes the files only generation 0 named
      }
      assertEquals(0, old.generation());
      assertEquals(before, answers(old, "exact", Unit.PHRASE));
      try (Dump now = Dump.open(dir)) {
        assertEquals(3, now.generation());
        assertNotEquals(before, answers(now, "exact", Unit.PHRASE));
      }
    }
  }

  @Test
  void oneWriterAtATime() throws IOException {
    Path dir = tmp.resolve("d");
    UpdateFixture.build(dir, UpdateFixture.base());
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> DumpUpdater.open(dir));
      assertTrue(e.getMessage().contains("write.lock"), e.getMessage());
    }
    try (DumpUpdater u = DumpUpdater.open(dir)) {
      assertTrue(u.recovered().isEmpty());
    }
  }

  static Set<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      Set<String> out = new HashSet<>();
      s.forEach(p -> out.add(p.getFileName().toString()));
      return out;
    }
  }
}
