// dp_bench: times every kernel of libdensephrases and the lab's variants (lab.h: the library's planners under the
// lab's knobs, variant kernels from variants/) with CUDA events (median of many runs after warm-up) and the
// device's copy / read bandwidth, printing one JSON object per result on lines starting with "RESULT ".
//
//   dp_bench [--group bandwidth|flat|lab|ivf|pq|span|loss|all] [--quick]
//
// Inputs are generated on the device by hash kernels (never zeros, never from the host), large enough to exceed
// L2 (50 MB) or rotated among several sets where one set is small. Names of results match
// benchmarks/gpu/torch_baseline.py, which times the same computations in torch.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "densephrases.h"
#include "lab.h"

namespace {

#define CK(call)                                                                                  \
  do {                                                                                            \
    cudaError_t e_ = (call);                                                                      \
    if (e_ != cudaSuccess) {                                                                      \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(2);                                                                               \
    }                                                                                             \
  } while (0)

#define DP(call)                                                                                           \
  do {                                                                                                     \
    int s_ = (call);                                                                                       \
    if (s_ != DP_OK) {                                                                                     \
      std::fprintf(stderr, "%s:%d %s: status %d: %s\n", __FILE__, __LINE__, #call, s_, dp_last_error()); \
      std::exit(3);                                                                                        \
    }                                                                                                      \
  } while (0)

bool quick = false;
double copy_gbps = 0, read_gbps = 0;

// ------------------------------------------------------------------ device data

__device__ __forceinline__ uint32_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return (uint32_t)x;
}

// Random bytes (INT8 codes, PQ codes).
__global__ void fill_bytes(uint32_t* p, size_t n32, uint64_t seed) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n32; i += (size_t)gridDim.x * blockDim.x)
    p[i] = mix(seed * 0x9e3779b97f4a7c15ull + i);
}

// Uniform(-a, a) halves.
__global__ void fill_half(__half* p, size_t n, uint64_t seed, float a) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
    p[i] = __float2half((mix(seed * 0x9e3779b97f4a7c15ull + i) * 2.3283064e-10f * 2.f - 1.f) * a);
}

// Uniform(-a, a) floats.
__global__ void fill_float(float* p, size_t n, uint64_t seed, float a) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
    p[i] = (mix(seed * 0x9e3779b97f4a7c15ull + i) * 2.3283064e-10f * 2.f - 1.f) * a;
}

// Read-only pass over n 16-byte words: the read-bandwidth ceiling.
__global__ void read_all(const uint4* __restrict__ p, size_t n, uint32_t* sink) {
  uint32_t acc = 0;
  const size_t stride = (size_t)gridDim.x * blockDim.x;
  size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
  for (; i + 3 * stride < n; i += 4 * stride) {
    uint4 a = __ldcs(p + i), b = __ldcs(p + i + stride), c = __ldcs(p + i + 2 * stride), d = __ldcs(p + i + 3 * stride);
    acc ^= a.x ^ a.y ^ a.z ^ a.w ^ b.x ^ b.y ^ b.z ^ b.w ^ c.x ^ c.y ^ c.z ^ c.w ^ d.x ^ d.y ^ d.z ^ d.w;
  }
  for (; i < n; i += stride) {
    uint4 a = __ldcs(p + i);
    acc ^= a.x ^ a.y ^ a.z ^ a.w;
  }
  if (acc == 0x9e3779b9u) sink[0] = acc;  // practically never; keeps the loads
}

int grid_for(size_t n) { return (int)std::min<size_t>((n + 255) / 256, 132 * 16); }

void rand_bytes(void* p, size_t bytes, uint64_t seed) {
  fill_bytes<<<grid_for(bytes / 4), 256>>>(static_cast<uint32_t*>(p), bytes / 4, seed);
  CK(cudaGetLastError());
}
void rand_half(void* p, size_t n, uint64_t seed, float a = 1.f) {
  fill_half<<<grid_for(n), 256>>>(static_cast<__half*>(p), n, seed, a);
  CK(cudaGetLastError());
}
void rand_float(float* p, size_t n, uint64_t seed, float a = 1.f) {
  fill_float<<<grid_for(n), 256>>>(p, n, seed, a);
  CK(cudaGetLastError());
}

template <class T>
T* dalloc(size_t n) {
  void* p = nullptr;
  CK(cudaMalloc(&p, std::max<size_t>(1, n * sizeof(T))));
  return static_cast<T*>(p);
}

