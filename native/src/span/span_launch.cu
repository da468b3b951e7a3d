// Span scoring's launcher: picks v5 (span_stream.cu) where it applies and fits, else v4 (span_gather.cu), sizes
// the grid from the occupancy (asked once per kernel, device and shared-memory size), zeroes the per-question
// counters and launches. Host code only: the kernels are reached through their tables (span_common.cuh).
#include <mutex>
#include <vector>

#include "../common/status.h"
#include "span_common.cuh"

namespace dp {
namespace {

// Host-side facts per (kernel, device, shared memory): the attribute set once, the occupancy asked once (these
// calls cost microseconds that a short span call would otherwise pay every time).
struct LaunchFacts {
  const void* kern;
  int dev;
  size_t smem;
  int occ;
  int sms;
};

LaunchFacts launch_facts(const void* kern, size_t smem) {
  struct Attr {
    const void* kern;
    int dev;
    size_t max_smem;  // the kernel's dynamic shared-memory limit as set so far (only ever raised)
  };
  static std::mutex mu;
  static std::vector<LaunchFacts> known;
  static std::vector<Attr> attrs;
  int dev = 0;
  DP_CUDA(cudaGetDevice(&dev));
  std::lock_guard<std::mutex> lock(mu);
  for (const LaunchFacts& f : known)
    if (f.kern == kern && f.dev == dev && f.smem == smem) return f;
  LaunchFacts f{kern, dev, smem, 0, 0};
  int max_optin = 0;
  DP_CUDA(cudaDeviceGetAttribute(&max_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
  if (smem <= (size_t)max_optin) {
    Attr* a = nullptr;
    for (Attr& x : attrs)
      if (x.kern == kern && x.dev == dev) a = &x;
    if (a == nullptr) {
      attrs.push_back(Attr{kern, dev, 0});
      a = &attrs.back();
    }
    if (smem > a->max_smem) {  // lowering it would break launches of larger sizes known earlier
      DP_CUDA(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
      a->max_smem = smem;
    }
    DP_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&f.occ, kern, kSpanThreads, smem));
  }
  DP_CUDA(cudaDeviceGetAttribute(&f.sms, cudaDevAttrMultiProcessorCount, dev));
  known.push_back(f);
  return f;
}

}  // namespace

SpanConfig default_span_config() {
  SpanConfig c;
  c.kernel = 0;
  c.stages = 4;
  c.prefilter = true;
  c.skip_topk = false;
  c.prefetch = false;
  c.stream_kernel = &stream_kernel;  // FP32 / FP16
  return c;
}

void dp_run_span_score(SpanParams& p, const SpanConfig& cfg, cudaStream_t stream) {
  const int elem = p.type == DP_FP32 ? 4 : p.type == DP_FP16 ? 2 : 1;
  p.row_bytes = (int64_t)p.dim * elem;
  const bool vec = p.row_bytes % 16 == 0 && (reinterpret_cast<uintptr_t>(p.tokens) & 15) == 0;
  p.cap = topk_cap(min(p.k, p.num_candidates), kSpanThreads);
  p.stages = cfg.stages < 2 ? 2 : cfg.stages > 8 ? 8 : cfg.stages;
  const int64_t total = (int64_t)p.num_queries * p.num_candidates;

  // v5 where it applies and fits
  // INT8 stays on v4 unless v5 is forced: measured slower there (run 2 of v5: L=30 0.319 vs 0.246 ms; its
  // 768-byte rows make v5's per-row bookkeeping and the int8 decode, on 8 warps per SM, the limit).
  const bool want_v5 = cfg.kernel == 2 || (cfg.kernel == 0 && p.type != DP_INT8);
  const int cpl = vec && !p.prefetch && want_v5 ? stream_cpl(p.type, p.row_bytes) : 0;
  const void* v5 = cpl > 0 ? cfg.stream_kernel(p.type, cpl) : nullptr;
  if (v5 != nullptr) {
    const void* kern = v5;
    const size_t smem = stream_layout(p.row_bytes, stream_rows(cpl), p.stages, p.cap).total;
    const LaunchFacts lf = launch_facts(kern, smem);
    if (lf.occ >= 1) {
      int64_t blocks = (int64_t)lf.sms * lf.occ;
      const int64_t useful = (total + kSpanWarps - 1) / kSpanWarps;  // at least one candidate per warp
      if (blocks > useful) blocks = useful;
      if (blocks < 1) blocks = 1;
      p.slices = 0;
      DP_CUDA(cudaMemset2DAsync(p.counters, (size_t)p.counter_stride * sizeof(unsigned), 0, sizeof(unsigned),
                              (size_t)p.num_queries, stream));
      void* args[] = {&p};
      DP_CUDA(cudaLaunchKernel(kern, dim3((unsigned)blocks), dim3(kSpanThreads), args, smem, stream));
      check_launch("span_stream_kernel");
      return;
    }
  }

  // v4
  const size_t smem = span_layout(p.dim, p.cap).total;
  const void* kern = span_kernel(p.type, vec);
  const LaunchFacts lf = launch_facts(kern, smem);
  const int occ = lf.occ;
  if (occ < 1) throw_error(DP_ERR_INVALID_ARGUMENT, "span scoring does not fit in shared memory");
  const int sms = lf.sms;
  // One wave of blocks, at least one warp's worth of candidates (8) per warp of a block.
  const int64_t target = (int64_t)sms * occ;
  int64_t slices = (target + p.num_queries - 1) / p.num_queries;
  const int64_t max_slices = (p.num_candidates + kSpanWarps - 1) / kSpanWarps;
  if (slices > max_slices) slices = max_slices;
  if (slices < 1) slices = 1;
  p.slices = (int)slices;
  const int64_t blocks = slices * p.num_queries;
  if (blocks > 0x7fffffffll) throw_error(DP_ERR_INVALID_ARGUMENT, "too many questions for one launch");
  DP_CUDA(cudaMemset2DAsync(p.counters, (size_t)p.counter_stride * sizeof(unsigned), 0, sizeof(unsigned),
                              (size_t)p.num_queries, stream));
  void* args[] = {&p};
  DP_CUDA(cudaLaunchKernel(kern, dim3((unsigned)blocks), dim3(kSpanThreads), args, smem, stream));
  check_launch("span_score_kernel");
}

}  // namespace dp
