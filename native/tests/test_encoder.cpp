// The BERT encoder (dp_bert_*) against a CPU reference forward in double precision: random small models (head
// dimensions 16, 32, 96 and 128; 0, 1 and 2 heads), batches with padding and garbage in the padding, both outputs
// (first token + heads, every token), both linear kernels (packed tokens below and above kBertSmallM = 256), rows
// up to 512 tokens (several key tiles), types given or NULL, a stream of its own.
// Tolerance: |gpu - ref| <= 1e-3 * max(1, |ref|) (fp32 on the device, typically ~1e-5 off).
#include <map>
#include <string>

#include "test_util.h"

using namespace dpt;

namespace {

struct Model {
  dp_bert_config cfg;
  std::map<std::string, std::vector<float>> t;  // name -> values (the names dp_bert_set_tensor takes)

  const std::vector<float>& at(const std::string& name) const { return t.at(name); }
};

Model random_model(int vocab, int h, int layers, int heads, int inter, int max_pos, int types, int outputs) {
  Model m;
  m.cfg = dp_bert_config{vocab, h, layers, heads, inter, max_pos, types, 1e-12f, outputs};
  auto dense = [&](const std::string& p, int out, int in) {
    m.t[p + ".weight"] = random_floats((size_t)out * in, 1.f / std::sqrt((float)in));
    m.t[p + ".bias"] = random_floats(out, 0.1f);
  };
  auto norm = [&](const std::string& p) {
    std::vector<float> g = random_floats(h, 0.1f);
    for (auto& v : g) v += 1.f;
    m.t[p + ".weight"] = g;
    m.t[p + ".bias"] = random_floats(h, 0.1f);
  };
  m.t["embeddings.word_embeddings.weight"] = random_floats((size_t)vocab * h);
  m.t["embeddings.position_embeddings.weight"] = random_floats((size_t)max_pos * h, 0.5f);
  m.t["embeddings.token_type_embeddings.weight"] = random_floats((size_t)types * h, 0.5f);
  norm("embeddings.LayerNorm");
  for (int l = 0; l < layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    dense(p + "attention.self.query", h, h);
    dense(p + "attention.self.key", h, h);
    dense(p + "attention.self.value", h, h);
    dense(p + "attention.output.dense", h, h);
    norm(p + "attention.output.LayerNorm");
    dense(p + "intermediate.dense", inter, h);
    dense(p + "output.dense", h, inter);
    norm(p + "output.LayerNorm");
  }
  for (int o = 0; o < outputs; ++o) dense("heads." + std::to_string(o), h, h);
  return m;
}

using Mat = std::vector<double>;  // row-major

// y (rows)(out) = x (rows)(in) W^T + b
Mat linear(const Mat& x, int rows, int in, const std::vector<float>& w, const std::vector<float>& b, int out) {
  Mat y((size_t)rows * out);
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < out; ++o) {
      double a = b[o];
      for (int k = 0; k < in; ++k) a += x[(size_t)r * in + k] * w[(size_t)o * in + k];
      y[(size_t)r * out + o] = a;
    }
  return y;
}

void layer_norm(Mat& x, int rows, int h, const std::vector<float>& g, const std::vector<float>& b, double eps) {
  for (int r = 0; r < rows; ++r) {
    double* v = &x[(size_t)r * h];
    double mean = 0, var = 0;
    for (int c = 0; c < h; ++c) mean += v[c];
    mean /= h;
    for (int c = 0; c < h; ++c) var += (v[c] - mean) * (v[c] - mean);
    var /= h;
    const double rstd = 1 / std::sqrt(var + eps);
    for (int c = 0; c < h; ++c) v[c] = (v[c] - mean) * rstd * g[c] + b[c];
  }
}

