// Exported BERT encoder of densephrases.h (section 4): the model object (shape, weight slots, one device block of
// float32 weights), validation before any CUDA call, and the forward pass as a sequence of launches on the caller's
// stream (bert_kernels.cu): 1 (embeddings) + 7 per layer + 1 (heads, when the model has any) for DP_BERT_FIRST.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "../common/device.h"
#include "../common/status.h"
#include "bert_kernels.h"

using namespace dp;

namespace {

std::string str(int64_t v) { return std::to_string(v); }

struct LayerWeights {
  size_t qkv_w, qkv_b, out_w, out_b, ln1_g, ln1_b, up_w, up_b, down_w, down_b, ln2_g, ln2_b;
};

struct Slot {
  std::string name;
  size_t offset;  // floats into the device block
  size_t count;
  bool set;
};

}  // namespace

struct dp_bert {
  dp_bert_config cfg{};
  std::vector<Slot> slots;
  std::unordered_map<std::string, size_t> by_name;
  size_t total = 0;  // floats of the device block
  size_t word = 0, position = 0, type = 0, emb_g = 0, emb_b = 0, heads_w = 0, heads_b = 0;
  std::vector<LayerWeights> layers;
  float* d_weights = nullptr;  // allocated by the first dp_bert_set_tensor
  int device = -1;

  // Reserves `count` floats of the device block, 256-byte aligned, and returns the offset.
  size_t place(size_t count) {
    const size_t off = total;
    total += (count + 63) / 64 * 64;
    return off;
  }

  void slot(const std::string& name, size_t offset, size_t count) {
    by_name.emplace(name, slots.size());
    slots.push_back(Slot{name, offset, count, false});
  }

  const float* w(size_t offset) const { return d_weights + offset; }
};

namespace {

void check_config(const dp_bert_config* c) {
  DP_REQUIRE(c != nullptr, "config is NULL");
  DP_REQUIRE(c->vocab_size >= 1, "vocab_size must be >= 1, got " + str(c->vocab_size));
  DP_REQUIRE(c->hidden_size >= 4 && c->hidden_size <= DP_MAX_DIM && c->hidden_size % 4 == 0,
             "hidden_size must be a multiple of 4 in [4, " + str(DP_MAX_DIM) + "], got " + str(c->hidden_size));
  DP_REQUIRE(c->num_layers >= 1 && c->num_layers <= DP_BERT_MAX_LAYERS,
             "num_layers must be in [1, " + str(DP_BERT_MAX_LAYERS) + "], got " + str(c->num_layers));
  DP_REQUIRE(c->num_heads >= 1 && c->hidden_size % c->num_heads == 0,
             "num_heads must divide hidden_size " + str(c->hidden_size) + ", got " + str(c->num_heads));
  DP_REQUIRE(c->hidden_size / c->num_heads <= DP_BERT_MAX_HEAD_DIM,
             "head dimension hidden_size / num_heads = " + str(c->hidden_size / c->num_heads) + " exceeds " +
                 str(DP_BERT_MAX_HEAD_DIM));
  DP_REQUIRE(c->intermediate_size >= 4 && c->intermediate_size <= 4 * DP_MAX_DIM && c->intermediate_size % 4 == 0,
             "intermediate_size must be a multiple of 4 in [4, " + str(4 * DP_MAX_DIM) + "], got " +
                 str(c->intermediate_size));
  DP_REQUIRE(c->max_positions >= 1, "max_positions must be >= 1, got " + str(c->max_positions));
  DP_REQUIRE(c->type_vocab_size >= 1, "type_vocab_size must be >= 1, got " + str(c->type_vocab_size));
  DP_REQUIRE(c->layer_norm_eps > 0.f && c->layer_norm_eps < 1e-2f,
             "layer_norm_eps must be in (0, 1e-2), got " + std::to_string(c->layer_norm_eps));
  DP_REQUIRE(c->num_outputs >= 0 && c->num_outputs <= DP_BERT_MAX_OUTPUTS,
             "num_outputs must be in [0, " + str(DP_BERT_MAX_OUTPUTS) + "], got " + str(c->num_outputs));
}

// The weight slots and device layout of a validated shape.
void lay_out(dp_bert& m) {
  const dp_bert_config& c = m.cfg;
  const size_t h = c.hidden_size, in = c.intermediate_size;
  // One weight of its own: placed in the block and named.
  auto own = [&m](const std::string& name, size_t count) {
    const size_t offset = m.place(count);
    m.slot(name, offset, count);
    return offset;
  };
  m.word = own("embeddings.word_embeddings.weight", (size_t)c.vocab_size * h);
  m.position = own("embeddings.position_embeddings.weight", (size_t)c.max_positions * h);
  m.type = own("embeddings.token_type_embeddings.weight", (size_t)c.type_vocab_size * h);
  m.emb_g = own("embeddings.LayerNorm.weight", h);
  m.emb_b = own("embeddings.LayerNorm.bias", h);
  const char* qkv[3] = {"query", "key", "value"};
  for (int l = 0; l < c.num_layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    LayerWeights lw{};
    lw.qkv_w = m.place(3 * h * h);  // [query; key; value] stacked: one (3h)(h) linear layer
    lw.qkv_b = m.place(3 * h);
    for (int k = 0; k < 3; ++k) {
      m.slot(p + "attention.self." + qkv[k] + ".weight", lw.qkv_w + k * h * h, h * h);
      m.slot(p + "attention.self." + qkv[k] + ".bias", lw.qkv_b + k * h, h);
    }
    lw.out_w = own(p + "attention.output.dense.weight", h * h);
    lw.out_b = own(p + "attention.output.dense.bias", h);
    lw.ln1_g = own(p + "attention.output.LayerNorm.weight", h);
    lw.ln1_b = own(p + "attention.output.LayerNorm.bias", h);
    lw.up_w = own(p + "intermediate.dense.weight", in * h);
    lw.up_b = own(p + "intermediate.dense.bias", in);
    lw.down_w = own(p + "output.dense.weight", h * in);
    lw.down_b = own(p + "output.dense.bias", h);
    lw.ln2_g = own(p + "output.LayerNorm.weight", h);
    lw.ln2_b = own(p + "output.LayerNorm.bias", h);
    m.layers.push_back(lw);
  }
  if (c.num_outputs > 0) {
    m.heads_w = m.place((size_t)c.num_outputs * h * h);  // heads stacked: one (outputs * h)(h) linear layer
    m.heads_b = m.place((size_t)c.num_outputs * h);
    for (int o = 0; o < c.num_outputs; ++o) {
      m.slot("heads." + std::to_string(o) + ".weight", m.heads_w + o * h * h, h * h);
      m.slot("heads." + std::to_string(o) + ".bias", m.heads_b + o * h, h);
    }
  }
}

// Bytes rounded up to 256 (each activation starts aligned).
size_t aligned(size_t floats) { return (floats * sizeof(float) + 255) / 256 * 256; }

}  // namespace

