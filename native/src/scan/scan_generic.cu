// Dense scan of FP32 / FP16 / INT8 codes on the CUDA cores, for any dim and alignment (the fallback of
// scan_mma.cu, and the FP32 path), fused with the block top-k.
//
// A warp scores a 32-row tile, one row per lane, walking the dimensions in step: every lane reads the same
// weights (shared-memory broadcast, (dim)(query) so a 16-byte read gives four queries) and its own row; the rows
// of a tile share cache lines, which L1 keeps while the warp walks them.
#include <cuda_fp16.h>

#include "../common/status.h"
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
  top.init();

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

// FP32 rows a multiple of 64 bytes, coalesced (tuning().scan_f32_coalesced): the tile and loads of the tensor-core
// scans (a warp scores 32 rows; lanes 4g..4g+3 read 64 contiguous bytes of rows g, g+8, g+16, g+24 as 16-byte
// streaming loads), so a warp's load touches 8 cache lines instead of the 32 of the one-row-per-lane loop above,
// whose L1 wavefronts (32 per load, ~16 bytes per SM cycle) sit at about the H200's read bandwidth. Lane (g, t)
// multiplies its 4 floats (dims 16j + 4t .. + 3) of each of its 4 rows by the QS weights of those dims, and the 4
// lanes of a row add their sums with two shuffles; lane t pushes the queries j with j % 4 == t. Weights in shared
// memory per group of 4 dims, (dim in group)(QS), groups padded by 4 floats so that the 4 lanes t of a phase read
// different banks.
__host__ __device__ inline size_t f32c_group_floats(int qs) { return (size_t)4 * qs + 4; }

__host__ __device__ inline GenericLayout f32c_layout(int qs, int dim, int nseg, int qa, int cap) {
  GenericLayout l;
  size_t off = 0;
  l.w = off;
  off += (size_t)((dim + 3) / 4) * f32c_group_floats(qs) * 4;
  l.qbias = off;
  off = align_up16(off);
  l.seg = off;
  off += SegmentTable::smem_bytes(nseg);
  off = align_up16(off);
  l.topk = off;
  off += block_topk_smem(qa, cap);
  l.total = align_up16(off);
  return l;
}

template <int QS>
__global__ void __launch_bounds__(kScanThreads) scan_f32c_kernel(const ScanParams p) {
  extern __shared__ __align__(16) unsigned char smem[];
  const BlockQueries bq = block_queries(p);
  const int nseg = p.ivf ? kMaxSegments : 1;
  const GenericLayout L = f32c_layout(QS, p.dim, nseg, p.qa, p.cap);
  float* wt = reinterpret_cast<float*>(smem + L.w);
  SegmentTable st;
  st.carve(smem + L.seg, nseg);
  BlockTopK top;
  top.carve(smem + L.topk, bq.qa, p.cap, p.k);
  top.init();

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, g = lane >> 2, t = lane & 3;
  const int dim = p.dim;
  constexpr int GF = 4 * QS + 4;
  for (int e = tid; e < dim * QS; e += kScanThreads) {
    const int d = e / QS, j = e % QS;
    wt[(d >> 2) * GF + (d & 3) * QS + j] = j < bq.qa ? p.queries[(int64_t)(bq.q0 + j) * dim + d] : 0.f;
  }
  build_segments(p, bq, kTileRows, st);  // ends with a barrier

  const uint32_t total = st.total();
  const int nb = (int)(p.row_bytes >> 6);
  const char* codes = static_cast<const char*>(p.codes);
  for (uint32_t u0 = 0; u0 < total; u0 += kScanWarps) {
    const uint32_t u = u0 + warp;
    if (u < total) {
      const int s = st.find(u);
      const int64_t tile = st.begin[s] + (int64_t)(u - st.prefix[s]) * kTileRows;
      const int64_t left = st.end[s] - 1 - tile;
      const int lim = left < kTileRows - 1 ? (int)left : kTileRows - 1;
      const char* base = codes + tile * p.row_bytes + 16 * t;
      float acc[4][QS];
#pragma unroll
      for (int r = 0; r < 4; ++r)
#pragma unroll
        for (int j = 0; j < QS; ++j) acc[r][j] = 0.f;
#pragma unroll 2
      for (int b = 0; b < nb; ++b) {
        uint4 a[4];
#pragma unroll
        for (int r = 0; r < 4; ++r) a[r] = ld_stream16(base + (int64_t)min(g + 8 * r, lim) * p.row_bytes + ((int64_t)b << 6));
        const float* wg = wt + (4 * b + t) * GF;
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          float x[4];
#pragma unroll
          for (int r = 0; r < 4; ++r) x[r] = elem16<DP_FP32>(a[r], e);
          if (QS == 1) {
            const float w = wg[e];
#pragma unroll
            for (int r = 0; r < 4; ++r) acc[r][0] = fmaf(w, x[r], acc[r][0]);
          } else {
            const float4* w4 = reinterpret_cast<const float4*>(wg + e * QS);
#pragma unroll
            for (int j4 = 0; j4 < QS / 4; ++j4) {
              const float4 w = w4[j4];
#pragma unroll
              for (int r = 0; r < 4; ++r) {
                acc[r][4 * j4 + 0] = fmaf(w.x, x[r], acc[r][4 * j4 + 0]);
                acc[r][4 * j4 + 1] = fmaf(w.y, x[r], acc[r][4 * j4 + 1]);
                acc[r][4 * j4 + 2] = fmaf(w.z, x[r], acc[r][4 * j4 + 2]);
                acc[r][4 * j4 + 3] = fmaf(w.w, x[r], acc[r][4 * j4 + 3]);
              }
            }
          }
        }
      }
      const float sbias = st.bias[s];
#pragma unroll
      for (int r = 0; r < 4; ++r)
#pragma unroll
        for (int j = 0; j < QS; ++j) {
          float v = acc[r][j];
          v += __shfl_xor_sync(0xffffffffu, v, 1);
          v += __shfl_xor_sync(0xffffffffu, v, 2);
          if ((j & 3) == t && j < bq.qa && g + 8 * r <= lim) top.push(j, v + sbias, (uint32_t)(tile + g + 8 * r));
        }
    }
    top.end_round(kScanRound);
  }
  top.reduce();
  write_partial(p, bq, top);
}

