// The kernels of the BERT encoder forward (bert_kernels.h), all float32 on CUDA cores (fmaf): embeddings + LayerNorm,
// linear layers (a small-M kernel for questions, 64x64 shared-memory tiles for long inputs), attention per
// (row, head, 8 queries), residual + LayerNorm, and the unpacking of packed tokens. What each computes is JavaBert's
// (java/encoder), operation for operation; only summation orders differ.
#include <cmath>

#include "../common/status.h"
#include "bert_kernels.h"
#include "densephrases.h"

namespace dp {
namespace {

constexpr unsigned kFull = 0xffffffffu;
constexpr int kRowWarps = 8;  // rows (tokens) per block of the warp-per-row kernels

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFull, v, o);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(kFull, v, o));
  return v;
}

// Exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (JavaBert's Activations.gelu; erff is within 2 ulp).
__device__ __forceinline__ float gelu_erf(float x) { return 0.5f * x * (1.f + erff(x * 0.70710678118654752f)); }

// One warp normalizes out[0, h) in place: (v - mean) / sqrt(var + eps) * g + b, var the biased variance, two passes
// like JavaBert.layerNorm. `sum` is this lane's share of the sum of the values already in out; each lane touches only
// columns lane, lane + 32, ... (so callers may have written them in place).
__device__ __forceinline__ void warp_layer_norm(float* out, float sum, int h, const float* __restrict__ g,
                                                const float* __restrict__ b, float eps, int lane) {
  const float mean = warp_sum(sum) / h;
  float sq = 0.f;
  for (int c = lane; c < h; c += 32) {
    const float d = out[c] - mean;
    sq = fmaf(d, d, sq);
  }
  const float rstd = 1.f / sqrtf(warp_sum(sq) / h + eps);
  for (int c = lane; c < h; c += 32) out[c] = fmaf((out[c] - mean) * rstd, g[c], b[c]);
}

__global__ void __launch_bounds__(kRowWarps * 32)
    embed_kernel(const int32_t* __restrict__ ids, const int32_t* __restrict__ types, const int32_t* __restrict__ pos,
                 int n, int h, const float* __restrict__ word, const float* __restrict__ position,
                 const float* __restrict__ type, const float* __restrict__ g, const float* __restrict__ b, float eps,
                 float* __restrict__ x) {
  const int lane = threadIdx.x & 31;
  const int t = blockIdx.x * kRowWarps + (threadIdx.x >> 5);
  if (t >= n) return;
  const float* w = word + (size_t)ids[t] * h;
  const float* ty = type + (size_t)types[t] * h;
  const float* p = position + (size_t)pos[t] * h;
  float* out = x + (size_t)t * h;
  float sum = 0.f;
  for (int c = lane; c < h; c += 32) {
    const float v = (w[c] + ty[c]) + p[c];  // JavaBert's order: word + type + position
    out[c] = v;
    sum += v;
  }
  warp_layer_norm(out, sum, h, g, b, eps, lane);
}

// resid and out may be the same rows (in place): not __restrict__.
__global__ void __launch_bounds__(kRowWarps * 32)
    add_norm_kernel(const float* __restrict__ delta, const float* resid, const int32_t* __restrict__ map, int rows,
                    int h, const float* __restrict__ g, const float* __restrict__ b, float eps, float* out) {
  const int lane = threadIdx.x & 31;
  const int r = blockIdx.x * kRowWarps + (threadIdx.x >> 5);
  if (r >= rows) return;
  const float* dr = delta + (size_t)r * h;
  const float* rr = resid + (size_t)(map != nullptr ? map[r] : r) * h;
  float* o = out + (size_t)r * h;
  float sum = 0.f;
  for (int c = lane; c < h; c += 32) {
    const float v = rr[c] + dr[c];
    o[c] = v;
    sum += v;
  }
  warp_layer_norm(o, sum, h, g, b, eps, lane);
}

__device__ __forceinline__ void store_out(float* y, int r, int c, int m, int split, float v) {
  y[(size_t)(c / split) * m * split + (size_t)r * split + (c % split)] = v;
}

__device__ __forceinline__ float dot4(float4 a, float4 b, float acc) {
  acc = fmaf(a.x, b.x, acc);
  acc = fmaf(a.y, b.y, acc);
  acc = fmaf(a.z, b.z, acc);
  return fmaf(a.w, b.w, acc);
}

