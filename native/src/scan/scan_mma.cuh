// Dense scan of FP16 / INT8 codes on the tensor cores (mma.sync m16n8k16, fp16 inputs, fp32 accumulation),
// fused with the block top-k. Used for flat and IVF scans when a row is a multiple of 64 bytes.
//
// A warp scores a tile of 32 rows against the block's query tile (8 or 16 columns). Each lane streams 16-byte
// pieces of its rows (lanes 4g..4g+3 read 64 contiguous bytes of rows g, g+8, g+16, g+24), so every byte of a
// row is read once, coalesced into whole 32-byte sectors, for all queries of the tile at once.
//
// The dot product only needs A (rows x dims) and B (dims x queries) to agree on which dimension sits in which
// k-slot, so the k-slots of each mma are permuted to match what a lane loaded: lane (g, t) of a k-step holds four
// consecutive dimensions in the slots {2t, 2t+1, 2t+8, 2t+9}. That makes a 16-byte load of codes directly an
// A fragment (FP16) or four of them after conversion (INT8), and the weights a plain row of halves in shared
// memory.
//
// Precision: the codes are exact in fp16 (INT8 c in [-128, 127] via the 0x6400 trick). The weights w (q, or
// q*scale for INT8) are scaled per query by a power of two s so that max|w|*s is in [2^13, 2^14), and split into
// hi = fp16(w*s) and lo = fp16(w*s - hi); two mma (hi, lo) give ~22 bits of each weight. score =
// acc / s + q.offset (INT8) + probe bias.
//
// Two tile loops: the per-tile burst (scan_tiles_burst, v1, the loop the library runs) and a software-pipelined
// one (scan_tiles_pipelined, v2, PIPE = true: instantiated only by native/bench/variants/scan_mma_v2.cu; on H100
// the burst loop was as fast or faster, NOTES.md). This header holds the kernel template; scan_mma.cu
// instantiates the library's kernels, the lab the others.
#pragma once

#include <cuda_fp16.h>

#include "scan_common.cuh"
#include "scan_kernels.h"