template <class T>
T* upload(const std::vector<T>& h) {
  T* d = dalloc<T>(h.size());
  CK(cudaMemcpy(d, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
  return d;
}

// ------------------------------------------------------------------ timing and output

// Median milliseconds of `reps` runs of f(i) after `warm` runs, each timed with its own events.
template <class F>
double time_ms(F&& f, int warm, int reps) {
  for (int i = 0; i < warm; ++i) f(i);
  CK(cudaDeviceSynchronize());
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  std::vector<float> t;
  for (int i = 0; i < reps; ++i) {
    CK(cudaEventRecord(a));
    f(warm + i);
    CK(cudaEventRecord(b));
    CK(cudaEventSynchronize(b));
    float ms = 0;
    CK(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms);
  }
  CK(cudaEventDestroy(a));
  CK(cudaEventDestroy(b));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// Repetitions for a run of about `est_ms`: enough for a stable median, bounded total time.
int reps_for(double est_ms) {
  int r = (int)(600.0 / std::max(est_ms, 0.01));
  return std::max(quick ? 3 : 7, std::min(r, quick ? 10 : 50));
}

// chosen: 1 = this variant is what the library runs by default for this row, 0 = a lab variant, -1 = not said
// (report.py then takes the variant without a bracketed label).
void result(const char* group, const std::string& name, const char* variant, double ms, double bytes,
            double flops, const std::string& note = "", int chosen = -1) {
  const double gbps = bytes > 0 ? bytes / (ms * 1e6) : 0;
  const double tflops = flops > 0 ? flops / (ms * 1e9) : 0;
  std::printf(
      "RESULT {\"group\": \"%s\", \"name\": \"%s\", \"variant\": \"%s\", \"ms\": %.5f, \"bytes\": %.0f, "
      "\"gbps\": %.1f, \"pct_copy\": %.1f, \"pct_read\": %.1f, \"flops\": %.0f, \"tflops\": %.2f, \"note\": \"%s\"%s}\n",
      group, name.c_str(), variant, ms, bytes, gbps, copy_gbps > 0 ? 100 * gbps / copy_gbps : 0,
      read_gbps > 0 ? 100 * gbps / read_gbps : 0, flops, tflops, note.c_str(),
      chosen < 0 ? "" : chosen ? ", \"chosen\": true" : ", \"chosen\": false");
  std::fflush(stdout);
}

std::string fmt(const char* f, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// ------------------------------------------------------------------ groups

void bandwidth() {
  const size_t bytes = (quick ? 1ull : 4ull) << 30;
  void *a = dalloc<char>(bytes), *b = dalloc<char>(bytes);
  rand_bytes(a, bytes, 1);
  rand_bytes(b, bytes, 2);
  double ms = time_ms([&](int) { CK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice)); }, 2, quick ? 5 : 20);
  copy_gbps = 2.0 * bytes / (ms * 1e6);
  result("bandwidth", fmt("copy d2d %.0f GiB", bytes / 1073741824.0), "cudaMemcpy", ms, 2.0 * bytes, 0,
         "read + write bytes");
  uint32_t* sink = dalloc<uint32_t>(1);
  const size_t n16 = bytes / 16;
  ms = time_ms([&](int) { read_all<<<132 * 8, 512>>>(static_cast<const uint4*>(a), n16, sink); }, 2, quick ? 5 : 20);
  read_gbps = (double)bytes / (ms * 1e6);
  result("bandwidth", fmt("read %.0f GiB", bytes / 1073741824.0), "read kernel", ms, (double)bytes, 0,
         "read bytes only");
  CK(cudaFree(a));
  CK(cudaFree(b));
  CK(cudaFree(sink));
}

// What a dense scan of this shape runs under the tuning `t` (scan_api.cpp's decisions), as labelled knobs.
struct Plan {
  std::string kernel;  // "CUDA cores", "fp16 kernel", "s8 x2", "s8 x3"
  bool pipe = false, select = false, l2pf = false, v2 = false, f32c = false, sample = false;
  int qtile = 0, blocks_per_sm = 1;
};

Plan plan_of(const dp::Tuning& t, int type, int nq, int k, bool ivf) {
  Plan p;
  // the sampled-threshold path of large-k flat scans (the bench's sizes are far above its minimum sample)
  p.sample = !ivf && t.scan_sample_min_k > 0 && k >= t.scan_sample_min_k;
  const int row_ok = type != DP_FP32;  // the bench's rows are 64-byte multiples
  if (t.scan_force_generic || !row_ok) {
    p.kernel = "CUDA cores";
    p.f32c = type == DP_FP32 && t.scan_f32_coalesced;  // the bench's FP32 rows are 64-byte multiples
    return p;
  }
  if (type == DP_INT8 && (t.scan_s8_pieces == 2 || t.scan_s8_pieces == 3) && (!ivf || t.scan_s8_ivf) &&
      nq >= t.scan_s8_min_queries) {
    p.kernel = t.scan_s8_pieces == 2 ? "s8 x2" : "s8 x3";
    p.pipe = t.scan_s8_pieces == 2 && t.scan_s8_pipelined;
    p.select = t.topk_select && k >= t.topk_select_min_k;
    p.l2pf = t.scan_l2_prefetch;
    p.qtile = ivf ? 1 : std::min(std::min(nq, 32), std::max(1, t.scan_s8_max_queries_per_block));
  } else {
    p.kernel = "fp16 kernel";
    p.select = t.topk_select && k >= t.topk_select_min_k_mma;
    p.v2 = t.scan_pipelined;
    p.qtile = ivf ? 1 : std::min(std::min(nq, 16), std::max(1, t.scan_max_queries_per_block));
  }
  p.blocks_per_sm = ivf ? 0 : t.scan_flat_blocks_per_sm;
  return p;
}

// The label of a variant: what its plan does differently from the library's default plan for the same shape
// (empty: it is the default, the row's chosen kernel).
std::string plan_label(const dp::Tuning& t, int type, int nq, int k, bool ivf) {
  const Plan a = plan_of(t, type, nq, k, ivf), d = plan_of(dp::Tuning{}, type, nq, k, ivf);
  std::vector<std::string> parts;
  if (a.kernel != d.kernel) parts.push_back(a.kernel == "CUDA cores" ? "forced" : a.kernel);
  if (a.pipe != d.pipe) parts.push_back(a.pipe ? "pipelined loads" : "no pipelined loads");
  if (a.select != d.select) parts.push_back(a.select ? "select" : "no select");
  if (a.qtile != d.qtile && a.qtile > 0) parts.push_back(fmt("query tile %d", a.qtile));
  if (a.l2pf != d.l2pf) parts.push_back(a.l2pf ? "L2 prefetch" : "no L2 prefetch");
  if (a.v2 != d.v2) parts.push_back(a.v2 ? "v2 pipelined loop" : "v1 loop");
  if (a.f32c != d.f32c) parts.push_back(a.f32c ? "coalesced" : "one row per lane");
  if (a.sample != d.sample) parts.push_back(a.sample ? "sampled threshold" : "no sample");
  if (a.blocks_per_sm != d.blocks_per_sm) parts.push_back(a.blocks_per_sm == 0 ? "blocks/SM as fit" : "1 block/SM");
  std::string l;
  for (const auto& x : parts) l += (l.empty() ? "" : ", ") + x;
  return l.empty() ? l : "[" + l + "]";
}

// One flat scan, timed under the tuning `t` (the library's defaults unless a variant changes them). The label
// is plan_label's unless `label` is given (the older flat group names its own variants).
void flat_one(int type, int64_t n, int dim, const void* codes, const float* off, const float* sc, int nq, int k,
              const dp::Tuning& t = dp::Tuning{}, const char* label = nullptr) {
  float* q = dalloc<float>((size_t)nq * dim);
  rand_float(q, (size_t)nq * dim, 77 + nq);
  float* os = dalloc<float>((size_t)nq * k);
  int64_t* oi = dalloc<int64_t>((size_t)nq * k);
  dp::tuning() = t;
  auto run = [&](int) { DP(dp::lab_scan_flat(type, codes, off, sc, n, dim, q, nq, k, os, oi, nullptr)); };
  run(0);
  CK(cudaDeviceSynchronize());
  // a sanity look at the answer: the best score of query 0 is finite
  float top = 0;
  CK(cudaMemcpy(&top, os, 4, cudaMemcpyDeviceToHost));
  const double est = time_ms(run, 0, 1);
  const double ms = time_ms(run, 1, reps_for(est));
  const int es = type == DP_FP32 ? 4 : type == DP_FP16 ? 2 : 1;
  const double bytes = (double)n * dim * es;
  const char* tn = type == DP_FP32 ? "fp32" : type == DP_FP16 ? "fp16" : "int8";
  const Plan pl = plan_of(t, type, nq, k, false);
  std::string variant = pl.kernel == "CUDA cores" ? "ours (CUDA cores)"
                        : pl.kernel == "fp16 kernel" ? "ours (tensor cores)"
                                                     : "ours (int8 tensor cores)";
  const std::string auto_label = plan_label(t, type, nq, k, false);
  if (label) variant += std::string(" ") + label;
  else if (!auto_label.empty()) variant += " " + auto_label;
  result("flat", fmt("flat %s n=%lld d=%d nq=%d k=%d", tn, (long long)n, dim, nq, k), variant.c_str(), ms, bytes,
         2.0 * n * dim * nq, std::isfinite(top) ? "" : "NON-FINITE TOP SCORE", auto_label.empty() ? 1 : 0);
  dp::tuning() = dp::Tuning{};
  CK(cudaFree(q));
  CK(cudaFree(os));
  CK(cudaFree(oi));
}

// The tensor-core variants timed beside the default (v1 burst loop, one block per SM): the v2 pipelined loop, and
// each with as many blocks per SM as fit (run 2's default was v2 with two blocks per SM).
void flat_variants(int type, int64_t n, int dim, const void* codes, const float* off, const float* sc, int nq) {
  dp::Tuning v2;
  v2.scan_s8_pieces = 0;  // loops of the fp16 tensor-core kernel
  v2.scan_pipelined = true;
  dp::Tuning v1_two;
  v1_two.scan_s8_pieces = 0;
  v1_two.scan_flat_blocks_per_sm = 0;
  dp::Tuning v2_two = v2;
  v2_two.scan_flat_blocks_per_sm = 0;
  flat_one(type, n, dim, codes, off, sc, nq, 100, v2);
  flat_one(type, n, dim, codes, off, sc, nq, 100, v1_two);
  flat_one(type, n, dim, codes, off, sc, nq, 100, v2_two);
}

void flat() {
  const int dim = 768;
  dp::Tuning generic;
  generic.scan_force_generic = true;
  dp::Tuning qtile8;
  qtile8.scan_s8_pieces = 0;  // the fp16 kernel's query tile
  qtile8.scan_max_queries_per_block = 8;
  {  // INT8, 50M x 768 = 38.4 GB
    const int64_t n = quick ? 2000000 : 50000000;
    int8_t* codes = dalloc<int8_t>((size_t)n * dim);
    rand_bytes(codes, (size_t)n * dim, 11);
    float *off = dalloc<float>(dim), *sc = dalloc<float>(dim);
    rand_float(off, dim, 12, 0.1f);
    rand_float(sc, dim, 13, 0.01f);
    for (int nq : {1, 16, 64}) flat_one(DP_INT8, n, dim, codes, off, sc, nq, 100);
    flat_one(DP_INT8, n, dim, codes, off, sc, 16, 1000);
    flat_one(DP_INT8, n, dim, codes, off, sc, 16, 1);
    flat_one(DP_INT8, n, dim, codes, off, sc, 16, 100, qtile8);
    flat_variants(DP_INT8, n, dim, codes, off, sc, 16);
    flat_variants(DP_INT8, n, dim, codes, off, sc, 1);
    flat_one(DP_INT8, n, dim, codes, off, sc, 1, 100, generic);
    flat_one(DP_INT8, n, dim, codes, off, sc, 16, 100, generic);
    CK(cudaFree(codes));
    CK(cudaFree(off));
    CK(cudaFree(sc));
  }
  {  // FP16, 25M x 768 = 38.4 GB
    const int64_t n = quick ? 1000000 : 25000000;
    __half* codes = dalloc<__half>((size_t)n * dim);
    rand_half(codes, (size_t)n * dim, 21);
    for (int nq : {1, 16, 64}) flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, nq, 100);
    flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, 16, 1000);
    flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, 16, 1);
    flat_variants(DP_FP16, n, dim, codes, nullptr, nullptr, 16);
    flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, 1, 100, generic);
    flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, 16, 100, generic);
    CK(cudaFree(codes));
  }
  {  // FP32, 10M x 768 = 30.7 GB (CUDA cores only)
    const int64_t n = quick ? 500000 : 10000000;
    float* codes = dalloc<float>((size_t)n * dim);
    rand_float(codes, (size_t)n * dim, 31);
    dp::Tuning f32c;
    f32c.scan_f32_coalesced = !dp::Tuning{}.scan_f32_coalesced;  // the other FP32 kernel
    for (int nq : {1, 16}) {
      flat_one(DP_FP32, n, dim, codes, nullptr, nullptr, nq, 100);
      flat_one(DP_FP32, n, dim, codes, nullptr, nullptr, nq, 100, f32c);
    }
    CK(cudaFree(codes));
  }
}

