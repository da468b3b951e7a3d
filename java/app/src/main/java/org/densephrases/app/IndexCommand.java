package org.densephrases.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.densephrases.kernels.Progress;
import org.densephrases.index.dump.Dump;
import org.densephrases.index.dump.DumpManifest;
import org.densephrases.index.dump.Generations;
import org.densephrases.index.update.DumpUpdater;
import org.densephrases.index.format.Expect;
import org.densephrases.index.format.FileFormatException;
import org.densephrases.index.format.Verify;
import org.densephrases.index.ivf.BuildReport;
import org.densephrases.index.ivf.Codec;
import org.densephrases.index.ivf.IndexBuilder;
import org.densephrases.index.ivf.IndexFiles;
import org.densephrases.index.ivf.IndexSpec;
import org.densephrases.index.ivf.IvfIndex;
import org.densephrases.index.ivf.VectorSource;
import org.densephrases.kernels.KernelBackend;
import org.densephrases.kernels.VectorType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code densephrases index}: IVF-SQ8 and/or IVF-PQ index files built from a dump (java/index IndexBuilder), written
 * into the dump directory as {@code ivf-sq8.idx} / {@code ivf-pq.idx}; prints build time, bytes per phrase and
 * recall against exact search. An index that already serves the dump is reused unless {@code --force}.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = "Build IVF-SQ8 and/or IVF-PQ indexes over a phrase dump; report size and recall vs exact search.")
