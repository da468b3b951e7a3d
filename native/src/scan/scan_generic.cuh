// Dense scan of FP32 / FP16 / INT8 codes on the CUDA cores, for any dim and alignment (the fallback of
// scan_mma.cu, and the FP32 path), fused with the block top-k.
//
// A warp scores a 32-row tile, one row per lane, walking the dimensions in step: every lane reads the same
// weights (shared-memory broadcast, (dim)(query) so a 16-byte read gives four queries) and its own row; the rows
// of a tile share cache lines, which L1 keeps while the warp walks them.
//
// This header holds the kernel template and its helpers; scan_generic.cu instantiates it (every type, 1 / 4 / 16
// query columns, 16-byte or element loads), native/bench/variants/scan_f32c.cu builds the lab's coalesced FP32
// kernel from the helpers.
#pragma once

#include <cuda_fp16.h>

#include "scan_common.cuh"
#include "scan_kernels.h"

namespace dp {
namespace {

struct GenericLayout {
  size_t w, qbias, seg, topk, total;
};

__host__ __device__ inline size_t align_up16(size_t x) { return (x + 15) / 16 * 16; }

__host__ __device__ inline GenericLayout generic_layout(int qs, int dim, int nseg, int qa, int cap) {
  GenericLayout l;
  size_t off = 0;
  l.w = off;
  off += (size_t)dim * qs * 4;
  l.qbias = off;
  off += (size_t)qs * 4;
  off = align_up16(off);
  l.seg = off;
  off += SegmentTable::smem_bytes(nseg);
  off = align_up16(off);
  l.topk = off;
  off += block_topk_smem(qa, cap);
  l.total = align_up16(off);
  return l;
}

template <int TYPE>
__device__ __forceinline__ float load_code(const void* codes, int64_t i) {
  if (TYPE == DP_FP32) return __ldg(static_cast<const float*>(codes) + i);
  if (TYPE == DP_FP16) return __half2float(__ldg(static_cast<const __half*>(codes) + i));
  return (float)__ldg(static_cast<const signed char*>(codes) + i);
}

// acc[j] += w[d][j] * x for the QS queries (weights (dim)(QS) in shared memory, read as float4).
template <int QS>
__device__ __forceinline__ void fma_queries(const float* __restrict__ wt, int d, float x, float (&acc)[QS]) {
  if (QS == 1) {
    acc[0] = fmaf(wt[d], x, acc[0]);
  } else {
    const float4* w4 = reinterpret_cast<const float4*>(wt + d * QS);
#pragma unroll
    for (int j4 = 0; j4 < QS / 4; ++j4) {
      const float4 w = w4[j4];
      acc[4 * j4 + 0] = fmaf(w.x, x, acc[4 * j4 + 0]);
      acc[4 * j4 + 1] = fmaf(w.y, x, acc[4 * j4 + 1]);
      acc[4 * j4 + 2] = fmaf(w.z, x, acc[4 * j4 + 2]);
      acc[4 * j4 + 3] = fmaf(w.w, x, acc[4 * j4 + 3]);
    }
  }
}

// Element e of a 16-byte piece of TYPE.
template <int TYPE>
__device__ __forceinline__ float elem16(const uint4& v, int e) {
  const uint32_t w[4] = {v.x, v.y, v.z, v.w};
  if (TYPE == DP_FP32) return __uint_as_float(w[e]);
  if (TYPE == DP_FP16) {
    const uint32_t h = w[e >> 1];
    return __half2float(__ushort_as_half((unsigned short)((e & 1) ? h >> 16 : h & 0xffff)));
  }
  return (float)(int8_t)(w[e >> 2] >> (8 * (e & 3)));
}

// QS: queries per block the kernel is compiled for (1, 4 or 16); p.qa <= QS. VEC: rows are read 16 bytes at a
// time (row bytes a multiple of 16, codes 16-byte aligned), otherwise one element at a time.
template <int TYPE, int QS, bool VEC>
__global__ void __launch_bounds__(kScanThreads) scan_generic_kernel(const ScanParams p) {
  extern __shared__ __align__(16) unsigned char smem[];
  const BlockQueries bq = block_queries(p);
  const int nseg = p.ivf ? kMaxSegments : 1;
  const GenericLayout L = generic_layout(QS, p.dim, nseg, p.qa, p.cap);
  float* wt = reinterpret_cast<float*>(smem + L.w);  // (dim)(QS)
  float* qbias = reinterpret_cast<float*>(smem + L.qbias);
  SegmentTable st;
  st.carve(smem + L.seg, nseg);
  BlockTopK top;
  top.carve(smem + L.topk, bq.qa, p.cap, p.k);
  top.init(p.init_thresh != nullptr ? p.init_thresh + (size_t)bq.q0 * p.init_stride : nullptr, p.init_stride);

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int dim = p.dim;
  for (int e = tid; e < dim * QS; e += kScanThreads) {
    const int d = e / QS, j = e % QS;
    float w = 0.f;
    if (j < bq.qa) {
      w = p.queries[(int64_t)(bq.q0 + j) * dim + d];
      if (TYPE == DP_INT8) w *= p.scale[d];
    }
    wt[e] = w;
  }
  for (int j = warp; j < QS; j += kScanWarps) {
    float b = 0.f;
    if (TYPE == DP_INT8 && j < bq.qa) {
      const float* q = p.queries + (int64_t)(bq.q0 + j) * dim;
      for (int d = lane; d < dim; d += 32) b = fmaf(q[d], p.offset[d], b);
#pragma unroll
      for (int off = 16; off > 0; off >>= 1) b += __shfl_xor_sync(0xffffffffu, b, off);
    }
    if (lane == 0) qbias[j] = b;
  }
  build_segments(p, bq, kTileRows, st);  // ends with a barrier

  const uint32_t total = st.total();
  for (uint32_t u0 = 0; u0 < total; u0 += kScanWarps) {
    const uint32_t u = u0 + warp;
    if (u < total) {
      const int s = st.find(u);
      const int64_t tile = st.begin[s] + (int64_t)(u - st.prefix[s]) * kTileRows;
      const int64_t rend = st.end[s];
      const int64_t row = tile + lane;
      const int64_t rowc = row < rend ? row : rend - 1;
      const int64_t base = rowc * dim;
      float acc[QS];
#pragma unroll
      for (int j = 0; j < QS; ++j) acc[j] = 0.f;
      if (VEC) {
        constexpr int per = TYPE == DP_FP32 ? 4 : TYPE == DP_FP16 ? 8 : 16;  // elements per 16 bytes
        const uint4* rp = reinterpret_cast<const uint4*>(static_cast<const char*>(p.codes) + rowc * p.row_bytes);
        const int chunks = (int)(p.row_bytes >> 4);
#pragma unroll 2
        for (int c = 0; c < chunks; ++c) {
          const uint4 v = __ldg(rp + c);
#pragma unroll
          for (int e = 0; e < per; ++e) fma_queries<QS>(wt, c * per + e, elem16<TYPE>(v, e), acc);
        }
      } else {
#pragma unroll 4
        for (int d = 0; d < dim; ++d) fma_queries<QS>(wt, d, load_code<TYPE>(p.codes, base + d), acc);
      }
      if (row < rend) {
        const float sbias = st.bias[s];
#pragma unroll
        for (int j = 0; j < QS; ++j)
          if (j < bq.qa) top.push(j, acc[j] + qbias[j] + sbias, (uint32_t)row);
      }
    }
    top.end_round(kScanRound);
  }
  top.reduce();
  write_partial(p, bq, top);
}

}  // namespace
}  // namespace dp