// Small M (questions): a warp computes kSmallNT output columns for kSmallMT rows. Its lanes stride over k in float4s,
// each weight float4 loaded once and used for every row of the group (x rows come from L1), then one warp sum per
// output. Blocks: (column groups of kSmallWarps warps) x (row groups).
constexpr int kSmallMT = 8;
constexpr int kSmallNT = 2;
constexpr int kSmallWarps = 4;

__global__ void __launch_bounds__(kSmallWarps * 32)
    linear_small_kernel(const float* __restrict__ x, int m, int k, const float* __restrict__ w,
                        const float* __restrict__ bias, int n, int gelu, int split, float* __restrict__ y) {
  const int lane = threadIdx.x & 31;
  const int n0 = (blockIdx.x * kSmallWarps + (threadIdx.x >> 5)) * kSmallNT;
  if (n0 >= n) return;
  const int m0 = blockIdx.y * kSmallMT;
  const int rows = min(kSmallMT, m - m0);
  const int cols = min(kSmallNT, n - n0);
  const int k4 = k >> 2;
  const float4* x4 = reinterpret_cast<const float4*>(x);
  const float4* w4 = reinterpret_cast<const float4*>(w);
  float acc[kSmallMT][kSmallNT];
#pragma unroll
  for (int i = 0; i < kSmallMT; ++i)
#pragma unroll
    for (int j = 0; j < kSmallNT; ++j) acc[i][j] = 0.f;
  for (int kk = lane; kk < k4; kk += 32) {
    float4 wv[kSmallNT];
#pragma unroll
    for (int j = 0; j < kSmallNT; ++j)
      wv[j] = j < cols ? __ldg(w4 + (size_t)(n0 + j) * k4 + kk) : make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
    for (int i = 0; i < kSmallMT; ++i) {
      if (i < rows) {
        const float4 xv = __ldg(x4 + (size_t)(m0 + i) * k4 + kk);
#pragma unroll
        for (int j = 0; j < kSmallNT; ++j) acc[i][j] = dot4(xv, wv[j], acc[i][j]);
      }
    }
  }
  float mine = 0.f;
#pragma unroll
  for (int i = 0; i < kSmallMT; ++i)
#pragma unroll
    for (int j = 0; j < kSmallNT; ++j) {
      const float s = warp_sum(acc[i][j]);
      if (lane == i * kSmallNT + j) mine = s;
    }
  const int i = lane / kSmallNT, j = lane % kSmallNT;
  if (lane < kSmallMT * kSmallNT && i < rows && j < cols) {
    float v = mine + bias[n0 + j];
    if (gelu) v = gelu_erf(v);
    store_out(y, m0 + i, n0 + j, m, split, v);
  }
}

// Large M (long inputs): 64x64 output tiles, k in steps of 16 through shared memory (stored k-major so the inner loop
// reads float4s), 256 threads of 4x4 outputs.
constexpr int kTile = 64;
constexpr int kTileK = 16;

