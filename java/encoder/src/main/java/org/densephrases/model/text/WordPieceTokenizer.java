package org.densephrases.model.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pure-Java BERT WordPiece tokenizer that reads a HuggingFace tokenizer.json and reproduces the HuggingFace
 * tokenizers library's ids and offsets (needs only gson; never touches DJL).
 *
 * <p>Supported: added tokens matched on the raw text (normalized=false, no single_word/lstrip/rstrip; leftmost
 * longest, as HF's AddedVocabulary), normalizer BertNormalizer (clean_text, handle_chinese_chars, strip_accents with
 * null = follow lowercase, lowercase) or none, pre_tokenizer BertPreTokenizer, model WordPiece (greedy
 * longest-match-first with continuing_subword_prefix; words longer than max_input_chars_per_word code points or
 * with no segmentation become unk_token over the whole word), post_processor TemplateProcessing or BertProcessing
 * (for the [CLS]/[SEP] ids only). Anything else is an {@link UnsupportedTokenizerException} listing what is missing.
 * Padding and truncation in the file are ignored, as {@link Tokenizer} switches them off.
 *
 * <p>Offsets are Java (UTF-16) indices of the original text and follow HF's alignment rules across normalization:
 * removed characters leave no trace, a character expanded by lower-casing or NFD or padded with spaces (CJK) maps
 * every output character to itself, and canonical reordering of combining marks assigns alignments by position as
 * HF's NormalizedString.transform does. A lone surrogate (which HF cannot receive) is read as U+FFFD.
 *
 * <p>Thread-safe: tokenizing allocates its own buffers.
 */
public final class WordPieceTokenizer implements Tokenizer.Backend {
  private static final int START_ROOT = 0;
  private static final int CONT_ROOT = 1;

  private final String source;
  private final boolean cleanText;
  private final boolean handleChinese;
  private final boolean stripAccents;
  private final boolean lowercase;
  private final int maxInputChars;
  private final int unkId;
  private final String[] idToToken;
  private final CodePointTrie trie;
  /** Added tokens, longest first, so that the first match at a position is the longest. */
  private final String[] addedContent;
  private final int[] addedId;
  /** Bit c set when an added token starts with ASCII char c; {@code addedNonAscii} when one starts otherwise. */
  private final long[] addedFirstAscii = new long[2];
  private final boolean addedNonAscii;
  private final long clsId;
  private final long sepId;

  private WordPieceTokenizer(String source, boolean cleanText, boolean handleChinese, boolean stripAccents,
      boolean lowercase, int maxInputChars, int unkId, String[] idToToken, CodePointTrie trie, String[] addedContent,
      int[] addedId, long clsId, long sepId) {
    this.source = source;
    this.cleanText = cleanText;
    this.handleChinese = handleChinese;
    this.stripAccents = stripAccents;
    this.lowercase = lowercase;
    this.maxInputChars = maxInputChars;
    this.unkId = unkId;
    this.idToToken = idToToken;
    this.trie = trie;
    this.addedContent = addedContent;
    this.addedId = addedId;
    boolean nonAscii = false;
    for (String a : addedContent) {
      char c = a.charAt(0);
      if (c < 128) {
        addedFirstAscii[c >> 6] |= 1L << (c & 63);
      } else {
        nonAscii = true;
      }
    }
    this.addedNonAscii = nonAscii;
    this.clsId = clsId;
    this.sepId = sepId;
  }