// The lab for the int8 tensor-core scan and the radix-select top-k (tools/gpu-kernels-lab.sh): every variant on
// the benchmark's shapes, a sweep of nq = 1..256 for the GB/s plot, and k up to 2048. Labels name the knobs, so
// the fastest correct variant of a row says which default to set (native/NOTES.md, "Choosing the defaults").
void ivf_lab(const int8_t* codes, const float* off, const float* sc, int64_t n, int dim);

void lab() {
  const int dim = 768;
  // A variant sets the knobs it names; its label is what it does differently from the library's default plan for
  // the row (plan_label), and the variant with no label is the default (RESULT "chosen": true).
  struct V {
    int pieces;  // 0: fp16 tensor-core kernel
    bool select;  // forced on from k = 1 on both kernels, or off
    int s8_qtile;
    bool pipe;
  };
  auto tune = [](const V& v) {
    dp::Tuning t;
    t.scan_s8_pieces = v.pieces;
    t.topk_select = v.select;
    t.topk_select_min_k = t.topk_select_min_k_mma = 1;
    t.scan_s8_max_queries_per_block = v.s8_qtile;
    t.scan_s8_pipelined = v.pipe;
    return t;
  };
  const V fp16k{0, false, 32, false}, x3{3, false, 32, false}, x2{2, false, 32, false}, x2p{2, false, 32, true};
  const V fp16k_s{0, true, 32, false}, x3_s{3, true, 32, false}, x2_s{2, true, 32, false}, x2p_s{2, true, 32, true};
  {  // INT8, 50M x 768 = 38.4 GB
    const int64_t n = 50000000;
    int8_t* codes = dalloc<int8_t>((size_t)n * dim);
    rand_bytes(codes, (size_t)n * dim, 11);
    float *off = dalloc<float>(dim), *sc = dalloc<float>(dim);
    rand_float(off, dim, 12, 0.1f);
    rand_float(sc, dim, 13, 0.01f);
    for (int nq : {1, 2, 4, 8, 16, 32, 64, 128, 256}) {
      flat_one(DP_INT8, n, dim, codes, off, sc, nq, 100);  // the default
      for (const V& v : {fp16k, x3}) flat_one(DP_INT8, n, dim, codes, off, sc, nq, 100, tune(v));
      if (nq >= 16) flat_one(DP_INT8, n, dim, codes, off, sc, nq, 100, tune(x2p));
    }
    for (int nq : {64, 256}) flat_one(DP_INT8, n, dim, codes, off, sc, nq, 100, tune({2, false, 16, false}));
    for (int nq : {1, 16}) flat_one(DP_INT8, n, dim, codes, off, sc, nq, 100, tune(x2_s));
    for (int nq : {1, 16, 64})
      for (int k : {1000, 2048}) {
        flat_one(DP_INT8, n, dim, codes, off, sc, nq, k);  // the default
        dp::Tuning plain = tune(x2_s);  // the default before the sampled threshold: s8 x2 with the radix select
        plain.scan_sample_min_k = 0;
        flat_one(DP_INT8, n, dim, codes, off, sc, nq, k, plain);
        for (const V& v : {fp16k, x3, x2, fp16k_s, x3_s, x2p_s}) {
          if (nq == 64 && v.pieces == 0) continue;  // the fp16 kernel at nq=64: slow at k=100 already
          flat_one(DP_INT8, n, dim, codes, off, sc, nq, k, tune(v));
        }
      }
    ivf_lab(codes, off, sc, n, dim);
    CK(cudaFree(codes));
    CK(cudaFree(off));
    CK(cudaFree(sc));
  }
  {  // FP16, 25M x 768 = 38.4 GB
    const int64_t n = 25000000;
    __half* codes = dalloc<__half>((size_t)n * dim);
    rand_half(codes, (size_t)n * dim, 21);
    for (int nq : {1, 2, 4, 8, 16, 32, 64, 128, 256}) flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, nq, 100);
    for (int nq : {1, 16})
      for (int k : {100, 1000, 2048}) {
        if (k != 100) {
          flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, nq, k);
          dp::Tuning plain;  // without the sampled threshold
          plain.scan_sample_min_k = 0;
          flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, nq, k, plain);
        }
        flat_one(DP_FP16, n, dim, codes, nullptr, nullptr, nq, k, tune(plan_of(dp::Tuning{}, DP_FP16, nq, k, false).select
                                                                       ? fp16k : fp16k_s));
      }
    CK(cudaFree(codes));
  }
  {  // FP32, 10M x 768 = 30.7 GB (CUDA cores only)
    const int64_t n = 10000000;
    float* codes = dalloc<float>((size_t)n * dim);
    rand_float(codes, (size_t)n * dim, 31);
    dp::Tuning f32c;
    f32c.scan_f32_coalesced = !dp::Tuning{}.scan_f32_coalesced;  // the other FP32 kernel
    for (int nq : {1, 16}) {
      flat_one(DP_FP32, n, dim, codes, nullptr, nullptr, nq, 100);
      flat_one(DP_FP32, n, dim, codes, nullptr, nullptr, nq, 100, f32c);
    }
    CK(cudaFree(codes));
  }
}