__global__ void __launch_bounds__(256)
    linear_tiled_kernel(const float* __restrict__ x, int m, int k, const float* __restrict__ w,
                        const float* __restrict__ bias, int n, int gelu, int split, float* __restrict__ y) {
  __shared__ __align__(16) float as[kTileK][kTile + 4];  // +4: rows stay 16-byte aligned, stores spread over banks
  __shared__ __align__(16) float bs[kTileK][kTile + 4];
  const int tid = threadIdx.x;
  const int m0 = blockIdx.y * kTile, n0 = blockIdx.x * kTile;
  const int lr = tid >> 2, lk = (tid & 3) * 4;
  const int ty = tid >> 4, tx = tid & 15;
  float acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) acc[i][j] = 0.f;
  for (int k0 = 0; k0 < k; k0 += kTileK) {
    const int kk = k0 + lk;  // k % 4 == 0: a float4 is wholly inside or outside
    float4 a = make_float4(0.f, 0.f, 0.f, 0.f), b = a;
    if (m0 + lr < m && kk < k) a = __ldg(reinterpret_cast<const float4*>(x + (size_t)(m0 + lr) * k + kk));
    if (n0 + lr < n && kk < k) b = __ldg(reinterpret_cast<const float4*>(w + (size_t)(n0 + lr) * k + kk));
    as[lk][lr] = a.x;
    as[lk + 1][lr] = a.y;
    as[lk + 2][lr] = a.z;
    as[lk + 3][lr] = a.w;
    bs[lk][lr] = b.x;
    bs[lk + 1][lr] = b.y;
    bs[lk + 2][lr] = b.z;
    bs[lk + 3][lr] = b.w;
    __syncthreads();
#pragma unroll
    for (int q = 0; q < kTileK; ++q) {
      const float4 av = *reinterpret_cast<const float4*>(&as[q][ty * 4]);
      const float4 bv = *reinterpret_cast<const float4*>(&bs[q][tx * 4]);
      const float ar[4] = {av.x, av.y, av.z, av.w};
      const float br[4] = {bv.x, bv.y, bv.z, bv.w};
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(ar[i], br[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int r = m0 + ty * 4 + i;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int c = n0 + tx * 4 + j;
      if (r < m && c < n) {
        float v = acc[i][j] + bias[c];
        if (gelu) v = gelu_erf(v);
        store_out(y, r, c, m, split, v);
      }
    }
  }
}

// Attention: block (query group, head, row), a warp per query. Keys, then values, of the row's tokens pass through
// shared memory kAttKeys at a time; a warp's scores for all keys of the row sit in shared memory (rows <= 512 tokens).
// Lane = key for the scores (key tile rows padded to d + 1: no bank conflicts), lane = dimension for the sum.
constexpr int kAttWarps = 8;
constexpr int kAttKeys = 32;
constexpr int kAttDims = DP_BERT_MAX_HEAD_DIM / 32;

__global__ void __launch_bounds__(kAttWarps * 32)
    attention_kernel(const float* __restrict__ qkv, const int32_t* __restrict__ off, int h, int d, float scale,
                     int first_only, float* __restrict__ ctx) {
  __shared__ float q_s[kAttWarps][DP_BERT_MAX_HEAD_DIM];
  __shared__ float kv_s[kAttKeys][DP_BERT_MAX_HEAD_DIM + 1];
  __shared__ float p_s[kAttWarps][DP_BERT_MAX_SEQ];
  const int b = blockIdx.z, head = blockIdx.y;
  const int base = off[b], len = off[b + 1] - base;
  const int nq = first_only ? 1 : len;
  const int q0 = blockIdx.x * kAttWarps;
  if (q0 >= nq) return;  // the whole block
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int qi = q0 + warp;
  const bool active = qi < nq;
  const size_t h3 = 3 * (size_t)h;
  if (active) {
    for (int c = lane; c < d; c += 32) q_s[warp][c] = qkv[(base + qi) * h3 + head * d + c] * scale;
  }
  for (int j0 = 0; j0 < len; j0 += kAttKeys) {
    const int nk = min(kAttKeys, len - j0);
    __syncthreads();  // q_s written; the previous tile read
    for (int e = threadIdx.x; e < nk * d; e += blockDim.x) {
      const int kk = e / d, c = e - kk * d;
      kv_s[kk][c] = qkv[(base + j0 + kk) * h3 + h + head * d + c];
    }
    __syncthreads();
    if (active && lane < nk) {
      float s = 0.f;
      for (int c = 0; c < d; ++c) s = fmaf(kv_s[lane][c], q_s[warp][c], s);
      p_s[warp][j0 + lane] = s;
    }
  }
  __syncwarp();
  float mx = -INFINITY;
  if (active) {
    for (int j = lane; j < len; j += 32) mx = fmaxf(mx, p_s[warp][j]);
  }
  mx = warp_max(mx);
  float sum = 0.f;
  if (active) {
    for (int j = lane; j < len; j += 32) {
      const float e = expf(p_s[warp][j] - mx);
      p_s[warp][j] = e;
      sum += e;
    }
  }
  sum = warp_sum(sum);
  __syncwarp();
  float acc[kAttDims];
#pragma unroll
  for (int t = 0; t < kAttDims; ++t) acc[t] = 0.f;
  for (int j0 = 0; j0 < len; j0 += kAttKeys) {
    const int nk = min(kAttKeys, len - j0);
    __syncthreads();
    for (int e = threadIdx.x; e < nk * d; e += blockDim.x) {
      const int kk = e / d, c = e - kk * d;
      kv_s[kk][c] = qkv[(base + j0 + kk) * h3 + 2 * h + head * d + c];
    }
    __syncthreads();
    if (active) {
      for (int kk = 0; kk < nk; ++kk) {
        const float p = p_s[warp][j0 + kk];
#pragma unroll
        for (int t = 0; t < kAttDims; ++t) {
          const int c = lane + 32 * t;
          if (c < d) acc[t] = fmaf(kv_s[kk][c], p, acc[t]);
        }
      }
    }
  }
  if (active) {
    const float inv = 1.f / sum;
    float* out = ctx + (size_t)(first_only ? b : base + qi) * h + head * d;
#pragma unroll
    for (int t = 0; t < kAttDims; ++t) {
      const int c = lane + 32 * t;
      if (c < d) out[c] = acc[t] * inv;
    }
  }
}

__global__ void __launch_bounds__(kRowWarps * 32)
    unpack_kernel(const float* __restrict__ x, const int32_t* __restrict__ off, int batch, int seq, int h,
                  float* __restrict__ out) {
  const int lane = threadIdx.x & 31;
  const long long row = (long long)blockIdx.x * kRowWarps + (threadIdx.x >> 5);
  if (row >= (long long)batch * seq) return;
  const int b = (int)(row / seq), i = (int)(row % seq);
  float* o = out + (size_t)row * h;
  if (i < off[b + 1] - off[b]) {
    const float* src = x + (size_t)(off[b] + i) * h;
    for (int c = lane; c < h; c += 32) o[c] = src[c];
  } else {
    for (int c = lane; c < h; c += 32) o[c] = 0.f;
  }
}

unsigned blocks_for(long long rows, int per_block) { return (unsigned)((rows + per_block - 1) / per_block); }

}  // namespace

