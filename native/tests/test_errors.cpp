// The C boundary: argument validation (no device needed: checks come before any CUDA call), thread-local
// messages, no-device and out-of-memory statuses, memory and stream round trips.
#include <string>
#include <thread>

#include "test_util.h"

using namespace dpt;

namespace {

// A non-NULL pointer that validation never dereferences.
template <class T = void>
T* fake() {
  return reinterpret_cast<T*>(uintptr_t(0x10000));
}

void expect_invalid(const char* what, int status, const char* needle) {
  const std::string msg = dp_last_error();
  EXPECT(status == DP_ERR_INVALID_ARGUMENT, "%s: status %d (message: %s)", what, status, msg.c_str());
  EXPECT(msg.find(needle) != std::string::npos, "%s: message '%s' does not mention '%s'", what, msg.c_str(), needle);
}

void validation() {
  float* f = fake<float>();
  int64_t* l = fake<int64_t>();
  int32_t* i32 = fake<int32_t>();
  uint8_t* u8 = fake<uint8_t>();
  void* v = fake();
  // flat
  expect_invalid("flat type", dp_scan_flat(7, v, f, f, 10, 8, f, 1, 1, f, l, nullptr), "type");
  expect_invalid("flat k=0", dp_scan_flat(DP_FP32, v, f, f, 10, 8, f, 1, 0, f, l, nullptr), "k must");
  expect_invalid("flat k>max", dp_scan_flat(DP_FP32, v, f, f, 10, 8, f, 1, DP_MAX_K + 1, f, l, nullptr), "k must");
  expect_invalid("flat dim=0", dp_scan_flat(DP_FP32, v, f, f, 10, 0, f, 1, 1, f, l, nullptr), "dim");
  expect_invalid("flat dim>max", dp_scan_flat(DP_FP32, v, f, f, 10, DP_MAX_DIM + 1, f, 1, 1, f, l, nullptr), "dim");
  expect_invalid("flat nq=0", dp_scan_flat(DP_FP32, v, f, f, 10, 8, f, 0, 1, f, l, nullptr), "num_queries");
  expect_invalid("flat n<0", dp_scan_flat(DP_FP32, v, f, f, -1, 8, f, 1, 1, f, l, nullptr), "num_vectors");
  expect_invalid("flat queries NULL", dp_scan_flat(DP_FP32, v, f, f, 10, 8, nullptr, 1, 1, f, l, nullptr), "d_queries");
  expect_invalid("flat codes NULL", dp_scan_flat(DP_FP32, nullptr, f, f, 10, 8, f, 1, 1, f, l, nullptr), "d_codes");
  expect_invalid("flat int8 scale", dp_scan_flat(DP_INT8, v, f, nullptr, 10, 8, f, 1, 1, f, l, nullptr), "INT8");
  expect_invalid("flat out NULL", dp_scan_flat(DP_FP32, v, f, f, 10, 8, f, 1, 1, nullptr, l, nullptr), "d_out");
  // ivf
  expect_invalid("ivf nlist", dp_scan_ivf(DP_FP16, v, f, f, 10, 8, l, 0, l, f, 1, i32, 1, f, 1, f, l, nullptr), "nlist");
  expect_invalid("ivf nprobe", dp_scan_ivf(DP_FP16, v, f, f, 10, 8, l, 4, l, f, 1, i32, 0, f, 1, f, l, nullptr), "nprobe");
  expect_invalid("ivf probes", dp_scan_ivf(DP_FP16, v, f, f, 10, 8, l, 4, l, f, 1, nullptr, 2, f, 1, f, l, nullptr), "d_probes");
  expect_invalid("ivf offsets", dp_scan_ivf(DP_FP16, v, f, f, 10, 8, nullptr, 4, l, f, 1, i32, 2, f, 1, f, l, nullptr), "d_list_offsets");
  // pq
  expect_invalid("pq m=0", dp_scan_ivf_pq(u8, 0, f, 10, 8, l, 4, l, f, 1, i32, 1, f, 1, f, l, nullptr), "m must");
  expect_invalid("pq m>max", dp_scan_ivf_pq(u8, DP_MAX_PQ_M + 1, f, 10, 8, l, 4, l, f, 1, i32, 1, f, 1, f, l, nullptr), "m must");
  expect_invalid("pq dim%m", dp_scan_ivf_pq(u8, 3, f, 10, 8, l, 4, l, f, 1, i32, 1, f, 1, f, l, nullptr), "multiple");
  expect_invalid("pq codebooks", dp_scan_ivf_pq(u8, 4, nullptr, 10, 8, l, 4, l, f, 1, i32, 1, f, 1, f, l, nullptr), "d_codebooks");
  // span
  auto span = [&](int type, int dim, int kc, int len, int dir, int k, const void* tok) {
    return dp_span_score(type, tok, f, f, 100, dim, l, 3, f, f, 2, l, kc, len, dir, k, l, f, l, l, f, nullptr);
  };
  expect_invalid("span type", span(9, 8, 4, 4, 0, 1, v), "type");
  expect_invalid("span cand=0", span(DP_FP16, 8, 0, 4, 0, 1, v), "num_candidates");
  expect_invalid("span cand>max", span(DP_FP16, 8, DP_MAX_CANDIDATES + 1, 4, 0, 1, v), "num_candidates");
  expect_invalid("span L=0", span(DP_FP16, 8, 4, 0, 0, 1, v), "max_len");
  expect_invalid("span L>max", span(DP_FP16, 8, 4, DP_MAX_ANSWER_LENGTH + 1, 0, 1, v), "max_len");
  expect_invalid("span direction", span(DP_FP16, 8, 4, 4, 2, 1, v), "direction");
  expect_invalid("span k", span(DP_FP16, 8, 4, 4, 0, 0, v), "k must");
  expect_invalid("span dim", span(DP_FP16, 0, 4, 4, 0, 1, v), "dim");
  expect_invalid("span tokens", span(DP_FP16, 8, 4, 4, 0, 1, nullptr), "d_tokens");
  // loss
  expect_invalid("loss batch", dp_inbatch_loss(f, f, f, f, f, f, 0, 0, 8, f, f, f, f, f, nullptr), "batch");
  expect_invalid("loss cache", dp_inbatch_loss(f, f, f, f, f, f, 2, -1, 8, f, f, f, f, f, nullptr), "cache");
  expect_invalid("loss dim", dp_inbatch_loss(f, f, f, f, f, f, 2, 0, 0, f, f, f, f, f, nullptr), "dim");
  expect_invalid("loss cache ptr", dp_inbatch_loss(f, f, f, f, nullptr, f, 2, 3, 8, f, f, f, f, f, nullptr), "cache");
  expect_invalid("loss d_loss", dp_inbatch_loss(f, f, f, f, f, f, 2, 0, 8, nullptr, f, f, f, f, nullptr), "d_loss");
  // bert encoder: create, set_tensor and encode check everything before any CUDA call
  {
    const dp_bert_config good{100, 64, 2, 4, 128, 32, 2, 1e-12f, 2};
    dp_bert* m = nullptr;
    auto bad = [&](const char* what, dp_bert_config c, const char* needle) {
      dp_bert* x = fake<dp_bert>();
      expect_invalid(what, dp_bert_create(&c, &x), needle);
      EXPECT(x == nullptr, "%s: a refused create must leave *out NULL", what);
    };
    dp_bert_config c = good;
    c.hidden_size = 0;
    bad("bert hidden 0", c, "hidden_size");
    c.hidden_size = 66;
    bad("bert hidden %4", c, "hidden_size");
    c = good;
    c.num_heads = 3;
    bad("bert heads", c, "num_heads");
    c = good;
    c.hidden_size = 512;
    c.num_heads = 2;
    bad("bert head dim", c, "head dimension");
    c = good;
    c.num_layers = 0;
    bad("bert layers", c, "num_layers");
    c = good;
    c.intermediate_size = 130;
    bad("bert intermediate", c, "intermediate_size");
    c = good;
    c.layer_norm_eps = 0.f;
    bad("bert eps", c, "layer_norm_eps");
    c = good;
    c.num_outputs = DP_BERT_MAX_OUTPUTS + 1;
    bad("bert outputs", c, "num_outputs");
    c = good;
    c.vocab_size = 0;
    bad("bert vocab", c, "vocab_size");
    expect_invalid("bert config NULL", dp_bert_create(nullptr, &m), "config");
    expect_invalid("bert out NULL", dp_bert_create(&good, nullptr), "out");
    EXPECT(dp_bert_create(&good, &m) == DP_OK && m != nullptr, "create without a device: %s", dp_last_error());
    float* f = fake<float>();
    expect_invalid("bert tensor name", dp_bert_set_tensor(m, "encoder.layer.2.output.dense.bias", f, 64), "unknown");
    expect_invalid("bert tensor head", dp_bert_set_tensor(m, "heads.2.weight", f, 64 * 64), "unknown");
    expect_invalid("bert tensor count", dp_bert_set_tensor(m, "embeddings.LayerNorm.bias", f, 65), "values");
    expect_invalid("bert tensor qkv count",
                   dp_bert_set_tensor(m, "encoder.layer.1.attention.self.key.weight", f, 64 * 64 * 3), "values");
    expect_invalid("bert tensor NULL", dp_bert_set_tensor(m, "embeddings.LayerNorm.bias", nullptr, 64), "h_values");
    expect_invalid("bert tensor name NULL", dp_bert_set_tensor(m, nullptr, f, 64), "name");
    expect_invalid("bert tensor model NULL", dp_bert_set_tensor(nullptr, "embeddings.LayerNorm.bias", f, 64), "model");
    int32_t ids[6] = {1, 2, 3, 4, 5, 6}, lens[2] = {3, 2}, types[6] = {0, 1, 0, 0, 0, 0};
    auto enc = [&](const int32_t* id, const int32_t* ty, const int32_t* ln, int batch, int seq, int out) {
      return dp_bert_encode(m, id, ty, ln, batch, seq, out, f, nullptr);
    };
    expect_invalid("bert batch 0", enc(ids, nullptr, lens, 0, 3, DP_BERT_FIRST), "batch");
    expect_invalid("bert batch max", enc(ids, nullptr, lens, DP_BERT_MAX_BATCH + 1, 3, DP_BERT_FIRST), "batch");
    expect_invalid("bert seq", enc(ids, nullptr, lens, 2, DP_BERT_MAX_SEQ + 1, DP_BERT_FIRST), "seq");
    expect_invalid("bert output", enc(ids, nullptr, lens, 2, 3, 2), "output");
    expect_invalid("bert ids NULL", enc(nullptr, nullptr, lens, 2, 3, DP_BERT_FIRST), "h_ids");
    expect_invalid("bert d_out NULL", dp_bert_encode(m, ids, nullptr, lens, 2, 3, 0, nullptr, nullptr), "d_out");
    lens[1] = 0;
    expect_invalid("bert length 0", enc(ids, nullptr, lens, 2, 3, DP_BERT_FIRST), "length 0 of row 1");
    lens[1] = 4;
    expect_invalid("bert length > seq", enc(ids, nullptr, lens, 2, 3, DP_BERT_FIRST), "length 4 of row 1");
    lens[1] = 2;
    ids[4] = 100;
    expect_invalid("bert id", enc(ids, nullptr, lens, 2, 3, DP_BERT_FIRST), "token id 100 at row 1, position 1");
    ids[4] = 5;
    types[1] = 2;
    expect_invalid("bert type", enc(ids, types, lens, 2, 3, DP_BERT_FIRST), "token type 2 at row 0, position 1");
    ids[2] = -7;  // row 0 position 2 is real (length 3)
    expect_invalid("bert negative id", enc(ids, nullptr, lens, 2, 3, DP_BERT_FIRST), "token id -7");
    ids[2] = 3;
    ids[5] = -1;  // row 1 position 2 is padding (length 2): never checked
    expect_invalid("bert unset weights", enc(ids, nullptr, lens, 2, 3, DP_BERT_FIRST), "never set");
    const dp_bert_config shortpos{100, 64, 1, 4, 128, 2, 2, 1e-12f, 0};
    dp_bert* sp = nullptr;
    OK(dp_bert_create(&shortpos, &sp));
    expect_invalid("bert positions", dp_bert_encode(sp, ids, nullptr, lens, 2, 3, 0, f, nullptr), "2 positions");
    OK(dp_bert_destroy(sp));
    OK(dp_bert_destroy(m));  // never allocated: no CUDA call
    OK(dp_bert_destroy(nullptr));
  }
  // memory
  expect_invalid("malloc NULL", dp_malloc(nullptr, 16), "d_ptr");
  expect_invalid("memcpy NULL", dp_memcpy_h2d(nullptr, v, 16, nullptr), "NULL");
  expect_invalid("memset NULL", dp_memset(nullptr, 0, 16, nullptr), "NULL");
  EXPECT(dp_memcpy_h2d(nullptr, nullptr, 0, nullptr) == DP_OK, "zero-byte copy must be a no-op");
  EXPECT(dp_abi_version() == DP_ABI_VERSION, "abi %d", dp_abi_version());

  // Messages are per thread.
  dp_scan_flat(DP_FP32, v, f, f, 10, 8, f, 1, 0, f, l, nullptr);
  const std::string mine = dp_last_error();
  std::string theirs;
  std::thread th([&] {
    dp_inbatch_loss(f, f, f, f, f, f, 0, 0, 8, f, f, f, f, f, nullptr);
    theirs = dp_last_error();
  });
  th.join();
  EXPECT(std::string(dp_last_error()) == mine, "this thread's message changed to '%s'", dp_last_error());
  EXPECT(theirs.find("batch") != std::string::npos, "other thread's message '%s'", theirs.c_str());
}

void device_checks() {
  int n = 0;
  OK(dp_device_count(&n));
  EXPECT(n >= 1, "device count %d", n);
  expect_invalid("device_info -1", dp_device_info(-1, nullptr, 0, nullptr, nullptr, nullptr, nullptr), "device");
  expect_invalid("set_device n", dp_set_device(n), "device");
  OK(dp_set_device(0));
  void* p = nullptr;
  int st = dp_malloc(&p, size_t(1) << 50);  // 1 PiB
  EXPECT(st == DP_ERR_OUT_OF_MEMORY, "1 PiB malloc: status %d (%s)", st, dp_last_error());
  EXPECT(p == nullptr, "failed malloc left a pointer");
  OK(dp_malloc(&p, 1 << 20));  // the failure was not sticky
  OK(dp_free(p));
  OK(dp_malloc(&p, 0));
  EXPECT(p == nullptr, "zero-byte malloc returns NULL");
  OK(dp_free(nullptr));
  size_t fr = 0, tot = 0;
  OK(dp_mem_info(&fr, &tot));
  EXPECT(fr > 0 && tot >= fr, "mem info %zu / %zu", fr, tot);
  void* s = nullptr;
  OK(dp_stream_create(&s));
  std::vector<int> h(1000), back(1000, 0);
  for (int i = 0; i < 1000; ++i) h[i] = i * 7 - 3;
  void *a = nullptr, *b = nullptr;
  OK(dp_malloc(&a, 4000));
  OK(dp_malloc(&b, 4000));
  OK(dp_memcpy_h2d(a, h.data(), 4000, s));
  OK(dp_memcpy_d2d(b, a, 4000, s));
  OK(dp_memcpy_d2h(back.data(), b, 4000, s));
  OK(dp_stream_synchronize(s));
  EXPECT(back == h, "round trip through a stream");
  OK(dp_memset(b, 0, 4000, s));
  OK(dp_memcpy_d2h(back.data(), b, 4000, s));
  OK(dp_stream_synchronize(s));
  EXPECT(back == std::vector<int>(1000, 0), "memset");
  OK(dp_free(a));
  OK(dp_free(b));
  OK(dp_stream_destroy(s));
}

}  // namespace

int main() {
  std::printf("test_errors\n");
  validation();
  int n = 0;
  const int st = dp_device_count(&n);
  if (st != DP_OK) {
    // Without a device every CUDA-touching call reports DP_ERR_NO_DEVICE with the driver's text.
    EXPECT(st == DP_ERR_NO_DEVICE, "device_count without a device: status %d (%s)", st, dp_last_error());
    void* p = nullptr;
    const int ms = dp_malloc(&p, 16);
    EXPECT(ms == DP_ERR_NO_DEVICE, "malloc without a device: status %d (%s)", ms, dp_last_error());
    if (failures()) return finish("test_errors");
    std::printf("validation checks passed; no device: %s; device checks skipped\n", dp_last_error());
    return kSkip;
  }
  device_checks();
  return finish("test_errors");
}
