package org.densephrases.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.densephrases.index.dump.DocumentInput;

/** Synthetic test data: clustered random vectors and tiny documents whose tokens are words of a made-up text. */
public final class Synthetic {
  private static final String[] WORDS = {
    "the", "river", "stone", "city", "north", "king", "blue", "song", "was", "built", "in", "by", "of", "a", "old",
    "bridge", "year", "war", "ship", "tower", "green", "field", "light", "across", "under", "great", "small", "first"
  };

  private Synthetic() {}

  /**
   * (n)(dim) vectors drawn around {@code clusters} random centres (centre spread 1, noise sigma): data with the
   * structure IVF exploits.
   */
  public static float[] clustered(Random r, int n, int dim, int clusters, float sigma) {
    float[] centres = gaussian(r, clusters * dim, 1f);
    float[] out = new float[n * dim];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(clusters);
      for (int d = 0; d < dim; d++) {
        out[i * dim + d] = centres[c * dim + d] + (float) r.nextGaussian() * sigma;
      }
    }
    return out;
  }

  public static float[] gaussian(Random r, int n, float sigma) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) r.nextGaussian() * sigma;
    }
    return out;
  }

  /** A document of {@code numTokens} words separated by spaces and sentences; vectors from {@code vectors}. */
  public static DocumentInput document(Random r, String id, String title, int numTokens, float[] vectors,
      float[] filter) {
    StringBuilder text = new StringBuilder();
    int[] start = new int[numTokens];
    int[] end = new int[numTokens];
    for (int t = 0; t < numTokens; t++) {
      if (t > 0) {
        text.append(' ');
      }
      String w = WORDS[r.nextInt(WORDS.length)];
      if (t == 0 || text.charAt(text.length() - 2) == '.') {
        w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
      }
      start[t] = text.length();
      text.append(w);
      end[t] = text.length();
      if (t == numTokens - 1 || r.nextInt(7) == 0) {
        text.append('.');
      }
    }
    return new DocumentInput(id, title, text.toString(), vectors, filter, start, end);
  }

  /** {@code numDocs} documents of 3..maxTokens tokens with clustered vectors and random filter scores. */
  public static List<DocumentInput> documents(Random r, int numDocs, int maxTokens, int dim) {
    List<DocumentInput> docs = new ArrayList<>();
    for (int i = 0; i < numDocs; i++) {
      int n = 3 + r.nextInt(maxTokens - 2);
      float[] v = clustered(r, n, dim, 8, 0.3f);
      float[] f = gaussian(r, n, 1f);
      docs.add(document(r, "doc-" + i, "Title " + (i / 3), n, v, f));
    }
    return docs;
  }
}