template <int QS>
const void* f32c_ptr() {
  return reinterpret_cast<const void*>(&scan_f32c_kernel<QS>);
}

const void* f32c_kernel(int qs) { return qs == 16 ? f32c_ptr<16>() : qs == 4 ? f32c_ptr<4>() : f32c_ptr<1>(); }

template <int TYPE, int QS, bool VEC>
const void* ptr() {
  return reinterpret_cast<const void*>(&scan_generic_kernel<TYPE, QS, VEC>);
}

template <int TYPE, bool VEC>
const void* generic_kernel_t(int qs) {
  return qs == 16 ? ptr<TYPE, 16, VEC>() : qs == 4 ? ptr<TYPE, 4, VEC>() : ptr<TYPE, 1, VEC>();
}

template <bool VEC>
const void* generic_kernel_v(int type, int qs) {
  return type == DP_FP32 ? generic_kernel_t<DP_FP32, VEC>(qs)
         : type == DP_FP16 ? generic_kernel_t<DP_FP16, VEC>(qs)
                           : generic_kernel_t<DP_INT8, VEC>(qs);
}

const void* generic_kernel(int type, int qs, bool vec) {
  return vec ? generic_kernel_v<true>(type, qs) : generic_kernel_v<false>(type, qs);
}

template <int TYPE, bool VEC>
void launch_t(const ScanParams& p, int qs, int blocks, size_t smem, cudaStream_t stream) {
  if (qs == 16)
    scan_generic_kernel<TYPE, 16, VEC><<<blocks, kScanThreads, smem, stream>>>(p);
  else if (qs == 4)
    scan_generic_kernel<TYPE, 4, VEC><<<blocks, kScanThreads, smem, stream>>>(p);
  else
    scan_generic_kernel<TYPE, 1, VEC><<<blocks, kScanThreads, smem, stream>>>(p);
}

template <bool VEC>
void launch_v(const ScanParams& p, int qs, int blocks, size_t smem, cudaStream_t stream) {
  if (p.type == DP_FP32)
    launch_t<DP_FP32, VEC>(p, qs, blocks, smem, stream);
  else if (p.type == DP_FP16)
    launch_t<DP_FP16, VEC>(p, qs, blocks, smem, stream);
  else
    launch_t<DP_INT8, VEC>(p, qs, blocks, smem, stream);
}

bool vec_rows(const ScanParams& p) {
  return p.row_bytes % 16 == 0 && (reinterpret_cast<uintptr_t>(p.codes) & 15) == 0;
}

}  // namespace

size_t scan_generic_smem(int qs, int dim, int ivf, int qa, int cap, bool f32c) {
  return f32c ? f32c_layout(qs, dim, ivf ? kMaxSegments : 1, qa, cap).total
              : generic_layout(qs, dim, ivf ? kMaxSegments : 1, qa, cap).total;
}

bool scan_f32c_supported(const ScanParams& p) {
  return p.type == DP_FP32 && p.row_bytes % 64 == 0 && (reinterpret_cast<uintptr_t>(p.codes) & 15) == 0;
}

int scan_generic_occupancy(const ScanParams& p, int qs, size_t smem) {
  const void* k = p.f32_coalesced ? f32c_kernel(qs) : generic_kernel(p.type, qs, vec_rows(p));
  DP_CUDA(cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  int blocks = 0;
  DP_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, k, kScanThreads, smem));
  return blocks;
}

void dp_run_scan_generic(const ScanParams& p, int qs, int blocks, size_t smem, cudaStream_t stream) {
  if (p.f32_coalesced) {
    DP_CUDA(cudaFuncSetAttribute(f32c_kernel(qs), cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
    if (qs == 16)
      scan_f32c_kernel<16><<<blocks, kScanThreads, smem, stream>>>(p);
    else if (qs == 4)
      scan_f32c_kernel<4><<<blocks, kScanThreads, smem, stream>>>(p);
    else
      scan_f32c_kernel<1><<<blocks, kScanThreads, smem, stream>>>(p);
    check_launch("scan_f32c_kernel");
    return;
  }
  const bool vec = vec_rows(p);
  DP_CUDA(cudaFuncSetAttribute(generic_kernel(p.type, qs, vec), cudaFuncAttributeMaxDynamicSharedMemorySize,
                               (int)smem));
  if (vec)
    launch_v<true>(p, qs, blocks, smem, stream);
  else
    launch_v<false>(p, qs, blocks, smem, stream);
  check_launch("scan_generic_kernel");
}

}  // namespace dp
