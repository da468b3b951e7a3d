// Span scoring: what both kernels (span_gather.cu, span_stream.cu) and the launcher (span_launch.cu) share: the
// block shape, the shared-memory layouts, the INT8 decode and the 16-byte partial dot. Device helpers are inline
// (each kernel file gets its own copy); the kernel tables are defined in the kernel files.
#pragma once

#include <cuda_fp16.h>
#include <stdint.h>

#include "../common/block_topk.cuh"
#include "span_kernels.h"

namespace dp {

constexpr int kSpanThreads = 256;
constexpr int kSpanWarps = kSpanThreads / 32;

__host__ __device__ inline size_t align_up16(size_t x) { return (x + 15) / 16 * 16; }

struct SpanLayout {
  size_t ws, we, misc, topk, total;
};

__host__ __device__ inline SpanLayout span_layout(int dim, int cap) {
  SpanLayout l;
  size_t off = 0;
  l.ws = off;
  off += align_up16((size_t)dim * 4);
  l.we = off;
  off += align_up16((size_t)dim * 4);
  l.misc = off;  // biasS, biasE, is_last
  off += 16;
  l.topk = off;
  off += block_topk_smem(1, cap);
  l.total = align_up16(off);
  return l;
}

// INT8 element b of word u (already xor 0x80808080): float(2^23 + (c + 128)) - (2^23 + 128) == c exactly.
__device__ __forceinline__ float i8_at(uint32_t u, int b) {
  return __int_as_float(__byte_perm(u, 0x4Bu, 0x4550 | b)) - 8388736.f;
}

// Partial dot of 16 bytes v (elements starting at dim d0) with weights w, accumulated into acc.
template <int TYPE>
__device__ __forceinline__ float dot16(const uint4& v, const float* __restrict__ w, int d0, float acc) {
  if (TYPE == DP_FP32) {
    const float4 ww = *reinterpret_cast<const float4*>(w + d0);
    acc = fmaf(__uint_as_float(v.x), ww.x, acc);
    acc = fmaf(__uint_as_float(v.y), ww.y, acc);
    acc = fmaf(__uint_as_float(v.z), ww.z, acc);
    acc = fmaf(__uint_as_float(v.w), ww.w, acc);
  } else if (TYPE == DP_FP16) {
    const uint32_t x[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float2 f = __half22float2(*reinterpret_cast<const __half2*>(&x[i]));
      const float2 ww = *reinterpret_cast<const float2*>(w + d0 + 2 * i);
      acc = fmaf(f.x, ww.x, acc);
      acc = fmaf(f.y, ww.y, acc);
    }
  } else {
    const uint32_t x[4] = {v.x ^ 0x80808080u, v.y ^ 0x80808080u, v.z ^ 0x80808080u, v.w ^ 0x80808080u};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float4 ww = *reinterpret_cast<const float4*>(w + d0 + 4 * i);
      acc = fmaf(i8_at(x[i], 0), ww.x, acc);
      acc = fmaf(i8_at(x[i], 1), ww.y, acc);
      acc = fmaf(i8_at(x[i], 2), ww.z, acc);
      acc = fmaf(i8_at(x[i], 3), ww.w, acc);
    }
  }
  return acc;
}

// ---------------------------------------------------------------- v5's layout (the launcher sizes it)

struct RowMeta {
  long long row;  // partner token
  int slot;       // candidate's lane in the batch; -1: empty row
  int ol;         // distance o | (o == n - 1) << 16
};

__host__ __device__ constexpr int stream_rows(int cpl) { return cpl <= 3 ? 4 : cpl <= 6 ? 2 : 1; }

struct StreamLayout {
  size_t meta, misc, total;
};

__host__ __device__ inline StreamLayout stream_layout(int64_t row_bytes, int rows, int stages, int cap) {
  StreamLayout l;
  const size_t data = (size_t)kSpanWarps * stages * rows * row_bytes;  // row_bytes % 16 == 0
  l.meta = data;
  size_t end = data + (size_t)kSpanWarps * stages * rows * sizeof(RowMeta);
  const size_t topk = align_up16(block_topk_smem(1, cap));  // aliases the ring after the streaming
  if (topk > end) end = topk;
  l.misc = align_up16(end);
  l.total = l.misc + 16 + kSpanThreads * sizeof(float);  // misc, then the top-k prefilter's per-thread maxima
  return l;
}

// ---------------------------------------------------------------- the kernel tables (host)

// v4 (span_gather.cu): the instantiation for a type and 16-byte rows or not.
const void* span_kernel(int type, bool vec);
// v5 (span_stream.cu): chunks per lane for a row size, 0 where v5 does not apply; the library's instantiation for
// it (FP32 and FP16; nullptr for INT8, which runs on v4).
int stream_cpl(int type, int64_t row_bytes);
const void* stream_kernel(int type, int cpl);

}  // namespace dp
