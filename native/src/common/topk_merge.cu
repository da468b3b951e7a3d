// Second stage of every scan: merge the per-block top-k lists of each query into its final top-k.
#include "block_topk.cuh"
#include "status.h"
#include "topk_merge.h"

namespace dp {
namespace {

constexpr int kMergeThreads = 256;
constexpr int kMergeItems = 4;  // entries per thread per round: round_max = 1024

// One block per query. (query)(list)(len) -> (query)(k).
__global__ void __launch_bounds__(kMergeThreads) topk_merge_kernel(const float* __restrict__ in_score,
                                                                   const int64_t* __restrict__ in_id, int lists,
                                                                   int len, int k, int cap, bool select,
                                                                   float* __restrict__ out_score,
                                                                   int64_t* __restrict__ out_id) {
  extern __shared__ uint4 smem[];
  BlockTopK top;
  top.carve(smem, 1, cap, k, select);
  top.init();
  __syncthreads();
  const int q = blockIdx.x;
  const int64_t base = (int64_t)q * lists * len;
  const int total = lists * len;
  const int round = kMergeThreads * kMergeItems;
  for (int r0 = 0; r0 < total; r0 += round) {
#pragma unroll
    for (int it = 0; it < kMergeItems; ++it) {
      int e = r0 + it * kMergeThreads + threadIdx.x;
      if (e < total) top.push(0, __ldg(in_score + base + e), (uint32_t)e);
    }
    top.end_round<true>(round);
  }
  top.reduce();
  const int n = top.filled(0);
  for (int r = threadIdx.x; r < k; r += kMergeThreads) {
    bool ok = r < n;
    out_score[(int64_t)q * k + r] = ok ? top.score[r] : -INFINITY;
    out_id[(int64_t)q * k + r] = ok ? in_id[base + top.index[r]] : -1;
  }
}

// One block per query: the sampled-threshold path's check (topk_merge.h).
__global__ void topk_check_kernel(const float* __restrict__ lists_score, int lists, int len,
                                  const float* __restrict__ final_score, int k, int* flag) {
  const int q = blockIdx.x;
  const float kth = final_score[(int64_t)q * k + k - 1];
  bool bad = threadIdx.x == 0 && kth == -INFINITY;
  for (int l = threadIdx.x; l < lists; l += blockDim.x) {
    const float last = lists_score[((int64_t)q * lists + l) * len + len - 1];  // -inf unless the list is full
    bad |= last != -INFINITY && last > kth;
  }
  if (__syncthreads_or(bad) && threadIdx.x == 0) *flag = 1;
}

__global__ void topk_fill_empty_kernel(float* out_score, int64_t* out_id, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    out_score[i] = -INFINITY;
    out_id[i] = -1;
  }
}

}  // namespace

void dp_run_topk_merge(const float* d_in_score, const int64_t* d_in_id, int num_queries, int lists, int k,
                       float* d_out_score, int64_t* d_out_id, cudaStream_t stream, bool select, int list_len) {
  const int len = list_len > 0 ? list_len : k;
  const int cap = topk_cap(k, kMergeThreads * kMergeItems);
  size_t smem = block_topk_smem(1, cap, select);  // <= 40 KB for k <= 2048: no opt-in needed
  topk_merge_kernel<<<num_queries, kMergeThreads, smem, stream>>>(d_in_score, d_in_id, lists, len, k, cap, select,
                                                                  d_out_score, d_out_id);
  check_launch("topk_merge_kernel");
}

void dp_run_topk_check(const float* d_lists, int num_queries, int lists, int list_len, const float* d_final, int k,
                       int* d_flag, cudaStream_t stream) {
  topk_check_kernel<<<num_queries, 256, 0, stream>>>(d_lists, lists, list_len, d_final, k, d_flag);
  check_launch("topk_check_kernel");
}

void dp_run_topk_fill_empty(float* d_out_score, int64_t* d_out_id, int64_t n, cudaStream_t stream) {
  int blocks = (int)((n + 255) / 256);
  if (blocks > 1024) blocks = 1024;
  if (blocks < 1) blocks = 1;
  topk_fill_empty_kernel<<<blocks, 256, 0, stream>>>(d_out_score, d_out_id, n);
  check_launch("topk_fill_empty_kernel");
}

}  // namespace dp
