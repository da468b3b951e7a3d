// The coalesced FP32 CUDA-core scan (scan_f32c_kernel; ScanConfig::f32): FP32 rows a multiple of 64 bytes, built
// from the CUDA-core scan's helpers (scan_generic.cuh). The library's FP32 kernel where it applies (1.22-1.62x the
// one-row-per-lane kernel on the H200, 1.33-1.47x on the H100: native/NOTES.md); other rows keep scan_generic_kernel.
#include "scan_generic.cuh"
#include "scan_kernels.h"

namespace dp {
namespace {

// FP32 rows a multiple of 64 bytes, coalesced: the tile and loads of the tensor-core
// scans (a warp scores 32 rows; lanes 4g..4g+3 read 64 contiguous bytes of rows g, g+8, g+16, g+24 as 16-byte
// streaming loads), so a warp's load touches 8 cache lines instead of the 32 of scan_generic_kernel's one row per lane,
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
  top.init(p.init_thresh != nullptr ? p.init_thresh + (size_t)bq.q0 * p.init_stride : nullptr, p.init_stride);

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

bool f32c_supported(const ScanParams& p) {
  return p.type == DP_FP32 && p.row_bytes % 64 == 0 && (reinterpret_cast<uintptr_t>(p.codes) & 15) == 0;
}

size_t f32c_smem(int qs, int dim, int ivf, int qa, int cap) {
  return f32c_layout(qs, dim, ivf ? kMaxSegments : 1, qa, cap).total;
}

}  // namespace

F32Kernels f32c_kernels() { return F32Kernels{&f32c_supported, &f32c_smem, &f32c_kernel}; }

}  // namespace dp