namespace dp {
namespace {

struct MmaLayout {
  size_t w_hi, w_lo, qbias, qinvs, seg, topk, total;
};

__host__ __device__ inline size_t align_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

__host__ __device__ inline MmaLayout mma_layout(int nt, int dpad, int nseg, int qa, int cap, bool select) {
  const int qt = 8 * nt;
  MmaLayout l;
  size_t off = 0;
  l.w_hi = off;
  off += (size_t)qt * dpad * 2;
  l.w_lo = off;
  off += (size_t)qt * dpad * 2;
  l.qbias = off;
  off += qt * 4;
  l.qinvs = off;
  off += qt * 4;
  off = align_up(off, 16);
  l.seg = off;
  off += SegmentTable::smem_bytes(nseg);
  off = align_up(off, 16);
  l.topk = off;
  off += block_topk_smem(qa, cap, select);
  l.total = align_up(off, 16);
  return l;
}

__device__ __forceinline__ void mma16816(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                         uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

__device__ __forceinline__ uint32_t word(const uint4& v, int i) {
  return i == 0 ? v.x : i == 1 ? v.y : i == 2 ? v.z : v.w;  // i is a compile-time constant after unrolling
}

// Four int8 codes -> two half2 holding the exact values: (b0, b1) and (b2, b3). Byte u = b ^ 0x80 = b + 128 goes
// into the mantissa of a half with exponent 0x64 (value 1024 + u); subtracting 1152 leaves b exactly.
__device__ __forceinline__ void i8x4_to_half2x2(uint32_t w, uint32_t& h01, uint32_t& h23) {
  const uint32_t u = w ^ 0x80808080u;
  uint32_t lo = __byte_perm(u, 0x64646464u, 0x4140);
  uint32_t hi = __byte_perm(u, 0x64646464u, 0x4342);
  const uint32_t bias = 0x64806480u;  // half2(1152, 1152)
  asm("sub.f16x2 %0, %1, %2;" : "=r"(h01) : "r"(lo), "r"(bias));
  asm("sub.f16x2 %0, %1, %2;" : "=r"(h23) : "r"(hi), "r"(bias));
}

// One 64-byte block j of the 32 rows: a[r] holds this lane's 16 bytes of row g + 8r.
template <int TYPE, int NT>
__device__ __forceinline__ void mma_block(const uint4 (&a)[4], int j, const __half* __restrict__ whi,
                                          const __half* __restrict__ wlo, int dpad, int g, int t,
                                          float (&acc)[2][NT][4]) {
  if (TYPE == DP_INT8) {
    // 64 dims; this lane's 16 weights of column (nt*8 + g) start at dim 64j + 16t; k-step i uses dims +4i..+4i+3.
    const int k0 = j * 64 + 16 * t;
#pragma unroll
    for (int hp = 0; hp < 2; ++hp) {  // k-steps 2hp, 2hp+1 share one 16-byte read of hi and of lo per column
      uint4 bh[NT], bl[NT];
#pragma unroll
      for (int nt = 0; nt < NT; ++nt) {
        bh[nt] = *reinterpret_cast<const uint4*>(whi + (nt * 8 + g) * dpad + k0 + 8 * hp);
        bl[nt] = *reinterpret_cast<const uint4*>(wlo + (nt * 8 + g) * dpad + k0 + 8 * hp);
      }
#pragma unroll
      for (int ii = 0; ii < 2; ++ii) {
        const int i = 2 * hp + ii;
        uint32_t A[2][4];
#pragma unroll
        for (int mt = 0; mt < 2; ++mt) {
          i8x4_to_half2x2(word(a[2 * mt], i), A[mt][0], A[mt][2]);
          i8x4_to_half2x2(word(a[2 * mt + 1], i), A[mt][1], A[mt][3]);
        }
#pragma unroll
        for (int nt = 0; nt < NT; ++nt) {
          const uint32_t h0 = word(bh[nt], 2 * ii), h1 = word(bh[nt], 2 * ii + 1);
          const uint32_t l0 = word(bl[nt], 2 * ii), l1 = word(bl[nt], 2 * ii + 1);
#pragma unroll
          for (int mt = 0; mt < 2; ++mt) {
            mma16816(acc[mt][nt], A[mt][0], A[mt][1], A[mt][2], A[mt][3], h0, h1);
            mma16816(acc[mt][nt], A[mt][0], A[mt][1], A[mt][2], A[mt][3], l0, l1);
          }
        }
      }
    }
  } else {
    // FP16: 32 dims; this lane's 8 weights start at dim 32j + 8t; k-step 0 uses +0..+3, k-step 1 +4..+7.
    const int k0 = j * 32 + 8 * t;
    uint4 bh[NT], bl[NT];
#pragma unroll
    for (int nt = 0; nt < NT; ++nt) {
      bh[nt] = *reinterpret_cast<const uint4*>(whi + (nt * 8 + g) * dpad + k0);
      bl[nt] = *reinterpret_cast<const uint4*>(wlo + (nt * 8 + g) * dpad + k0);
    }
#pragma unroll
    for (int ks = 0; ks < 2; ++ks) {
#pragma unroll
      for (int nt = 0; nt < NT; ++nt) {
#pragma unroll
        for (int mt = 0; mt < 2; ++mt) {
          const uint32_t a0 = word(a[2 * mt], 2 * ks), a1 = word(a[2 * mt + 1], 2 * ks);
          const uint32_t a2 = word(a[2 * mt], 2 * ks + 1), a3 = word(a[2 * mt + 1], 2 * ks + 1);
          mma16816(acc[mt][nt], a0, a1, a2, a3, word(bh[nt], 2 * ks), word(bh[nt], 2 * ks + 1));
          mma16816(acc[mt][nt], a0, a1, a2, a3, word(bl[nt], 2 * ks), word(bl[nt], 2 * ks + 1));
        }
      }
    }
  }
}

constexpr int kStage = 2;  // 64-byte blocks per pipeline stage: 2 stages x 2 blocks x 4 rows x 16 B in flight

// A warp's 32-row tile: its first row, the last valid row offset (< 31 only at a segment's end), the segment's
// bias, and this lane's base pointer (16t bytes into the tile's first row). Rows g, g+8, g+16, g+24 are read,
// clamped to the last valid one (those copies are loaded but never pushed).
struct TileRows {
  const char* base;
  int64_t tile;
  int lim;
  float bias;
};

__device__ __forceinline__ TileRows tile_rows(const SegmentTable& st, uint32_t u, const char* codes,
                                              int64_t row_bytes, int t) {
  TileRows r;
  const int s = st.find(u);
  r.tile = st.begin[s] + (int64_t)(u - st.prefix[s]) * kTileRows;
  const int64_t left = st.end[s] - 1 - r.tile;
  r.lim = left < kTileRows - 1 ? (int)left : kTileRows - 1;
  r.bias = st.bias[s];
  r.base = codes + r.tile * row_bytes + 16 * t;
  return r;
}

// Requests blocks j .. j+kStage-1 of rows g + 8r (blocks clamped to the row: the copies are not used).
__device__ __forceinline__ void load_stage(const TileRows& tr, int j, int nb, int64_t row_bytes, int g,
                                           uint4 (&s)[kStage][4]) {
#pragma unroll
  for (int v = 0; v < kStage; ++v) {
    const int jj = min(j + v, nb - 1);
#pragma unroll
    for (int r = 0; r < 4; ++r)
      s[v][r] = ld_stream16(tr.base + (int64_t)min(g + 8 * r, tr.lim) * row_bytes + ((int64_t)jj << 6));
  }
}

template <int TYPE, int NT>
__device__ __forceinline__ void compute_stage(const uint4 (&s)[kStage][4], int j, int nb,
                                              const __half* __restrict__ whi, const __half* __restrict__ wlo,
                                              int dpad, int g, int t, float (&acc)[2][NT][4]) {
#pragma unroll
  for (int v = 0; v < kStage; ++v)
    if (j + v < nb) mma_block<TYPE, NT>(s[v], j + v, whi, wlo, dpad, g, t, acc);
}

// acc[mt][nt][2h + e] is row mt*16 + g + 8h, column nt*8 + 2t + e: pushes the valid rows' scores.
template <int NT>
__device__ __forceinline__ void push_tile(BlockTopK& top, const float (&acc)[2][NT][4], int64_t tile, int lim,
                                          float sbias, int qa, const float* qbias, const float* qinvs, int g,
                                          int t) {
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int local = mt * 16 + g + 8 * h;
      if (local <= lim) {
#pragma unroll
        for (int nt = 0; nt < NT; ++nt)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            const int col = nt * 8 + 2 * t + e;
            if (col < qa)
              top.push(col, fmaf(acc[mt][nt][2 * h + e], qinvs[col], qbias[col] + sbias), (uint32_t)(tile + local));
          }
      }
    }
}

template <int NT>
__device__ __forceinline__ void zero(float (&acc)[2][NT][4]) {
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
#pragma unroll
    for (int nt = 0; nt < NT; ++nt)
#pragma unroll
      for (int e = 0; e < 4; ++e) acc[mt][nt][e] = 0.f;
}

// The warp's tiles are u = warp, warp + 8, ...; the loads of the next kStage 64-byte blocks are always in flight
// while the current ones are multiplied, also across tiles: the first blocks of the next tile are requested
// before this tile's pushes and the round's barriers.
template <int TYPE, int NT, bool SEL>
__device__ __forceinline__ void scan_tiles_pipelined(const ScanParams& p, const BlockQueries& bq,
                                                     const SegmentTable& st, BlockTopK& top,
                                                     const __half* whi, const __half* wlo, const float* qbias,
                                                     const float* qinvs, int warp, int g, int t) {
  const uint32_t total = st.total();
  const int nb = (int)(p.row_bytes >> 6);
  const char* codes = static_cast<const char*>(p.codes);
  TileRows cur;
  uint4 sa[kStage][4], sb[kStage][4];
  if ((uint32_t)warp < total) {
    cur = tile_rows(st, warp, codes, p.row_bytes, t);
    load_stage(cur, 0, nb, p.row_bytes, g, sa);
  }
  for (uint32_t u0 = 0; u0 < total; u0 += kScanWarps) {
    const uint32_t u = u0 + warp;
    if (u < total) {
      const int64_t tile = cur.tile;
      const int lim = cur.lim;
      const float sbias = cur.bias;
      const bool has_next = u + kScanWarps < total;
      float acc[2][NT][4];
      zero<NT>(acc);
      // Stages of kStage blocks alternate between sa and sb; the one after the last holds the next tile's first.
      bool next_in_sb = false;
      for (int j = 0; j < nb; j += 2 * kStage) {
        if (j + kStage < nb) {
          load_stage(cur, j + kStage, nb, p.row_bytes, g, sb);
        } else if (has_next) {
          cur = tile_rows(st, u + kScanWarps, codes, p.row_bytes, t);
          load_stage(cur, 0, nb, p.row_bytes, g, sb);
          next_in_sb = true;
        }
        compute_stage<TYPE, NT>(sa, j, nb, whi, wlo, p.dpad, g, t, acc);
        if (j + kStage >= nb) break;
        if (j + 2 * kStage < nb) {
          load_stage(cur, j + 2 * kStage, nb, p.row_bytes, g, sa);
        } else if (has_next) {
          cur = tile_rows(st, u + kScanWarps, codes, p.row_bytes, t);
          load_stage(cur, 0, nb, p.row_bytes, g, sa);
        }
        compute_stage<TYPE, NT>(sb, j + kStage, nb, whi, wlo, p.dpad, g, t, acc);
      }
      if (next_in_sb) {
#pragma unroll
        for (int v = 0; v < kStage; ++v)
#pragma unroll
          for (int r = 0; r < 4; ++r) sa[v][r] = sb[v][r];
      }
      push_tile<NT>(top, acc, tile, lim, sbias, bq.qa, qbias, qinvs, g, t);
    }
    top.end_round<SEL>(kScanRound);
  }
}

// The first version: per tile, groups of kBurst blocks are requested, then multiplied (no overlap inside a warp
// between a group's loads and the previous group's math; other warps fill in).
constexpr int kBurst = 4;

template <int TYPE, int NT, bool SEL>
__device__ __forceinline__ void scan_tiles_burst(const ScanParams& p, const BlockQueries& bq, const SegmentTable& st,
                                                 BlockTopK& top, const __half* whi, const __half* wlo,
                                                 const float* qbias, const float* qinvs, int warp, int g, int t) {
  const uint32_t total = st.total();
  const int nb = (int)(p.row_bytes >> 6);
  const char* codes = static_cast<const char*>(p.codes);
  for (uint32_t u0 = 0; u0 < total; u0 += kScanWarps) {
    const uint32_t u = u0 + warp;
    if (u < total) {
      const TileRows tr = tile_rows(st, u, codes, p.row_bytes, t);
      float acc[2][NT][4];
      zero<NT>(acc);
      for (int j0 = 0; j0 < nb; j0 += kBurst) {
        uint4 a[kBurst][4];
#pragma unroll
        for (int v = 0; v < kBurst; ++v) {
          const int j = min(j0 + v, nb - 1);
#pragma unroll
          for (int r = 0; r < 4; ++r)
            a[v][r] = ld_stream16(tr.base + (int64_t)min(g + 8 * r, tr.lim) * p.row_bytes + ((int64_t)j << 6));
        }
#pragma unroll
        for (int v = 0; v < kBurst; ++v)
          if (j0 + v < nb) mma_block<TYPE, NT>(a[v], j0 + v, whi, wlo, p.dpad, g, t, acc);
      }
      push_tile<NT>(top, acc, tr.tile, tr.lim, tr.bias, bq.qa, qbias, qinvs, g, t);
    }
    top.end_round<SEL>(kScanRound);
  }
}

// SEL: the radix-select top-k between rounds (p.topk_select); a template parameter so that the default kernels
// keep their registers (128 at most: two blocks per SM) and carry none of its code.
template <int TYPE, int NT, bool PIPE, bool SEL>
__global__ void __launch_bounds__(kScanThreads, 2) scan_mma_kernel(const ScanParams p) {
  constexpr int QT = 8 * NT;
  extern __shared__ __align__(16) unsigned char smem[];
  const BlockQueries bq = block_queries(p);
  const int nseg = p.ivf ? kMaxSegments : 1;
  const MmaLayout L = mma_layout(NT, p.dpad, nseg, p.qa, p.cap, SEL);
  __half* whi = reinterpret_cast<__half*>(smem + L.w_hi);
  __half* wlo = reinterpret_cast<__half*>(smem + L.w_lo);
  float* qbias = reinterpret_cast<float*>(smem + L.qbias);
  float* qinvs = reinterpret_cast<float*>(smem + L.qinvs);
  SegmentTable st;
  st.carve(smem + L.seg, nseg);
  BlockTopK top;
  top.carve(smem + L.topk, bq.qa, p.cap, p.k, SEL);
  top.init(p.init_thresh != nullptr ? p.init_thresh + (size_t)bq.q0 * p.init_stride : nullptr, p.init_stride);

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, g = lane >> 2, t = lane & 3;
  const int dim = p.dim;

  // Weights of the query tile, one warp per column; columns beyond the block's queries are zero.
  for (int col = warp; col < QT; col += kScanWarps) {
    if (col < bq.qa) {
      const float* q = p.queries + (int64_t)(bq.q0 + col) * dim;
      float mx = 0.f, bias = 0.f;
      for (int d = lane; d < dim; d += 32) {
        float w = q[d];
        if (TYPE == DP_INT8) {
          bias = fmaf(w, p.offset[d], bias);
          w *= p.scale[d];
        }
        mx = fmaxf(mx, fabsf(w));
      }
#pragma unroll
      for (int off = 16; off > 0; off >>= 1) {
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
        bias += __shfl_xor_sync(0xffffffffu, bias, off);
      }
      int e = 0;
      frexpf(mx, &e);  // mx = f * 2^e, f in [0.5, 1)
      int sh = mx > 0.f ? 14 - e : 0;
      sh = max(-120, min(120, sh));
      const float s = ldexpf(1.f, sh);
      for (int d = lane; d < dim; d += 32) {
        float w = q[d];
        if (TYPE == DP_INT8) w *= p.scale[d];
        const float x = w * s;
        const __half h = __float2half_rn(x);
        whi[col * p.dpad + d] = h;
        wlo[col * p.dpad + d] = __float2half_rn(x - __half2float(h));
      }
      if (lane == 0) {
        qbias[col] = bias;
        qinvs[col] = ldexpf(1.f, -sh);
      }
    } else {
      for (int d = lane; d < dim; d += 32) {
        whi[col * p.dpad + d] = __float2half_rn(0.f);
        wlo[col * p.dpad + d] = __float2half_rn(0.f);
      }
      if (lane == 0) {
        qbias[col] = 0.f;
        qinvs[col] = 0.f;
      }
    }
  }
  build_segments(p, bq, kTileRows, st);  // ends with a barrier: weights and top-k state are visible

  if (PIPE)
    scan_tiles_pipelined<TYPE, NT, SEL>(p, bq, st, top, whi, wlo, qbias, qinvs, warp, g, t);
  else
    scan_tiles_burst<TYPE, NT, SEL>(p, bq, st, top, whi, wlo, qbias, qinvs, warp, g, t);
  top.reduce();
  write_partial(p, bq, top);
}

template <int TYPE, int NT, bool PIPE, bool SEL>
const void* mma_kernel_ptr() {
  return reinterpret_cast<const void*>(&scan_mma_kernel<TYPE, NT, PIPE, SEL>);
}


}  // namespace
}  // namespace dp