// Uniform-ish list sizes (+-50%) over n rows.
std::vector<int64_t> list_offsets(int64_t n, int nlist, std::mt19937_64& rng) {
  std::vector<double> w(nlist);
  std::uniform_real_distribution<double> u(0.5, 1.5);
  double s = 0;
  for (auto& x : w) s += (x = u(rng));
  std::vector<int64_t> off(nlist + 1, 0);
  double acc = 0;
  for (int l = 0; l < nlist; ++l) {
    acc += w[l];
    off[l + 1] = (int64_t)(acc / s * n);
  }
  off[nlist] = n;
  return off;
}

std::vector<int32_t> random_probes(int nq, int nprobe, int nlist, std::mt19937_64& rng) {
  std::vector<int32_t> p((size_t)nq * nprobe), perm(nlist);
  for (int q = 0; q < nq; ++q) {
    for (int l = 0; l < nlist; ++l) perm[l] = l;
    std::shuffle(perm.begin(), perm.end(), rng);
    for (int i = 0; i < nprobe; ++i) p[(size_t)q * nprobe + i] = perm[i];
  }
  return p;
}

double probed_rows(const std::vector<int64_t>& off, const std::vector<int32_t>& probes) {
  double r = 0;
  for (int32_t l : probes) r += off[l + 1] - off[l];
  return r;
}