final class IndexCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--dump", description = "dump directory (default: the default model's dump of the default corpus)")
  Path dump;

  @Option(names = "--codec", split = ",", description = "sq8, pq or both (default: sq8,pq)")
  List<String> codecs = List.of("sq8", "pq");

  @Option(names = "--nlist", description = "inverted lists (default: the power of two nearest sqrt(phrases) / 8:"
      + " 256 for the 3.2M-token corpus, cheap to train and assign on 2 cores)")
  int nlist = 0;

  @Option(names = "--m", description = "PQ bytes per phrase (sub-quantizers); must divide the dim (default: dim/8)")
  int m = 0;

  @Option(names = "--opq", description = "rotate before PQ (OPQ)")
  boolean opq;

  @Option(names = "--train-size", description = "vectors sampled to train k-means and the codec"
      + " (default: max(10000, 64 x nlist))")
  int trainSize = 0;

  @Option(names = "--kmeans-iterations", description = "k-means iterations (default: ${DEFAULT-VALUE})")
  int kmeansIterations = 10;

  @Option(names = "--source", description = "dump vectors the index encodes: fp16 or int8 (default: fp16 when the"
      + " dump has it)")
  String source;

  @Option(names = "--recall-queries", description = "queries for the recall report, 0 = none (default: ${DEFAULT-VALUE})")
  int recallQueries = 100;

  @Option(names = "--nprobe", split = ",", description = "nprobe values of the recall report (default: 8,32,128)")
  List<Integer> nprobes = List.of(8, 32, 128);

  @Option(names = "--backend", description = "kernel backend: auto, cuda, simd, scalar (default: auto)")
  String backend = "auto";

  @Option(names = "--model", description = "model of the default dump (default: the committed model)")
  String model;

  @Option(names = "--force", description = "rebuild even if a matching index exists")
  boolean force;

  @Option(names = "--retrain", description = "retrain centroids and codecs of indexes kept current by 'add' (all, or"
      + " with --max-drift only those whose drift exceeds it) and commit them as a new generation")
  boolean retrain;

  @Option(names = "--max-drift", description = "with --retrain: retrain only an index whose drift (added rows' mean"
      + " squared distance to their centroid over the trained rows', minus 1) exceeds this, e.g. 0.1")
  Double maxDrift;

  @Override
  public Integer call() throws Exception {
    return UserErrors.run(this::build);
  }

  private Integer build() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = dump != null ? dump : Workspace.defaultDumpOfSpec(model);
    KernelBackend kb = Backend.of(backend);
    Options.checkRange("--recall-queries", recallQueries, 0, 100_000);
    for (int np : nprobes) {
      Options.checkRange("--nprobe", np, 1, 1 << 20);
    }
    if (maxDrift != null && (!retrain || !(maxDrift >= 0) || maxDrift.isInfinite())) {
      throw new IllegalArgumentException(!retrain ? "--max-drift needs --retrain"
          : "--max-drift must be a finite number >= 0, got " + maxDrift);
    }
    try (Dump d = Dump.open(dir, Expect.ANY, Verify.ON_OPEN, false)) {
      VectorType vt = source == null ? (d.types().contains(VectorType.FP16) ? VectorType.FP16 : VectorType.INT8)
          : VectorType.valueOf(source.trim().toUpperCase(Locale.ROOT));
      if (!d.types().contains(vt)) {
        throw new IllegalArgumentException("--source " + source + ": the dump holds " + d.types());
      }
      long n = d.numTokens();
      int lists = nlist > 0 ? nlist : IndexSpec.defaultNlist(n);
      Options.checkRange("--nlist", lists, 1, Math.min(IndexSpec.MAX_NLIST, n));
      out.printf(Locale.ROOT, "index: dump %s: %d phrases (tokens) x %d, model %s; backend %s%n", dir, n, d.dim(),
          d.modelId(), kb.name());
      out.flush();
      long committed = d.generation(); // the newest generation as this command knows it
      for (String c : codecs) {
        String codec = c.trim().toLowerCase(Locale.ROOT);
        IndexSpec is = switch (codec) {
          case "sq8" -> IndexSpec.sq8(lists);
          case "pq" -> {
            int mm = m > 0 ? m : Math.max(1, d.dim() / 8);
            if (d.dim() % mm != 0) {
              throw new IllegalArgumentException("--m " + mm + " does not divide the dump's dim " + d.dim());
            }
            yield IndexSpec.pq(lists, mm).withOpq(opq);
          }
          default -> throw new IllegalArgumentException("--codec: unknown codec '" + c + "' (sq8, pq)");
        };
        if (trainSize > 0) {
          is = is.withTrainSize(trainSize);
        }
        is = is.withIterations(kmeansIterations, is.pqIterations());
        Codec cc = Codec.parse(codec);
        Path file = IndexFiles.of(d, cc);
        boolean exists = file != null && Files.exists(file);
        if (retrain && exists && maxDrift != null) {
          double drift = drift(d, codec);
          out.printf(Locale.ROOT, "index: %s drift %+.4f (threshold %.4f): %s%n", codec, drift, maxDrift,
              drift > maxDrift ? "retraining" : "kept");
          out.flush();
          if (drift <= maxDrift) {
            continue;
          }
        } else if (!force && !retrain && exists && serves(file, d, out)) {
          continue;
        }
        // generation 0: ivf-<codec>.idx as always; a changed dump: a fresh file committed as a new generation
        DumpUpdater lock = null;
        if (d.generation() > 0) {
          lock = Changes.open(dir);
          long gen = Generations.latest(dir);
          if (gen != committed) {
            lock.close();
            throw new IllegalArgumentException(dir + " changed while the index command ran (generation "
                + committed + " -> " + gen + "): run it again");
          }
          file = IndexFiles.forGeneration(dir, cc, gen + 1);
        } else {
          file = IndexFiles.path(dir, cc);
        }
        try {
          Progress.Listener l = (phase, done, total, rate, eta, fin) -> {
            out.println(Progress.format(phase, done, total, rate, eta, fin));
            out.flush();
          };
          IndexBuilder b = new IndexBuilder(is, kb, l);
          VectorSource src = VectorSource.ofDump(d, vt, Float.NEGATIVE_INFINITY);
          BuildReport r = recallQueries > 0
              ? b.buildAndMeasure(src, file, recallQueries, 10, 100, nprobes.stream().mapToInt(i -> i).toArray())
              : b.build(src, file);
          out.println("index: " + r);
          out.printf(Locale.ROOT, "index: %s: %.1f bytes per phrase (the dump's FP16 vectors: %d), built in %.1fs%n",
              file, r.bytesPerVector(), 2 * d.dim(), r.totalSeconds());
          if (lock != null) {
            committed = lock.replaceIndex(codec, file.getFileName().toString()).generation();
            out.println("index: generation " + committed + " committed with " + file.getFileName());
          }
        } finally {
          if (lock != null) {
            lock.close();
          }
        }
        out.flush();
      }
    }
    return 0;
  }

  /** The drift of the generation's index of a codec (0 for generation 0 or an index nothing was added to). */
  private static double drift(Dump d, String codec) {
    DumpManifest.IndexEntry e = d.manifest().indexes().get(codec);
    return e == null ? 0 : e.drift();
  }

  /** Whether an existing index file is a valid index of this dump (then it is reused). */
  private static boolean serves(Path file, Dump d, PrintWriter out) throws java.io.IOException {
    try (IvfIndex idx = IvfIndex.open(file, Expect.ANY, Verify.ON_OPEN)) {
      idx.checkServes(d);
      out.printf(Locale.ROOT, "index: %s already serves this dump (%s, nlist %s): reusing it (--force rebuilds)%n",
          file, idx.codec(), idx.nlist());
      out.flush();
      return true;
    } catch (FileFormatException e) {
      out.println("index: rebuilding " + file + ": " + e.getMessage());
      out.flush();
      return false;
    }
  }
}
