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