void dp_run_bert_embed(const int32_t* d_ids, const int32_t* d_types, const int32_t* d_pos, int n, int h,
                       const float* d_word, const float* d_position, const float* d_type, const float* d_gamma,
                       const float* d_beta, float eps, float* d_x, cudaStream_t stream) {
  embed_kernel<<<blocks_for(n, kRowWarps), kRowWarps * 32, 0, stream>>>(d_ids, d_types, d_pos, n, h, d_word,
                                                                       d_position, d_type, d_gamma, d_beta, eps, d_x);
  check_launch("bert embed_kernel");
}

void dp_run_bert_linear(const float* d_x, int m, int k, const float* d_w, const float* d_bias, int n, bool gelu,
                        int split, float* d_y, cudaStream_t stream) {
  if (m <= kBertSmallM) {
    const dim3 grid(blocks_for(n, kSmallWarps * kSmallNT), blocks_for(m, kSmallMT));
    linear_small_kernel<<<grid, kSmallWarps * 32, 0, stream>>>(d_x, m, k, d_w, d_bias, n, gelu ? 1 : 0, split, d_y);
    check_launch("bert linear_small_kernel");
  } else {
    const dim3 grid(blocks_for(n, kTile), blocks_for(m, kTile));
    linear_tiled_kernel<<<grid, 256, 0, stream>>>(d_x, m, k, d_w, d_bias, n, gelu ? 1 : 0, split, d_y);
    check_launch("bert linear_tiled_kernel");
  }
}

void dp_run_bert_attention(const float* d_qkv, const int32_t* d_off, int batch, int max_len, int h, int heads,
                           bool first_only, float* d_ctx, cudaStream_t stream) {
  const int d = h / heads;
  const dim3 grid(blocks_for(first_only ? 1 : max_len, kAttWarps), heads, batch);
  attention_kernel<<<grid, kAttWarps * 32, 0, stream>>>(d_qkv, d_off, h, d, (float)(1.0 / std::sqrt((double)d)),
                                                        first_only ? 1 : 0, d_ctx);
  check_launch("bert attention_kernel");
}

void dp_run_bert_add_norm(const float* d_delta, const float* d_resid, const int32_t* d_map, int rows, int h,
                          const float* d_gamma, const float* d_beta, float eps, float* d_out, cudaStream_t stream) {
  add_norm_kernel<<<blocks_for(rows, kRowWarps), kRowWarps * 32, 0, stream>>>(d_delta, d_resid, d_map, rows, h,
                                                                             d_gamma, d_beta, eps, d_out);
  check_launch("bert add_norm_kernel");
}

void dp_run_bert_unpack(const float* d_x, const int32_t* d_off, int batch, int seq, int h, float* d_out,
                        cudaStream_t stream) {
  unpack_kernel<<<blocks_for((long long)batch * seq, kRowWarps), kRowWarps * 32, 0, stream>>>(d_x, d_off, batch,
                                                                                             seq, h, d_out);
  check_launch("bert unpack_kernel");
}

}  // namespace dp