extern "C" DP_API int dp_bert_create(const dp_bert_config* config, dp_bert** out) {
  return guarded("dp_bert_create", [&] {
    DP_REQUIRE(out != nullptr, "out is NULL");
    *out = nullptr;
    check_config(config);
    dp_bert* m = new dp_bert();
    try {
      m->cfg = *config;
      lay_out(*m);
    } catch (...) {
      delete m;
      throw;
    }
    *out = m;
    return DP_OK;
  });
}

extern "C" DP_API int dp_bert_set_tensor(dp_bert* model, const char* name, const float* h_values, int64_t count) {
  return guarded("dp_bert_set_tensor", [&] {
    DP_REQUIRE(model != nullptr, "model is NULL");
    DP_REQUIRE(name != nullptr, "name is NULL");
    auto it = model->by_name.find(name);
    DP_REQUIRE(it != model->by_name.end(), std::string("unknown tensor '") + name + "' for a model of " +
                                               str(model->cfg.num_layers) + " layers and " +
                                               str(model->cfg.num_outputs) + " heads");
    Slot& s = model->slots[it->second];
    DP_REQUIRE(count >= 0 && (size_t)count == s.count,
               "tensor " + s.name + " has " + str((int64_t)s.count) + " values, got " + str(count));
    DP_REQUIRE(h_values != nullptr, "h_values is NULL");
    if (model->d_weights == nullptr) {
      int dev = 0;
      DP_CUDA(cudaGetDevice(&dev));
      void* p = nullptr;
      const cudaError_t err = cudaMalloc(&p, model->total * sizeof(float));
      if (err != cudaSuccess) {
        (void)cudaGetLastError();  // an allocation failure is not sticky: clear it like dp_malloc
        check_cuda(err, "cudaMalloc of the model's weights");
      }
      model->d_weights = static_cast<float*>(p);
      model->device = dev;
    }
    DP_CUDA(cudaMemcpy(model->d_weights + s.offset, h_values, s.count * sizeof(float), cudaMemcpyHostToDevice));
    s.set = true;
    return DP_OK;
  });
}