// IVF int8 over the lab's 50M rows (the ivf group's shape: nlist 4096, nq 16, k 100): the default (fp16 kernel)
// and the s8 kernel (scan_s8_ivf) with 2 and 3 pieces, so that a lab run can decide scan_s8_ivf.
void ivf_lab(const int8_t* codes, const float* off, const float* sc, int64_t n, int dim) {
  std::mt19937_64 rng(5);
  const int nlist = 4096, nq = 16, k = 100;
  auto offsets = list_offsets(n, nlist, rng);
  int64_t* doff = upload(offsets);
  float* q = dalloc<float>((size_t)nq * dim);
  rand_float(q, (size_t)nq * dim, 44);
  float* os = dalloc<float>((size_t)nq * k);
  int64_t* oi = dalloc<int64_t>((size_t)nq * k);
  for (int nprobe : {16, 64, 256}) {
    auto probes = random_probes(nq, nprobe, nlist, rng);
    int32_t* dprobes = upload(probes);
    float* bias = dalloc<float>((size_t)nq * nprobe);
    rand_float(bias, (size_t)nq * nprobe, 45);
    const double rows = probed_rows(offsets, probes);
    for (int pieces : {0, 2, 3}) {
      dp::Tuning t;
      if (pieces) {
        t.scan_s8_ivf = true;
        t.scan_s8_pieces = pieces;
      }
      dp::tuning() = t;
      auto run = [&](int) {
        DP(dp::lab_scan_ivf(DP_INT8, codes, off, sc, n, dim, doff, nlist, nullptr, q, nq, dprobes, nprobe, bias, k, os, oi,
                       nullptr));
      };
      run(0);
      const double est = time_ms(run, 0, 1);
      const double ms = time_ms(run, 1, reps_for(est));
      const Plan pl = plan_of(t, DP_INT8, nq, k, true);
      const std::string label = plan_label(t, DP_INT8, nq, k, true);
      const std::string variant = std::string(pl.kernel == "fp16 kernel" ? "ours (tensor cores)" : "ours (int8 tensor cores)") +
                                  (label.empty() ? "" : " " + label);
      result("ivf", fmt("ivf int8 n=%lld d=%d nlist=%d nprobe=%d nq=%d k=%d", (long long)n, dim, nlist, nprobe, nq, k),
             variant.c_str(), ms, rows * dim, 2.0 * rows * dim, "bytes: codes of the probed lists, per query",
             label.empty() ? 1 : 0);
      dp::tuning() = dp::Tuning{};
    }
    CK(cudaFree(dprobes));
    CK(cudaFree(bias));
  }
  CK(cudaFree(doff));
  CK(cudaFree(q));
  CK(cudaFree(os));
  CK(cudaFree(oi));
}

