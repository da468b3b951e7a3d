// Row softmax / cross-entropy of the in-batch loss: logits -> dlogits in place, per-row losses, the total.
#include "../common/status.h"
#include "loss_kernels.h"

namespace dp {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float block_reduce(float v, bool is_max, float* scratch) {
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) {
    const float o = __shfl_xor_sync(0xffffffffu, v, off);
    v = is_max ? fmaxf(v, o) : v + o;
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();  // scratch is free (an earlier reduction may still be reading it)
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float r = scratch[0];
  for (int w = 1; w < kThreads / 32; ++w) r = is_max ? fmaxf(r, scratch[w]) : r + scratch[w];
  return r;
}

// logit j of the row: the K slices added in order (a fixed order: deterministic).
__device__ __forceinline__ float logit(const float* row, int splits, size_t stride, int j) {
  float v = row[j];
  for (int s = 1; s < splits; ++s) v += row[s * stride + j];
  return v;
}

// grid (batch, 2): row i of side s.
__global__ void __launch_bounds__(kThreads) softmax_rows_kernel(float* part, int splits, size_t stride, int batch,
                                                                int n, float* row_loss) {
  __shared__ float scratch[kThreads / 32];
  const int i = blockIdx.x, s = blockIdx.y;
  float* row = part + ((size_t)s * batch + i) * n;
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < n; j += kThreads) mx = fmaxf(mx, logit(row, splits, stride, j));
  mx = block_reduce(mx, true, scratch);
  float sum = 0.f;
  for (int j = threadIdx.x; j < n; j += kThreads) sum += expf(logit(row, splits, stride, j) - mx);
  sum = block_reduce(sum, false, scratch);
  const float lse = mx + logf(sum);
  const float target = logit(row, splits, stride, i);  // read before anyone overwrites it below
  __syncthreads();
  const float inv = 1.f / (2.f * batch);
  for (int j = threadIdx.x; j < n; j += kThreads) {
    const float p = expf(logit(row, splits, stride, j) - lse);
    row[j] = (p - (j == i ? 1.f : 0.f)) * inv;
  }
  if (threadIdx.x == 0) row_loss[s * batch + i] = lse - target;
}

__global__ void __launch_bounds__(kThreads) loss_total_kernel(const float* row_loss, int batch, float* loss) {
  __shared__ float scratch[kThreads / 32];
  float side[2];
  for (int s = 0; s < 2; ++s) {
    float v = 0.f;
    for (int i = threadIdx.x; i < batch; i += kThreads) v += row_loss[s * batch + i];
    side[s] = block_reduce(v, false, scratch) / batch;
  }
  if (threadIdx.x == 0) {
    loss[0] = 0.5f * (side[0] + side[1]);
    loss[1] = side[0];
    loss[2] = side[1];
  }
}

}  // namespace

void dp_run_softmax_rows(float* d_part, int splits, size_t split_stride, int batch, int n, float* d_row_loss,
                         cudaStream_t stream) {
  softmax_rows_kernel<<<dim3(batch, 2), kThreads, 0, stream>>>(d_part, splits, split_stride, batch, n, d_row_loss);
  check_launch("softmax_rows_kernel");
}

void dp_run_loss_total(const float* d_row_loss, int batch, float* d_loss, cudaStream_t stream) {
  loss_total_kernel<<<1, kThreads, 0, stream>>>(d_row_loss, batch, d_loss);
  check_launch("loss_total_kernel");
}

}  // namespace dp
