package org.densephrases.index.search;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.densephrases.index.Synthetic;
import org.densephrases.index.dump.DocumentInput;
import org.densephrases.index.dump.DumpSpec;
import org.densephrases.index.dump.DumpWriter;
import org.densephrases.kernels.VectorType;

/**
 * A synthetic corpus with known answers: background token vectors are clustered noise of norm about 1; for each
 * planted question, a random document gets a start token and an end token (within L) whose vectors are
 * {@code startWeight * u} and {@code endWeight * w}, where u and w are the question's unit start and end vectors. The
 * planted span then scores about startWeight + endWeight, far above any background span.
 */
final class PlantedCorpus {
  static final int DIM = 32;
  static final String MODEL = "planted-model";

  /** A question and the span it must find. */
  record Question(float[] qStart, float[] qEnd, int doc, String docId, String title, int startToken, int endToken,
      String answer, int charStart, int charEnd) {}

  final List<DocumentInput> docs = new ArrayList<>();
  final List<Question> questions = new ArrayList<>();
  private final Random r;

  PlantedCorpus(long seed, int numDocs, int maxTokens) {
    this.r = new Random(seed);
    for (int i = 0; i < numDocs; i++) {
      int n = 8 + r.nextInt(maxTokens - 7);
      float[] v = Synthetic.clustered(r, n, DIM, 16, 0.1f);
      for (int j = 0; j < v.length; j++) {
        v[j] *= (float) (1 / Math.sqrt(DIM)); // norm about 1
      }
      docs.add(Synthetic.document(r, "doc-" + i, "Article " + (i / 4), n, v, null));
    }
  }

  static float[] unit(Random r) {
    float[] u = Synthetic.gaussian(r, DIM, 1f);
    double n = 0;
    for (float x : u) {
      n += x * x;
    }
    for (int i = 0; i < DIM; i++) {
      u[i] /= (float) Math.sqrt(n);
    }
    return u;
  }

  /** Plants a question in a document not used yet; span length 1..maxLen tokens. */
  Question plant(float startWeight, float endWeight, int maxLen) {
    int d;
    do {
      d = r.nextInt(docs.size());
    } while (used(d));
    return plantIn(d, startWeight, endWeight, maxLen);
  }

  private boolean used(int d) {
    for (Question q : questions) {
      if (q.doc() == d) {
        return true;
      }
    }
    return false;
  }

  Question plantIn(int d, float startWeight, float endWeight, int maxLen) {
    DocumentInput doc = docs.get(d);
    int n = doc.numTokens();
    int len = 1 + r.nextInt(Math.min(maxLen, n));
    int s = r.nextInt(n - len + 1);
    return plantAt(d, s, s + len - 1, unit(r), unit(r), startWeight, endWeight);
  }

  Question plantAt(int d, int s, int e, float[] u, float[] w, float startWeight, float endWeight) {
    DocumentInput doc = docs.get(d);
    float[] v = doc.vectors();
    for (int k = 0; k < DIM; k++) {
      v[s * DIM + k] = startWeight * u[k] + (s == e ? endWeight * w[k] : 0f);
      if (s != e) {
        v[e * DIM + k] = endWeight * w[k];
      }
    }
    String answer = doc.text().substring(doc.charStart()[s], doc.charEnd()[e]);
    Question q = new Question(u, w, d, doc.id(), doc.title(), s, e, answer, doc.charStart()[s], doc.charEnd()[e]);
    questions.add(q);
    return q;
  }

  void write(Path dir, long tokensPerShard) throws IOException {
    DumpSpec spec = DumpSpec.of(MODEL, DIM).withTypes(Set.of(VectorType.FP16, VectorType.INT8))
        .withTokensPerShard(tokensPerShard);
    try (DumpWriter w = DumpWriter.open(dir, spec)) {
      for (DocumentInput doc : docs) {
        w.add(doc);
      }
      w.finish();
    }
  }
}