void ivf() {
  std::mt19937_64 rng(5);
  const int dim = 768, nlist = 4096, nq = 16, k = 100;
  const int64_t n = quick ? 2000000 : 50000000;
  int8_t* codes = dalloc<int8_t>((size_t)n * dim);
  rand_bytes(codes, (size_t)n * dim, 41);
  float *off = dalloc<float>(dim), *sc = dalloc<float>(dim);
  rand_float(off, dim, 42, 0.1f);
  rand_float(sc, dim, 43, 0.01f);
  auto offsets = list_offsets(n, nlist, rng);
  int64_t* doff = upload(offsets);
  float* q = dalloc<float>((size_t)nq * dim);
  rand_float(q, (size_t)nq * dim, 44);
  float* os = dalloc<float>((size_t)nq * k);
  int64_t* oi = dalloc<int64_t>((size_t)nq * k);
  for (int nprobe : {16, 64, 256}) {
    auto probes = random_probes(nq, nprobe, nlist, rng);
    int32_t* dprobes = upload(probes);
    float* bias = dalloc<float>((size_t)nq * nprobe);
    rand_float(bias, (size_t)nq * nprobe, 45);
    auto run = [&](int) {
      DP(dp_scan_ivf(DP_INT8, codes, off, sc, n, dim, doff, nlist, nullptr, q, nq, dprobes, nprobe, bias, k, os, oi,
                     nullptr));
    };
    run(0);
    const double est = time_ms(run, 0, 1);
    const double ms = time_ms(run, 1, reps_for(est));
    const double rows = probed_rows(offsets, probes);
    result("ivf", fmt("ivf int8 n=%lld d=%d nlist=%d nprobe=%d nq=%d k=%d", (long long)n, dim, nlist, nprobe, nq, k),
           "ours (tensor cores)", ms, rows * dim, 2.0 * rows * dim, "bytes: codes of the probed lists, per query");
    CK(cudaFree(dprobes));
    CK(cudaFree(bias));
  }
  CK(cudaFree(codes));
  CK(cudaFree(off));
  CK(cudaFree(sc));
  CK(cudaFree(doff));
  CK(cudaFree(q));
  CK(cudaFree(os));
  CK(cudaFree(oi));
}

void pq() {
  std::mt19937_64 rng(6);
  const int dim = 768, m = 96, nlist = 1024, nq = 16, k = 100;
  const int64_t n = quick ? 1000000 : 20000000;
  uint8_t* codes = dalloc<uint8_t>((size_t)n * m);
  rand_bytes(codes, (size_t)n * m, 51);
  float* cb = dalloc<float>((size_t)m * 256 * (dim / m));
  rand_float(cb, (size_t)m * 256 * (dim / m), 52, 0.3f);
  auto offsets = list_offsets(n, nlist, rng);
  int64_t* doff = upload(offsets);
  float* q = dalloc<float>((size_t)nq * dim);
  rand_float(q, (size_t)nq * dim, 53);
  float* os = dalloc<float>((size_t)nq * k);
  int64_t* oi = dalloc<int64_t>((size_t)nq * k);
  for (int nprobe : {32, 128, 1024}) {
    auto probes = random_probes(nq, nprobe, nlist, rng);
    int32_t* dprobes = upload(probes);
    for (bool global_lut : {false, true}) {
      if (global_lut && nprobe != 128) continue;
      dp::tuning().pq_force_global_lut = global_lut;
      auto run = [&](int) {
        DP(dp::lab_scan_ivf_pq(codes, m, cb, n, dim, doff, nlist, nullptr, q, nq, dprobes, nprobe, nullptr, k, os, oi,
                          nullptr));
      };
      run(0);
      const double est = time_ms(run, 0, 1);
      const double ms = time_ms(run, 1, reps_for(est));
      const double rows = probed_rows(offsets, probes);
      result("pq", fmt("ivf-pq n=%lld d=%d m=%d nlist=%d nprobe=%d nq=%d k=%d", (long long)n, dim, m, nlist, nprobe,
                       nq, k),
             global_lut ? "ours (LUT via L1)" : "ours", ms, rows * m, rows * m,
             "bytes: PQ codes of the probed lists, per query; flops: table lookups");
      dp::tuning() = dp::Tuning{};
    }
    CK(cudaFree(dprobes));
  }
  CK(cudaFree(codes));
  CK(cudaFree(cb));
  CK(cudaFree(doff));
  CK(cudaFree(q));
  CK(cudaFree(os));
  CK(cudaFree(oi));
}