// The last hidden states (len)(h) of one row (HuggingFace BertModel, no padding).
Mat reference_row(const Model& m, const int32_t* ids, const int32_t* types, int len) {
  const dp_bert_config& c = m.cfg;
  const int h = c.hidden_size, d = h / c.num_heads, in = c.intermediate_size;
  const double eps = c.layer_norm_eps;
  Mat x((size_t)len * h);
  const auto& word = m.at("embeddings.word_embeddings.weight");
  const auto& pos = m.at("embeddings.position_embeddings.weight");
  const auto& typ = m.at("embeddings.token_type_embeddings.weight");
  for (int t = 0; t < len; ++t)
    for (int k = 0; k < h; ++k)
      x[(size_t)t * h + k] = (double)word[(size_t)ids[t] * h + k] + typ[(size_t)(types ? types[t] : 0) * h + k] +
                             pos[(size_t)t * h + k];
  layer_norm(x, len, h, m.at("embeddings.LayerNorm.weight"), m.at("embeddings.LayerNorm.bias"), eps);
  for (int l = 0; l < c.num_layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    auto lin = [&](const Mat& a, int inn, const std::string& name, int out) {
      return linear(a, len, inn, m.at(p + name + ".weight"), m.at(p + name + ".bias"), out);
    };
    const Mat q = lin(x, h, "attention.self.query", h), k = lin(x, h, "attention.self.key", h),
              v = lin(x, h, "attention.self.value", h);
    Mat ctx((size_t)len * h, 0.0);
    std::vector<double> s(len);
    for (int hd = 0; hd < c.num_heads; ++hd)
      for (int i = 0; i < len; ++i) {
        double mx = -1e300;
        for (int j = 0; j < len; ++j) {
          double a = 0;
          for (int e = 0; e < d; ++e) a += q[(size_t)i * h + hd * d + e] * k[(size_t)j * h + hd * d + e];
          s[j] = a / std::sqrt((double)d);
          mx = std::max(mx, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < len; ++j) sum += (s[j] = std::exp(s[j] - mx));
        for (int e = 0; e < d; ++e) {
          double a = 0;
          for (int j = 0; j < len; ++j) a += s[j] * v[(size_t)j * h + hd * d + e];
          ctx[(size_t)i * h + hd * d + e] = a / sum;
        }
      }
    Mat a = lin(ctx, h, "attention.output.dense", h);
    for (size_t i = 0; i < x.size(); ++i) x[i] += a[i];
    layer_norm(x, len, h, m.at(p + "attention.output.LayerNorm.weight"), m.at(p + "attention.output.LayerNorm.bias"),
               eps);
    Mat u = lin(x, h, "intermediate.dense", in);
    for (auto& e : u) e = 0.5 * e * (1 + std::erf(e / std::sqrt(2.0)));
    Mat dn = lin(u, in, "output.dense", h);
    for (size_t i = 0; i < x.size(); ++i) x[i] += dn[i];
    layer_norm(x, len, h, m.at(p + "output.LayerNorm.weight"), m.at(p + "output.LayerNorm.bias"), eps);
  }
  return x;
}

dp_bert* upload(const Model& m) {
  dp_bert* b = nullptr;
  OK(dp_bert_create(&m.cfg, &b));
  for (const auto& [name, v] : m.t) OK(dp_bert_set_tensor(b, name.c_str(), v.data(), (int64_t)v.size()));
  return b;
}

void expect_close(const char* what, int row, int col, float got, double ref, int& bad) {
  if (bad >= 5) return;
  if (!(std::fabs(got - ref) <= 1e-3 * std::max(1.0, std::fabs(ref)))) {
    EXPECT(false, "%s: row %d col %d: gpu %.7g, reference %.7g", what, row, col, got, ref);
    ++bad;
  }
}

// One batch: lengths given, the rest (ids, types, padding garbage) random; both outputs checked.
void run_case(const char* name, const Model& m, dp_bert* b, const std::vector<int>& lengths, int seq,
              bool with_types, void* stream) {
  const dp_bert_config& c = m.cfg;
  const int batch = (int)lengths.size(), h = c.hidden_size;
  std::vector<int32_t> ids((size_t)batch * seq), types((size_t)batch * seq);
  for (int r = 0; r < batch; ++r)
    for (int i = 0; i < seq; ++i) {
      const bool real = i < lengths[r];
      // padding holds ids and types the model would refuse: they must be neither read nor checked
      ids[(size_t)r * seq + i] = real ? (int32_t)randint(0, c.vocab_size - 1) : (int32_t)randint(-5, -1);
      types[(size_t)r * seq + i] = real ? (with_types ? (int32_t)randint(0, c.type_vocab_size - 1) : 0) : 99;
    }
  std::vector<Mat> ref(batch);
  for (int r = 0; r < batch; ++r)
    ref[r] = reference_row(m, &ids[(size_t)r * seq], &types[(size_t)r * seq], lengths[r]);
  const int outs = std::max(1, c.num_outputs);
  int bad = 0;
  {  // first token (+ heads)
    Dev<float> out((size_t)outs * batch * h);
    out.poison();
    OK(dp_bert_encode(b, ids.data(), with_types ? types.data() : nullptr, lengths.data(), batch, seq, DP_BERT_FIRST,
                      out.p, stream));
    OK(dp_stream_synchronize(stream));
    const std::vector<float> got = out.get();
    for (int r = 0; r < batch; ++r) {
      Mat first(ref[r].begin(), ref[r].begin() + h);
      for (int o = 0; o < outs; ++o) {
        Mat want = first;
        if (c.num_outputs > 0) {
          const std::string hn = "heads." + std::to_string(o);
          want = linear(first, 1, h, m.at(hn + ".weight"), m.at(hn + ".bias"), h);
        }
        for (int k = 0; k < h; ++k) expect_close(name, r, o * h + k, got[((size_t)o * batch + r) * h + k], want[k], bad);
      }
    }
  }
  {  // every token
    Dev<float> out((size_t)batch * seq * h);
    out.poison();
    OK(dp_bert_encode(b, ids.data(), with_types ? types.data() : nullptr, lengths.data(), batch, seq, DP_BERT_ALL,
                      out.p, stream));
    OK(dp_stream_synchronize(stream));
    const std::vector<float> got = out.get();
    for (int r = 0; r < batch; ++r)
      for (int i = 0; i < seq; ++i)
        for (int k = 0; k < h; ++k) {
          const float g = got[((size_t)r * seq + i) * h + k];
          if (i < lengths[r]) {
            expect_close(name, r, i * h + k, g, ref[r][(size_t)i * h + k], bad);
          } else if (g != 0.f && bad < 5) {
            EXPECT(false, "%s: row %d token %d (padding) col %d: %g, expected 0", name, r, i, k, g);
            ++bad;
          }
        }
  }
  std::printf("  %s: batch %d, seq %d, %d tokens: %s\n", name, batch, seq,
              [&] { int n = 0; for (int l : lengths) n += l; return n; }(), bad ? "FAILED" : "ok");
}

std::vector<int> random_lengths(int batch, int lo, int hi) {
  std::vector<int> l(batch);
  for (auto& v : l) v = (int)randint(lo, hi);
  return l;
}

void encoder_checks() {
  void* stream = nullptr;
  OK(dp_stream_create(&stream));
  {  // questions: 2 layers, 4 heads of 16, q_start/q_end heads
    const Model m = random_model(50, 64, 2, 4, 128, 64, 2, 2);
    dp_bert* b = upload(m);
    run_case("one question", m, b, {9}, 9, false, stream);
    run_case("padded", m, b, {5, 12, 1, 2}, 16, true, stream);
    run_case("batch 20", m, b, random_lengths(20, 4, 12), 12, false, nullptr);
    run_case("tiled (>256 tokens)", m, b, random_lengths(8, 40, 48), 48, true, stream);
    run_case("batch 64", m, b, random_lengths(64, 6, 24), 24, false, stream);
    OK(dp_bert_destroy(b));
  }
  {  // one head of 96 (3 lanes' worth of dims, the last partial), no heads, 3 token types
    const Model m = random_model(40, 96, 1, 1, 64, 600, 3, 0);
    dp_bert* b = upload(m);
    run_case("head dim 96", m, b, {7, 33, 3}, 40, true, stream);
    run_case("rows of 512", m, b, {512, 300}, 512, true, stream);
    OK(dp_bert_destroy(b));
  }
  {  // heads of 128 (the most), one output head, 3 layers
    const Model m = random_model(30, 256, 3, 2, 96, 32, 1, 1);
    dp_bert* b = upload(m);
    run_case("head dim 128", m, b, {32, 17, 1, 30, 8}, 32, false, stream);
    OK(dp_bert_destroy(b));
  }
  {  // MiniLM-like heads of 32 (12 of them), 2 outputs
    const Model m = random_model(60, 384, 1, 12, 256, 64, 2, 2);
    dp_bert* b = upload(m);
    run_case("heads of 32", m, b, {14, 9, 21}, 21, true, stream);
    OK(dp_bert_destroy(b));
  }
  {  // a model used before all its weights are set, a wrong size, an unknown name
    const Model m = random_model(20, 32, 1, 2, 32, 16, 2, 0);
    dp_bert* b = nullptr;
    OK(dp_bert_create(&m.cfg, &b));
    const auto& w = m.at("embeddings.word_embeddings.weight");
    OK(dp_bert_set_tensor(b, "embeddings.word_embeddings.weight", w.data(), (int64_t)w.size()));
    int32_t ids[2] = {1, 2}, len = 2;
    Dev<float> out(32);
    int st = dp_bert_encode(b, ids, nullptr, &len, 1, 2, DP_BERT_FIRST, out.p, stream);
    EXPECT(st == DP_ERR_INVALID_ARGUMENT && std::string(dp_last_error()).find("never set") != std::string::npos,
           "encode with missing weights: status %d (%s)", st, dp_last_error());
    OK(dp_bert_destroy(b));
  }
  OK(dp_stream_destroy(stream));
}

}  // namespace

int main() {
  std::printf("test_encoder\n");
  if (!have_device()) return kSkip;
  encoder_checks();
  return finish("test_encoder");
}
