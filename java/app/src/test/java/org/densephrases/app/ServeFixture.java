package org.densephrases.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.densephrases.app.encode.EncoderOptions;
import org.densephrases.app.serve.SearchServer;
import org.densephrases.app.serve.ServeConfig;
import org.densephrases.app.serve.SessionAnswerer;
import org.densephrases.model.data.CorpusParagraph;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server for the serve tests of this package: a tiny corpus written here, dumped with the pretrained MiniLM
 * (untrained heads) and indexed (IVF4,SQ8) through the verbs, opened through the search session as {@code densephrases serve} opens it, on an
 * ephemeral loopback port. Built once per test run (the JUnit root store closes it at the end), because loading the
 * model and encoding the corpus are the slow part.
 */
final class ServeFixture implements ExtensionContext.Store.CloseableResource {
  static final List<CorpusParagraph> CORPUS = List.of(
      new CorpusParagraph("p-paris", "Paris", "Paris is the capital and most populous city of France. The Eiffel"
          + " Tower was completed in 1889 for the World's Fair."),
      new CorpusParagraph("p-moon", "Moon", "The Moon is Earth's only natural satellite. Neil Armstrong was the first"
          + " person to walk on the Moon, in July 1969."),
      new CorpusParagraph("p-python", "Python (programming language)", "Python is a programming language created by"
          + " Guido van Rossum and first released in 1991."),
      new CorpusParagraph("p-everest", "Mount Everest", "Mount Everest is Earth's highest mountain above sea level."
          + " Tenzing Norgay and Edmund Hillary first reached its summit in 1953."),
      new CorpusParagraph("p-paris-2", "Paris", "The Louvre in Paris is the world's most-visited museum. It opened"
          + " in 1793 and holds the Mona Lisa."));

  final Path dir;
  final Path dump;
  final SessionAnswerer answerer;
  final SearchServer server;

  private ServeFixture() throws Exception {
    dir = Files.createTempDirectory("densephrases-serve-test");
    Path corpus = dir.resolve("corpus.jsonl");
    StringBuilder sb = new StringBuilder();
    for (CorpusParagraph p : CORPUS) {
      sb.append("{\"id\": ").append(json(p.id())).append(", \"title\": ").append(json(p.title()))
          .append(", \"text\": ").append(json(p.text())).append("}\n");
    }
    Files.writeString(corpus, sb, StandardCharsets.UTF_8);
    dump = dir.resolve("dump");
    run("dump", "--corpus", corpus.toString(), "--out", dump.toString(), "--batch", "8", "--tokens-per-shard", "64");
    run("index", "--dump", dump.toString(), "--codec", "sq8", "--nlist", "4", "--train-size", "200",
        "--recall-queries", "5", "--nprobe", "4");
    answerer = new SessionAnswerer(Sessions.open(dump, "all-minilm-l6-v2", new EncoderOptions(), "sq8", "auto",
        ServeConfig.standard().defaults(), 4));
    ServeConfig cfg = ServeConfig.standard().withPort(0).withBatching(5, 64, 2)
        .withDefaults(ServeConfig.standard().defaults().withNprobe(4));
    server = SearchServer.start(cfg, answerer);
  }

  static ServeFixture get(ExtensionContext context) {
    return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(ServeFixture.class, k -> {
          try {
            return new ServeFixture();
          } catch (Exception e) {
            throw new IllegalStateException("building the serve fixture failed: " + e, e);
          }
        }, ServeFixture.class);
  }

  CorpusParagraph paragraph(String id) {
    return CORPUS.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
  }

  private static void run(String... args) {
    StringWriter out = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(out, true));
    int rc = cl.execute(args);
    assertEquals(0, rc, String.join(" ", args) + "\n" + out);
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      answerer.close();
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