  /**
   * Reads a tokenizer.json.
   *
   * @throws UnsupportedTokenizerException when the file uses anything this class does not implement
   * @throws IllegalArgumentException when the file is not a valid tokenizer.json, or its single-sequence template
   *     is not {@code [CLS] A [SEP]}
   * @param json the UTF-8 bytes of the tokenizer.json
   * @param source a name for the bytes (path or resource), for errors
   * @return a tokenizer with the file's vocabulary, normalizer and pre-tokenizer
   */
  public static WordPieceTokenizer fromJson(byte[] json, String source) {
    JsonObject root;
    try {
      root = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + " is not a valid tokenizer.json: " + e.getMessage(), e);
    }
    try {
      return parse(root, source);
    } catch (UnsupportedTokenizerException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new IllegalArgumentException(source + " is not a valid tokenizer.json: " + e.getMessage(), e);
    } catch (RuntimeException e) { // gson's IllegalStateException / ClassCastException on unexpected shapes
      throw new IllegalArgumentException(source + " is not a valid tokenizer.json: " + e, e);
    }
  }

  private static WordPieceTokenizer parse(JsonObject root, String source) {
    List<String> unsupported = new ArrayList<>();

    // normalizer
    boolean clean = false;
    boolean chinese = false;
    boolean strip = false;
    boolean lower = false;
    JsonElement n = root.get("normalizer");
    if (n != null && !n.isJsonNull()) {
      JsonObject no = n.getAsJsonObject();
      String type = string(no, "type", null);
      if ("BertNormalizer".equals(type)) {
        clean = bool(no, "clean_text", true);
        chinese = bool(no, "handle_chinese_chars", true);
        lower = bool(no, "lowercase", true);
        strip = bool(no, "strip_accents", lower);
      } else {
        unsupported.add("normalizer type " + type + " (only BertNormalizer or none)");
      }
    }

    // pre-tokenizer
    JsonElement p = root.get("pre_tokenizer");
    if (p == null || p.isJsonNull()) {
      unsupported.add("no pre_tokenizer (only BertPreTokenizer)");
    } else {
      String type = string(p.getAsJsonObject(), "type", null);
      if (!"BertPreTokenizer".equals(type)) {
        unsupported.add("pre_tokenizer type " + type + " (only BertPreTokenizer)");
      }
    }

    // model
    JsonElement m = root.get("model");
    if (m == null || !m.isJsonObject()) {
      throw new IllegalArgumentException(source + " is not a valid tokenizer.json: no model");
    }
    JsonObject mo = m.getAsJsonObject();
    String modelType = string(mo, "type", null);
    if (modelType == null && mo.has("continuing_subword_prefix") && !mo.has("merges")) {
      modelType = "WordPiece";
    }
    if (!"WordPiece".equals(modelType)) {
      unsupported.add("model type " + modelType + " (only WordPiece)");
      throw new UnsupportedTokenizerException(source, unsupported);
    }
    String unk = string(mo, "unk_token", "[UNK]");
    String prefix = string(mo, "continuing_subword_prefix", "##");
    int maxChars = mo.has("max_input_chars_per_word") ? mo.get("max_input_chars_per_word").getAsInt() : 100;
    JsonObject vocab = mo.getAsJsonObject("vocab");
    if (vocab == null) {
      throw new IllegalArgumentException(source + " is not a valid tokenizer.json: the WordPiece model has no vocab");
    }
    int maxId = -1;
    for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
      maxId = Math.max(maxId, e.getValue().getAsInt());
    }
    JsonArray added = root.has("added_tokens") && root.get("added_tokens").isJsonArray()
        ? root.getAsJsonArray("added_tokens") : new JsonArray();
    for (JsonElement a : added) {
      maxId = Math.max(maxId, a.getAsJsonObject().get("id").getAsInt());
    }
    String[] idToToken = new String[maxId + 1];
    CodePointTrie trie = new CodePointTrie(vocab.size() * 4);
    Integer unkIdBoxed = null;
    for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
      String token = e.getKey();
      int id = e.getValue().getAsInt();
      if (id < 0) {
        throw new IllegalArgumentException(source + " is not a valid tokenizer.json: negative id " + id);
      }
      idToToken[id] = token;
      if (token.equals(unk)) {
        unkIdBoxed = id;
      }
      if (!token.isEmpty()) {
        trie.put(START_ROOT, token, 0, id);
      }
      if (token.startsWith(prefix) && token.length() > prefix.length()) {
        trie.put(CONT_ROOT, token, prefix.length(), id);
      }
    }
    if (unkIdBoxed == null) {
      unsupported.add("unk_token " + unk + " is not in the vocab");
    }

    // added tokens
    List<String[]> addedList = new ArrayList<>();
    for (JsonElement a : added) {
      JsonObject ao = a.getAsJsonObject();
      String content = string(ao, "content", "");
      int id = ao.get("id").getAsInt();
      List<String> flags = new ArrayList<>();
      for (String f : new String[] {"single_word", "lstrip", "rstrip", "normalized"}) {
        if (bool(ao, f, false)) {
          flags.add(f);
        }
      }
      if (!flags.isEmpty()) {
        unsupported.add("added token " + content + " with " + String.join(", ", flags));
      }
      if (idToToken[id] == null) {
        idToToken[id] = content;
      }
      if (!content.isEmpty()) {
        addedList.add(new String[] {content, Integer.toString(id)});
      }
    }
    addedList.sort((x, y) -> Integer.compare(y[0].length(), x[0].length()));
    String[] addedContent = new String[addedList.size()];
    int[] addedId = new int[addedList.size()];
    for (int i = 0; i < addedContent.length; i++) {
      addedContent[i] = addedList.get(i)[0];
      addedId[i] = Integer.parseInt(addedList.get(i)[1]);
    }

    // post-processor: [CLS] A [SEP]
    String[] clsSep = null;
    long[] clsSepIds = null;
    JsonElement pp = root.get("post_processor");
    String ppType = pp == null || pp.isJsonNull() ? null : string(pp.getAsJsonObject(), "type", null);
    if ("TemplateProcessing".equals(ppType)) {
      JsonObject po = pp.getAsJsonObject();
      JsonArray single = po.getAsJsonArray("single");
      JsonObject specials = po.has("special_tokens") ? po.getAsJsonObject("special_tokens") : new JsonObject();
      List<String> pieces = new ArrayList<>();
      List<Long> ids = new ArrayList<>();
      for (JsonElement s : single) {
        JsonObject so = s.getAsJsonObject();
        if (so.has("Sequence")) {
          pieces.add("$" + string(so.getAsJsonObject("Sequence"), "id", "A"));
          ids.add(null);
        } else if (so.has("SpecialToken")) {
          String sid = string(so.getAsJsonObject("SpecialToken"), "id", "");
          JsonObject st = specials.getAsJsonObject(sid);
          if (st == null) {
            throw new IllegalArgumentException(source + " is not a valid tokenizer.json: template special token "
                + sid + " missing from special_tokens");
          }
          JsonArray tokIds = st.getAsJsonArray("ids");
          JsonArray toks = st.getAsJsonArray("tokens");
          for (int i = 0; i < tokIds.size(); i++) {
            pieces.add(toks.get(i).getAsString());
            ids.add(tokIds.get(i).getAsLong());
          }
        }
      }
      if (pieces.size() == 3 && pieces.get(1).equals("$A") && ids.get(0) != null && ids.get(2) != null) {
        clsSep = new String[] {pieces.get(0), pieces.get(2)};
        clsSepIds = new long[] {ids.get(0), ids.get(2)};
      } else {
        String got = String.join(" ", pieces.stream().filter(x -> !x.startsWith("$")).toList());
        throw new IllegalArgumentException(source + ": expected a BERT tokenizer whose template is [CLS] A [SEP], "
            + "got " + got + " for empty text");
      }
    } else if ("BertProcessing".equals(ppType)) {
      JsonObject po = pp.getAsJsonObject();
      JsonArray cls = po.getAsJsonArray("cls");
      JsonArray sep = po.getAsJsonArray("sep");
      clsSep = new String[] {cls.get(0).getAsString(), sep.get(0).getAsString()};
      clsSepIds = new long[] {cls.get(1).getAsLong(), sep.get(1).getAsLong()};
    } else {
      unsupported.add("post_processor " + ppType + " (only TemplateProcessing or BertProcessing)");
    }
    if (!unsupported.isEmpty()) {
      throw new UnsupportedTokenizerException(source, unsupported);
    }
    if (!clsSep[0].equals("[CLS]") || !clsSep[1].equals("[SEP]")) {
      throw new IllegalArgumentException(source + ": expected a BERT tokenizer whose template is [CLS] A [SEP], got "
          + clsSep[0] + " " + clsSep[1] + " for empty text");
    }
    return new WordPieceTokenizer(source, clean, chinese, strip, lower, maxChars, unkIdBoxed, idToToken, trie,
        addedContent, addedId, clsSepIds[0], clsSepIds[1]);
  }

  private static String string(JsonObject o, String key, String dflt) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? dflt : e.getAsString();
  }

  private static boolean bool(JsonObject o, String key, boolean dflt) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? dflt : e.getAsBoolean();
  }

  @Override
  public String name() {
    return "java";
  }

  /** {@return where the tokenizer.json came from, for errors} */
  public String source() {
    return source;
  }

  @Override
  public long clsId() {
    return clsId;
  }

  @Override
  public long sepId() {
    return sepId;
  }

  /**
   * The vocabulary size (largest id + 1).
   *
   * @return the vocabulary size
   */
  public int vocabSize() {
    return idToToken.length;
  }

  /**
   * The token string of an id, or null.
   *
   * @param id a token id
   * @return the token string, or null when no token has that id
   */
  public String token(int id) {
    return id >= 0 && id < idToToken.length ? idToToken[id] : null;
  }

  @Override
  public String[] tokenStrings(String text) {
    long[] ids = tokenize(text).ids();
    String[] out = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = idToToken[(int) ids[i]];
    }
    return out;
  }

  /** WordPiece tokens of {@code text}, no special tokens, offsets as Java string indices of {@code text}. */
  @Override
  public Tokens tokenize(String text) {
    Out out = new Out(Math.max(16, text.length() / 4));
    Work w = new Work(text.length() + 16);
    int pieceStart = 0;
    int len = text.length();
    if (addedContent.length > 0) {
      for (int i = 0; i < len; i++) {
        int k = matchAdded(text, i);
        if (k < 0) {
          continue;
        }
        if (pieceStart < i) {
          piece(text, pieceStart, i, w, out);
        }
        int end = i + addedContent[k].length();
        out.add(addedId[k], i, end);
        pieceStart = end;
        i = end - 1;
      }
    }
    if (pieceStart < len) {
      piece(text, pieceStart, len, w, out);
    }
    return out.toTokens();
  }

  private int matchAdded(String text, int at) {
    char c = text.charAt(at);
    if (c < 128 ? (addedFirstAscii[c >> 6] & (1L << (c & 63))) == 0 : !addedNonAscii) {
      return -1;
    }
    for (int k = 0; k < addedContent.length; k++) {
      String a = addedContent[k];
      if (a.charAt(0) == c && text.startsWith(a, at)) {
        return k;
      }
    }
    return -1;
  }

  /** Normalizes, pre-tokenizes and WordPiece-splits text[from, to) (a piece between added tokens). */
  private void piece(String text, int from, int to, Work w, Out out) {
    w.reset(from);
    int i = from;
    while (i < to) {
      char c = text.charAt(i);
      int cp;
      int end;
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
          cp = Character.toCodePoint(c, text.charAt(i + 1));
          end = i + 2;
        } else {
          cp = 0xfffd;
          end = i + 1;
        }
      } else {
        cp = c;
        end = i + 1;
      }
      if (cp < 0x80) {
        if (cleanText) {
          if (cp < 0x20) {
            if (cp != '\t' && cp != '\n' && cp != '\r') {
              i = end;
              continue;
            }
            cp = ' ';
          } else if (cp == 0x7f) {
            i = end;
            continue;
          }
        }
        if (w.pending > 0) {
          flush(w);
        }
        if (lowercase && cp >= 'A' && cp <= 'Z') {
          cp += 'a' - 'A';
        }
        w.emit(cp, i, end);
        w.lastStart = i;
        w.lastEnd = end;
        i = end;
        continue;
      }
      int cls = BertChars.classOf(cp);
      if (cleanText) {
        if ((cls & BertChars.REMOVE) != 0) {
          i = end;
          continue;
        }
        if ((cls & BertChars.WHITESPACE) != 0) {
          cp = ' ';
          cls = BertChars.WHITESPACE;
        }
      }
      if (handleChinese && (cls & BertChars.CHINESE) != 0) {
        w.unit(' ', i, end);
        w.unit(cp, i, end);
        w.unit(' ', i, end);
      } else {
        w.unit(cp, i, end);
      }
      i = end;
    }
    flush(w);
    split(w, out);
  }

  /** NFD + accent stripping (when on) and lower-casing of the pending non-ASCII units, appended to the output. */
  private void flush(Work w) {
    int units = w.pending;
    if (units == 0) {
      return;
    }
    if (!stripAccents) {
      for (int u = 0; u < units; u++) {
        lowerEmit(w, w.ucp[u], w.ustart[u], w.uend[u]);
      }
    } else {
      w.decompose();
      int m = w.tn;
      int[] order = w.reorder();
      int consumed = 0;
      int prevStart = w.lastStart;
      int prevEnd = w.lastEnd;
      for (int q = 0; q < m; q++) {
        int k = order == null ? q : order[q];
        int cp = w.tcp[k];
        int s;
        int e;
        if (w.tfirst[k]) { // replaces the next unit of the string before NFD
          s = w.ustart[consumed];
          e = w.uend[consumed];
          consumed++;
          prevStart = s;
          prevEnd = e;
        } else { // inserted: aligned as the last replaced unit
          s = prevStart;
          e = prevEnd;
        }
        if ((BertChars.classOf(cp) & BertChars.MARK_NONSPACING) != 0) {
          continue;
        }
        lowerEmit(w, cp, s, e);
      }
    }
    w.lastStart = w.ustart[units - 1];
    w.lastEnd = w.uend[units - 1];
    w.pending = 0;
  }

  private void lowerEmit(Work w, int cp, int start, int end) {
    if (lowercase) {
      if (cp == 0x130) { // the one unconditional multi-character lower-case mapping: I-dot -> i + combining dot
        w.emit('i', start, end);
        w.emit(0x307, start, end);
        return;
      }
      cp = Character.toLowerCase(cp);
    }
    w.emit(cp, start, end);
  }

  /** BertPreTokenizer (split on whitespace, isolate punctuation) and WordPiece over the normalized code points. */
  private void split(Work w, Out out) {
    int n = w.n;
    int[] cps = w.ncp;
    int a = -1;
    for (int k = 0; k < n; k++) {
      int cls = BertChars.classOf(cps[k]);
      if ((cls & BertChars.WHITESPACE) != 0) {
        if (a >= 0) {
          word(w, a, k, out);
          a = -1;
        }
      } else if ((cls & BertChars.PUNCT) != 0) {
        if (a >= 0) {
          word(w, a, k, out);
          a = -1;
        }
        word(w, k, k + 1, out);
      } else if (a < 0) {
        a = k;
      }
    }
    if (a >= 0) {
      word(w, a, n, out);
    }
  }

  private void word(Work w, int a, int b, Out out) {
    if (b - a > maxInputChars) {
      out.add(unkId, w.nstart[a], w.nend[b - 1]);
      return;
    }
    int mark = out.size;
    int start = a;
    while (start < b) {
      long r = trie.longest(start == a ? START_ROOT : CONT_ROOT, w.ncp, start, b);
      if (r < 0) {
        out.size = mark;
        out.add(unkId, w.nstart[a], w.nend[b - 1]);
        return;
      }
      int end = (int) (r >>> 32);
      out.add((int) r, w.nstart[start], w.nend[end - 1]);
      start = end;
    }
  }

  @Override
  public void close() {}

  // ---------------------------------------------------------------------------------------------------------------

  /** Canonical decompositions (full, as Java's NFD of the single code point), null when a code point has none. */
  static final class Decompositions {
    private static final int[][] BMP = new int[0x10000][];
    private static final Map<Integer, int[]> SUPPLEMENTARY = new ConcurrentHashMap<>();
    private static final int[] NONE = new int[0];

    static {
      for (int c = 0xc0; c < 0x10000; c++) {
        if (Character.isSurrogate((char) c)) {
          continue;
        }
        String s = String.valueOf((char) c);
        if (!Normalizer.isNormalized(s, Normalizer.Form.NFD)) {
          BMP[c] = Normalizer.normalize(s, Normalizer.Form.NFD).codePoints().toArray();
        }
      }
    }

    static int[] of(int cp) {
      if (cp < 0x10000) {
        return BMP[cp];
      }
      int[] d = SUPPLEMENTARY.computeIfAbsent(cp, c -> {
        String s = Character.toString(c);
        return Normalizer.isNormalized(s, Normalizer.Form.NFD) ? NONE
            : Normalizer.normalize(s, Normalizer.Form.NFD).codePoints().toArray();
      });
      return d.length == 0 ? null : d;
    }
  }

  /** Per-call buffers: pending units (after clean_text and CJK padding), their NFD, and the normalized output. */
  private static final class Work {
    int pieceStart;
    // the alignment of the unit before the pending ones (what an "inserted" character at the start aligns to)
    int lastStart;
    int lastEnd;
    // pending non-ASCII units
    int pending;
    int[] ucp;
    int[] ustart;
    int[] uend;
    // their decomposition
    int tn;
    int[] tcp;
    boolean[] tfirst;
    // normalized output
    int n;
    int[] ncp;
    int[] nstart;
    int[] nend;

    Work(int capacity) {
      ncp = new int[capacity];
      nstart = new int[capacity];
      nend = new int[capacity];
      ucp = new int[16];
      ustart = new int[16];
      uend = new int[16];
      tcp = new int[16];
      tfirst = new boolean[16];
    }

    void reset(int from) {
      pieceStart = from;
      lastStart = from;
      lastEnd = from;
      pending = 0;
      n = 0;
    }

    void emit(int cp, int start, int end) {
      if (n == ncp.length) {
        int cap = n * 2;
        ncp = Arrays.copyOf(ncp, cap);
        nstart = Arrays.copyOf(nstart, cap);
        nend = Arrays.copyOf(nend, cap);
      }
      ncp[n] = cp;
      nstart[n] = start;
      nend[n] = end;
      n++;
    }

    void unit(int cp, int start, int end) {
      if (pending == ucp.length) {
        int cap = pending * 2;
        ucp = Arrays.copyOf(ucp, cap);
        ustart = Arrays.copyOf(ustart, cap);
        uend = Arrays.copyOf(uend, cap);
      }
      ucp[pending] = cp;
      ustart[pending] = start;
      uend[pending] = end;
      pending++;
    }

    void decompose() {
      tn = 0;
      for (int u = 0; u < pending; u++) {
        int cp = ucp[u];
        int[] d = cp < 0xc0 ? null : Decompositions.of(cp);
        if (d == null) {
          push(cp, true);
        } else {
          for (int j = 0; j < d.length; j++) {
            push(d[j], j == 0);
          }
        }
      }
    }

    private void push(int cp, boolean first) {
      if (tn == tcp.length) {
        tcp = Arrays.copyOf(tcp, tn * 2);
        tfirst = Arrays.copyOf(tfirst, tn * 2);
      }
      tcp[tn] = cp;
      tfirst[tn] = first;
      tn++;
    }

    /**
     * Canonical ordering of the decomposed units: the order in which to read them, or null when nothing moves.
     * Only runs of two or more marks (Mn/Mc: every non-starter is one) can reorder; each such run is put through
     * Java's NFD (which, on decomposed text, is the stable sort by combining class) and the sorted code points are
     * matched back to the elements in order, equal code points keeping their order as a stable sort keeps it.
     */
    int[] reorder() {
      int[] order = null;
      int k = 0;
      while (k < tn) {
        if (!isMark(tcp[k])) {
          k++;
          continue;
        }
        int e = k + 1;
        while (e < tn && isMark(tcp[e])) {
          e++;
        }
        if (e - k >= 2) {
          String run = new String(tcp, k, e - k);
          int[] sorted = Normalizer.normalize(run, Normalizer.Form.NFD).codePoints().toArray();
          if (sorted.length == e - k && !Arrays.equals(sorted, 0, sorted.length, tcp, k, e)) {
            if (order == null) {
              order = new int[tn];
              for (int q = 0; q < tn; q++) {
                order[q] = q;
              }
            }
            boolean[] used = new boolean[e - k];
            for (int q = 0; q < sorted.length; q++) {
              for (int r = 0; r < used.length; r++) {
                if (!used[r] && tcp[k + r] == sorted[q]) {
                  used[r] = true;
                  order[k + q] = k + r;
                  break;
                }
              }
            }
          }
        }
        k = e;
      }
      return order;
    }

    private static boolean isMark(int cp) {
      int t = Character.getType(cp);
      return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK;
    }
  }

  /** Growable token output. */
  private static final class Out {
    int size;
    int[] ids;
    int[] start;
    int[] end;

    Out(int capacity) {
      ids = new int[capacity];
      start = new int[capacity];
      end = new int[capacity];
    }

    void add(int id, int s, int e) {
      if (size == ids.length) {
        int cap = size * 2;
        ids = Arrays.copyOf(ids, cap);
        start = Arrays.copyOf(start, cap);
        end = Arrays.copyOf(end, cap);
      }
      ids[size] = id;
      start[size] = s;
      end[size] = e;
      size++;
    }

    Tokens toTokens() {
      long[] l = new long[size];
      for (int i = 0; i < size; i++) {
        l[i] = ids[i];
      }
      return new Tokens(l, Arrays.copyOf(start, size), Arrays.copyOf(end, size));
    }
  }

  /**
   * A trie over code points with two roots (word-initial pieces and continuation pieces without their prefix), its
   * edges in one open-addressing hash table keyed by (node, code point).
   */
  static final class CodePointTrie {
    private static final long EMPTY = -1L;
    private long[] keys;
    private int[] child;
    private int mask;
    private int edges;
    private int[] value = new int[1024];
    private int nodes = 2;

    CodePointTrie(int expectedEdges) {
      int cap = Integer.highestOneBit(Math.max(16, expectedEdges) * 2 - 1) << 1;
      keys = new long[cap];
      Arrays.fill(keys, EMPTY);
      child = new int[cap];
      mask = cap - 1;
      Arrays.fill(value, -1);
    }

    private static int hash(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 29));
    }

    int child(int node, int cp) {
      long key = ((long) node << 21) | cp;
      int h = hash(key) & mask;
      while (true) {
        long k = keys[h];
        if (k == key) {
          return child[h];
        }
        if (k == EMPTY) {
          return -1;
        }
        h = (h + 1) & mask;
      }
    }

    void put(int root, String s, int from, int id) {
      int node = root;
      for (int i = from; i < s.length(); ) {
        int cp = s.codePointAt(i);
        i += Character.charCount(cp);
        int c = child(node, cp);
        if (c < 0) {
          c = newNode();
          insertEdge(node, cp, c);
        }
        node = c;
      }
      value[node] = id;
    }

    private int newNode() {
      if (nodes == value.length) {
        int old = value.length;
        value = Arrays.copyOf(value, old * 2);
        Arrays.fill(value, old, value.length, -1);
      }
      return nodes++;
    }

    private void insertEdge(int node, int cp, int c) {
      if ((edges + 1) * 2 > keys.length) {
        long[] oldKeys = keys;
        int[] oldChild = child;
        keys = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        child = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
          if (oldKeys[i] != EMPTY) {
            place(oldKeys[i], oldChild[i]);
          }
        }
      }
      place(((long) node << 21) | cp, c);
      edges++;
    }

    private void place(long key, int c) {
      int h = hash(key) & mask;
      while (keys[h] != EMPTY) {
        h = (h + 1) & mask;
      }
      keys[h] = key;
      child[h] = c;
    }

    /** The longest vocab entry from {@code root} that prefixes cps[from, to): (end << 32 | id), or -1. */
    long longest(int root, int[] cps, int from, int to) {
      int node = root;
      long best = -1;
      for (int i = from; i < to; i++) {
        node = child(node, cps[i]);
        if (node < 0) {
          break;
        }
        int v = value[node];
        if (v >= 0) {
          best = ((long) (i + 1) << 32) | v;
        }
      }
      return best;
    }
  }
}
