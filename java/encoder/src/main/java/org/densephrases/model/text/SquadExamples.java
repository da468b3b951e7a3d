package org.densephrases.model.text;

import java.util.ArrayList;
import java.util.List;
import org.densephrases.model.data.SquadAnswer;
import org.densephrases.model.data.SquadDataset;
import org.densephrases.model.data.SquadParagraph;
import org.densephrases.model.data.SquadQuestion;

/**
 * Builds span-extraction training examples from a SQuAD file: each passage is encoded once, each question gets one
 * example from its first usable answer (train files have exactly one answer a question), in the window that gives the
 * answer's first token its most context (so overlapping windows never duplicate an example). Answers are skipped
 * when ambiguous under {@link AmbiguousPolicy#DROP}, when no token covers them, or when they do not fit in any window.
 */
public final class SquadExamples {
  private SquadExamples() {}

  /**
   * Counts over answers tried, for the log and the notes.
   *
   * @param questions questions read
   * @param examples training examples built (one per answer kept)
   * @param exact examples whose token span matches the answer's characters exactly
   * @param inexact examples whose span covers a partial word piece
   * @param droppedAmbiguous answers dropped by the {@link AmbiguousPolicy}
   * @param unmappable answers whose characters cover no token
   * @param notInOneWindow answers that no single window holds whole
   */
  public record Stats(int questions, int examples, int exact, int inexact, int droppedAmbiguous, int unmappable,
      int notInOneWindow) {
    @Override
    public String toString() {
      return String.format("%d questions -> %d examples (%d exact token spans, %d widened to whole tokens); dropped: "
          + "%d ambiguous, %d unmappable, %d not inside one window", questions, examples, exact, inexact,
          droppedAmbiguous, unmappable, notInOneWindow);
    }
  }

  /**
   * Examples and the encoded passages they point into (index = paragraph index).
   *
   * @param examples the training examples
   * @param passages the encoded passages, one per dataset paragraph
   * @param stats the counts of answers kept and dropped
   */
  public record Result(List<SpanExample> examples, List<EncodedPassage> passages, Stats stats) {}

  /**
   * Builds span-extraction examples: each answer mapped to context tokens and to a window that holds it whole.
   *
   * @param data the SQuAD-format dataset
   * @param encoder tokenizes and windows each paragraph (once)
   * @param policy what to do with a question whose answers disagree
   * @return the examples, the passages and the counts
   */
  public static Result build(SquadDataset data, PassageEncoder encoder, AmbiguousPolicy policy) {
    List<SpanExample> out = new ArrayList<>();
    List<EncodedPassage> passages = new ArrayList<>(data.paragraphs().size());
    int questions = 0;
    int exact = 0;
    int inexact = 0;
    int ambiguous = 0;
    int unmappable = 0;
    int notInWindow = 0;
    for (int p = 0; p < data.paragraphs().size(); p++) {
      SquadParagraph para = data.paragraphs().get(p);
      EncodedPassage enc = encoder.encode(para.title(), para.context());
      passages.add(enc);
      for (SquadQuestion q : para.questions()) {
        questions++;
        SquadAnswer chosen = null;
        boolean sawAmbiguous = false;
        for (SquadAnswer a : q.answers()) {
          if (a.ambiguousStart() && policy == AmbiguousPolicy.DROP) {
            sawAmbiguous = true;
            continue;
          }
          chosen = a;
          break;
        }
        if (chosen == null) {
          if (sawAmbiguous) {
            ambiguous++;
          }
          continue;
        }
        TokenSpan span = enc.answerSpan(chosen.charStart(), chosen.charEnd());
        if (span == null) {
          unmappable++;
          continue;
        }
        int best = -1;
        for (int w = 0; w < enc.windows().size(); w++) {
          PassageWindow win = enc.windows().get(w);
          if (win.locate(span) != null && win.maxContext()[span.start() - win.firstContextToken()]) {
            best = w;
          }
        }
        if (best < 0) { // the start token's best window cuts the answer: take any window holding all of it
          for (int w = 0; w < enc.windows().size() && best < 0; w++) {
            if (enc.windows().get(w).locate(span) != null) {
              best = w;
            }
          }
        }
        if (best < 0) {
          notInWindow++;
          continue;
        }
        int[] pos = enc.windows().get(best).locate(span);
        out.add(new SpanExample(q.id(), q.question(), p, best, pos[0], pos[1], span.exact()));
        if (span.exact()) {
          exact++;
        } else {
          inexact++;
        }
      }
    }
    return new Result(List.copyOf(out), List.copyOf(passages),
        new Stats(questions, out.size(), exact, inexact, ambiguous, unmappable, notInWindow));
  }
}