void span() {
  std::mt19937_64 rng(7);
  const int dim = 768, nq = 16, kc = 1024, k = 100;
  const int64_t ntok = quick ? 1000000 : 8000000;
  // documents of 50..300 tokens
  std::vector<int64_t> starts = {0};
  std::uniform_int_distribution<int64_t> len(50, 300);
  while (starts.back() < ntok) starts.push_back(std::min(ntok, starts.back() + len(rng)));
  int64_t* dstarts = upload(starts);
  const int64_t ndocs = (int64_t)starts.size() - 1;
  // 4 candidate sets, rotated
  const int nsets = 4;
  std::vector<int64_t*> cands;
  std::uniform_int_distribution<int64_t> tok(0, ntok - 1);
  for (int s = 0; s < nsets; ++s) {
    std::vector<int64_t> c((size_t)nq * kc);
    for (int q = 0; q < nq; ++q) {
      std::set<int64_t> used;
      for (int i = 0; i < kc; ++i) {
        int64_t t;
        do t = tok(rng); while (!used.insert(t).second);
        c[(size_t)q * kc + i] = t;
      }
    }
    cands.push_back(upload(c));
  }
  float *qs = dalloc<float>((size_t)nq * dim), *qe = dalloc<float>((size_t)nq * dim);
  rand_float(qs, (size_t)nq * dim, 61);
  rand_float(qe, (size_t)nq * dim, 62);
  int64_t* other = dalloc<int64_t>((size_t)nq * kc);
  float* cs = dalloc<float>((size_t)nq * kc);
  int64_t *ts = dalloc<int64_t>((size_t)nq * k), *te = dalloc<int64_t>((size_t)nq * k);
  float* tsc = dalloc<float>((size_t)nq * k);
  float *off = dalloc<float>(dim), *sc = dalloc<float>(dim);
  rand_float(off, dim, 63, 0.1f);
  rand_float(sc, dim, 64, 0.01f);
  for (int type : {DP_FP16, DP_INT8, DP_FP32}) {
    const int es = type == DP_FP32 ? 4 : type == DP_FP16 ? 2 : 1;
    void* tokens = dalloc<char>((size_t)ntok * dim * es);
    if (type == DP_FP16) rand_half(tokens, (size_t)ntok * dim, 65);
    else if (type == DP_FP32) rand_float(static_cast<float*>(tokens), (size_t)ntok * dim, 66);
    else rand_bytes(tokens, (size_t)ntok * dim, 67);
    const char* tn = type == DP_FP32 ? "fp32" : type == DP_FP16 ? "fp16" : "int8";
    for (int L : {10, 30}) {
      for (int dir : {0, 1}) {
        if (dir == 1 && (type != DP_FP16 || L != 30)) continue;
        auto run = [&](int i) {
          DP(dp::lab_span_score(type, tokens, type == DP_INT8 ? off : nullptr, type == DP_INT8 ? sc : nullptr, ntok, dim,
                           dstarts, ndocs, qs, qe, nq, cands[i % nsets], kc, L, dir, k, other, cs, ts, te, tsc,
                           nullptr));
        };
        // Variants (span_tuning): v5 = the streamed kernel (default), v4 = the previous kernel. Every variant's
        // outputs are compared with v4's on candidate set 0 (bit-identical expected: same arithmetic).
        struct Variant {
          const char* label;
          int kernel, stages;
          bool skip_topk, prefilter;
        };
        std::vector<Variant> variants = {
            {"ours", 0, 4, false, true},  // v5 for fp16 / fp32, v4 for int8
            {"ours [v4 kernel]", 1, 4, false, true},
            {"ours [v5, no top-k prefilter]", 2, 4, false, false},
            {"ours [v5, 2 stages]", 2, 2, false, true},
            {"ours [v5, no top-k: candidate scores only]", 2, 4, true, true},
            {"ours [v4, no top-k: candidate scores only]", 1, 4, true, true}};
        if (type == DP_INT8) variants.push_back({"ours [v5 forced]", 2, 4, false, true});
        const size_t nqk = (size_t)nq * kc, nk = (size_t)nq * k;
        std::vector<int64_t> ref_other(nqk), ref_ts(nk), ref_te(nk), h_other(nqk), h_ts(nk), h_te(nk);
        std::vector<float> ref_cs(nqk), ref_tsc(nk), h_cs(nqk), h_tsc(nk);
        auto fetch = [&](std::vector<int64_t>& o, std::vector<float>& c, std::vector<int64_t>& a,
                         std::vector<int64_t>& b, std::vector<float>& t) {
          CK(cudaMemcpy(o.data(), other, nqk * 8, cudaMemcpyDeviceToHost));
          CK(cudaMemcpy(c.data(), cs, nqk * 4, cudaMemcpyDeviceToHost));
          CK(cudaMemcpy(a.data(), ts, nk * 8, cudaMemcpyDeviceToHost));
          CK(cudaMemcpy(b.data(), te, nk * 8, cudaMemcpyDeviceToHost));
          CK(cudaMemcpy(t.data(), tsc, nk * 4, cudaMemcpyDeviceToHost));
        };
        dp::span_tuning() = dp::SpanTuning{};
        dp::span_tuning().kernel = 1;
        CK(cudaMemset(other, 0xff, nqk * 8));
        CK(cudaMemset(cs, 0xff, nqk * 4));
        run(0);
        CK(cudaDeviceSynchronize());
        fetch(ref_other, ref_cs, ref_ts, ref_te, ref_tsc);
        for (const Variant& v : variants) {
          dp::span_tuning() = dp::SpanTuning{};
          dp::span_tuning().kernel = v.kernel;
          dp::span_tuning().stages = v.stages;
          dp::span_tuning().skip_topk = v.skip_topk;
          dp::span_tuning().prefilter = v.prefilter;
          CK(cudaMemset(other, 0xff, nqk * 8));
          CK(cudaMemset(cs, 0xff, nqk * 4));
          CK(cudaMemset(ts, 0xff, nk * 8));
          CK(cudaMemset(te, 0xff, nk * 8));
          CK(cudaMemset(tsc, 0xff, nk * 4));
          run(0);
          CK(cudaDeviceSynchronize());
          fetch(h_other, h_cs, h_ts, h_te, h_tsc);
          size_t bad_c = 0, bad_t = 0;
          for (size_t i = 0; i < nqk; ++i)
            bad_c += h_other[i] != ref_other[i] || std::memcmp(&h_cs[i], &ref_cs[i], 4) != 0;
          if (!v.skip_topk)
            for (size_t i = 0; i < nk; ++i)  // same scores in the same order (ties may swap entries)
              bad_t += std::memcmp(&h_tsc[i], &ref_tsc[i], 4) != 0;
          std::printf("CHECK span %s L=%d dir=%d %s: candidates differing from v4: %zu of %zu, top-k scores "
                      "differing: %zu of %zu\n", tn, L, dir, v.label, bad_c, nqk, bad_t, nk);
          const double est = time_ms(run, 0, 1);
          const double ms = time_ms(run, 1, reps_for(est));
          if (&v == &variants[0] || &v == &variants[1]) {  // host time of one call (API work, no waiting)
            std::vector<double> ht;
            for (int i = 0; i < 9; ++i) {
              CK(cudaDeviceSynchronize());
              const auto t0 = std::chrono::steady_clock::now();
              run(i);
              ht.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
            }
            CK(cudaDeviceSynchronize());
            std::sort(ht.begin(), ht.end());
            std::printf("HOST span %s L=%d dir=%d %s: %.1f us per call on the host (median of 9)\n", tn, L, dir,
                        v.label, ht[4]);
          }
          // logical bytes: each candidate's own row and up to L partner rows (overlaps come from cache)
          const double rows = (double)nq * kc * (L + 1);
          result("span", fmt("span %s tokens=%lld d=%d nq=%d cand=%d L=%d dir=%d k=%d", tn, (long long)ntok, dim, nq,
                             kc, L, dir, k),
                 v.label, ms, rows * dim * es, 2.0 * rows * dim, "bytes: candidate + partner rows (logical)");
        }
        dp::span_tuning() = dp::SpanTuning{};
        dp::tuning() = dp::Tuning{};
      }
    }
    CK(cudaFree(tokens));
  }
  for (auto c : cands) CK(cudaFree(c));
  for (void* p : {(void*)dstarts, (void*)qs, (void*)qe, (void*)other, (void*)cs, (void*)ts, (void*)te, (void*)tsc,
                  (void*)off, (void*)sc})
    CK(cudaFree(p));
}