extern "C" DP_API int dp_bert_encode(const dp_bert* model, const int32_t* h_ids, const int32_t* h_types,
                                     const int32_t* h_lengths, int batch, int seq, int output, float* d_out,
                                     void* stream) {
  return guarded("dp_bert_encode", [&] {
    DP_REQUIRE(model != nullptr, "model is NULL");
    DP_REQUIRE(batch >= 1 && batch <= DP_BERT_MAX_BATCH,
               "batch must be in [1, " + str(DP_BERT_MAX_BATCH) + "], got " + str(batch));
    DP_REQUIRE(seq >= 1 && seq <= DP_BERT_MAX_SEQ, "seq must be in [1, " + str(DP_BERT_MAX_SEQ) + "], got " +
                                                       str(seq));
    DP_REQUIRE(output == DP_BERT_FIRST || output == DP_BERT_ALL,
               "output must be DP_BERT_FIRST (0) or DP_BERT_ALL (1), got " + str(output));
    DP_REQUIRE(h_ids != nullptr && h_lengths != nullptr, "h_ids or h_lengths is NULL");
    DP_REQUIRE(d_out != nullptr, "d_out is NULL");
    const dp_bert_config& c = model->cfg;
    const int max_len = std::min(seq, c.max_positions);
    // Packed token metadata: ids (n), types (n), positions (n), row offsets (batch + 1).
    std::vector<int32_t> off(batch + 1, 0);
    int longest = 0;
    for (int b = 0; b < batch; ++b) {
      const int len = h_lengths[b];
      DP_REQUIRE(len >= 1 && len <= max_len, "length " + str(len) + " of row " + str(b) + " is outside [1, " +
                                                 str(max_len) + "] (seq " + str(seq) + ", the model's " +
                                                 str(c.max_positions) + " positions)");
      off[b + 1] = off[b] + len;
      longest = std::max(longest, len);
    }
    const int n = off[batch];
    std::vector<int32_t> meta((size_t)3 * n + batch + 1);
    int32_t* ids = meta.data();
    int32_t* types = ids + n;
    int32_t* pos = types + n;
    for (int b = 0; b < batch; ++b) {
      for (int i = 0; i < h_lengths[b]; ++i) {
        const size_t src = (size_t)b * seq + i;
        const int32_t id = h_ids[src], ty = h_types != nullptr ? h_types[src] : 0;
        DP_REQUIRE(id >= 0 && id < c.vocab_size, "token id " + str(id) + " at row " + str(b) + ", position " +
                                                     str(i) + " is outside the vocabulary (" + str(c.vocab_size) +
                                                     ")");
        DP_REQUIRE(ty >= 0 && ty < c.type_vocab_size, "token type " + str(ty) + " at row " + str(b) +
                                                          ", position " + str(i) + " is outside [0, " +
                                                          str(c.type_vocab_size) + ")");
        ids[off[b] + i] = id;
        types[off[b] + i] = ty;
        pos[off[b] + i] = i;
      }
    }
    std::copy(off.begin(), off.end(), pos + n);
    for (const Slot& w : model->slots) DP_REQUIRE(w.set, "tensor " + w.name + " was never set (dp_bert_set_tensor)");

    int dev = 0;
    DP_CUDA(cudaGetDevice(&dev));
    DP_REQUIRE(dev == model->device, "the model's weights are on device " + str(model->device) +
                                         ", the calling thread's current device is " + str(dev));
    cudaStream_t s = to_stream(stream);
    const int h = c.hidden_size, in = c.intermediate_size, heads = c.num_heads;
    const float eps = c.layer_norm_eps;
    const bool first = output == DP_BERT_FIRST;
    const size_t meta_bytes = aligned((meta.size() + 3) / 4 * 4);
    const size_t x_b = aligned((size_t)n * h), qkv_b = aligned((size_t)n * 3 * h), in_b = aligned((size_t)n * in),
                 fst_b = first ? aligned((size_t)batch * h) : 0;
    // x, qkv, ctx, tmp (n)(h) each but qkv (n)(3h), inter (n)(in), first-token rows (batch)(h); n >= batch.
    TempBuffer work(meta_bytes + 3 * x_b + qkv_b + in_b + fst_b, s);
    char* base = work.as<char>();
    int32_t* d_meta = reinterpret_cast<int32_t*>(base);
    float* x = reinterpret_cast<float*>(base + meta_bytes);
    float* qkv = reinterpret_cast<float*>(base + meta_bytes + x_b);
    float* ctx = reinterpret_cast<float*>(base + meta_bytes + x_b + qkv_b);
    float* tmp = reinterpret_cast<float*>(base + meta_bytes + 2 * x_b + qkv_b);
    float* inter = reinterpret_cast<float*>(base + meta_bytes + 3 * x_b + qkv_b);
    float* fst = first ? reinterpret_cast<float*>(base + meta_bytes + 3 * x_b + qkv_b + in_b) : nullptr;
    const int32_t* d_ids = d_meta;
    const int32_t* d_types = d_meta + n;
    const int32_t* d_pos = d_meta + 2 * n;
    const int32_t* d_off = d_meta + 3 * n;
    // Pageable source: the copy is staged before cudaMemcpyAsync returns, so `meta` may die with this scope.
    DP_CUDA(cudaMemcpyAsync(d_meta, meta.data(), meta.size() * sizeof(int32_t), cudaMemcpyHostToDevice, s));

    const dp_bert& m = *model;
    dp_run_bert_embed(d_ids, d_types, d_pos, n, h, m.w(m.word), m.w(m.position), m.w(m.type), m.w(m.emb_g),
                      m.w(m.emb_b), eps, x, s);
    for (int l = 0; l < c.num_layers; ++l) {
      const LayerWeights& L = m.layers[l];
      dp_run_bert_linear(x, n, h, m.w(L.qkv_w), m.w(L.qkv_b), 3 * h, false, 3 * h, qkv, s);
      if (!(first && l == c.num_layers - 1)) {
        dp_run_bert_attention(qkv, d_off, batch, longest, h, heads, false, ctx, s);
        dp_run_bert_linear(ctx, n, h, m.w(L.out_w), m.w(L.out_b), h, false, h, tmp, s);
        dp_run_bert_add_norm(tmp, x, nullptr, n, h, m.w(L.ln1_g), m.w(L.ln1_b), eps, x, s);
        dp_run_bert_linear(x, n, h, m.w(L.up_w), m.w(L.up_b), in, true, in, inter, s);
        dp_run_bert_linear(inter, n, in, m.w(L.down_w), m.w(L.down_b), h, false, h, tmp, s);
        dp_run_bert_add_norm(tmp, x, nullptr, n, h, m.w(L.ln2_g), m.w(L.ln2_b), eps, x, s);
        continue;
      }
      // Last layer, first token only: its attention row, then the rest of the layer on one row per batch row
      // (the residual of row b is token off[b] of x).
      // Without heads the last LayerNorm writes d_out itself (no alignment asked of d_out: only the linear
      // kernels read float4s, and they read fst).
      dp_run_bert_attention(qkv, d_off, batch, longest, h, heads, true, ctx, s);
      dp_run_bert_linear(ctx, batch, h, m.w(L.out_w), m.w(L.out_b), h, false, h, tmp, s);
      dp_run_bert_add_norm(tmp, x, d_off, batch, h, m.w(L.ln1_g), m.w(L.ln1_b), eps, fst, s);
      dp_run_bert_linear(fst, batch, h, m.w(L.up_w), m.w(L.up_b), in, true, in, inter, s);
      dp_run_bert_linear(inter, batch, in, m.w(L.down_w), m.w(L.down_b), h, false, h, tmp, s);
      dp_run_bert_add_norm(tmp, fst, nullptr, batch, h, m.w(L.ln2_g), m.w(L.ln2_b), eps,
                           c.num_outputs > 0 ? fst : d_out, s);
    }
    if (first && c.num_outputs > 0) {
      dp_run_bert_linear(fst, batch, h, m.w(m.heads_w), m.w(m.heads_b), c.num_outputs * h, false, h, d_out, s);
    } else if (!first) {
      dp_run_bert_unpack(x, d_off, batch, seq, h, d_out, s);
    }
    return DP_OK;
  });
}

extern "C" DP_API int dp_bert_destroy(dp_bert* model) {
  return guarded("dp_bert_destroy", [&] {
    if (model == nullptr) return DP_OK;
    float* p = model->d_weights;
    delete model;
    if (p != nullptr) DP_CUDA(cudaFree(p));  // cudaFree waits for work that may still read the weights
    return DP_OK;
  });
}