void loss() {
  const int dim = 768;
  const int shapes[][2] = {{64, 128}, {128, 1024}, {256, 2048}};
  for (auto& sh : shapes) {
    const int b = sh[0], c = sh[1];
    // enough input sets to exceed L2 (rotated)
    const size_t set_floats = (size_t)(4 * b + 2 * c) * dim;
    const int nsets = (int)std::min<size_t>(64, std::max<size_t>(2, (64ull << 20) / (set_floats * 4) + 1));
    std::vector<float*> sets;
    for (int s = 0; s < nsets; ++s) {
      float* p = dalloc<float>(set_floats);
      rand_float(p, set_floats, 100 + s, 0.05f);
      sets.push_back(p);
    }
    float* out = dalloc<float>(3 + (size_t)4 * b * dim);
    auto run = [&](int i) {
      float* s = sets[i % nsets];
      float *qs = s, *qe = s + (size_t)b * dim, *ps = s + (size_t)2 * b * dim, *pe = s + (size_t)3 * b * dim;
      float *cs = s + (size_t)4 * b * dim, *ce = cs + (size_t)c * dim;
      float* g = out + 3;
      DP(dp_inbatch_loss(qs, qe, ps, pe, cs, ce, b, c, dim, out, g, g + (size_t)b * dim, g + (size_t)2 * b * dim,
                         g + (size_t)3 * b * dim, nullptr));
    };
    run(0);
    const double est = time_ms(run, 0, 3);
    const double ms = time_ms(run, 3, std::max(20, reps_for(est)));
    const double n = b + c;
    const double flops = 2 * (2.0 * b * n * dim * 2 + 2.0 * b * b * dim);  // 2 sides: logits, gradQ, gradP
    const double bytes = 4.0 * (set_floats + 4.0 * b * dim);
    result("loss", fmt("loss b=%d cache=%d d=%d fwd+bwd", b, c, dim), "ours (3xTF32 tensor cores)", ms, bytes, flops);
    for (auto p : sets) CK(cudaFree(p));
    CK(cudaFree(out));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string group = "all";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--group") && i + 1 < argc) group = argv[++i];
    else {
      std::printf("usage: dp_bench [--group bandwidth|flat|lab|ivf|pq|span|loss|all] [--quick]\n");
      return 1;
    }
  }
  int dev = 0;
  cudaDeviceProp prop;
  if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
    std::printf("no device\n");
    return 77;
  }
  std::printf("DEVICE {\"name\": \"%s\", \"sms\": %d, \"l2_mb\": %.0f, \"mem_gib\": %.1f}\n", prop.name,
              prop.multiProcessorCount, prop.l2CacheSize / 1048576.0, prop.totalGlobalMem / 1073741824.0);
  bandwidth();  // always: the percentages need it
  if (group == "flat" || group == "all") flat();
  if (group == "lab") lab();
  if (group == "ivf" || group == "all") ivf();
  if (group == "pq" || group == "all") pq();
  if (group == "span" || group == "all") span();
  if (group == "loss" || group == "all") loss();
  return 0;
}
