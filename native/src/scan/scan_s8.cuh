// Dense scan of INT8 codes on the int8 tensor cores (mma.sync m16n8k32, s8 x s8 -> s32), fused with the block
// top-k. Same tiles and loads as scan_mma.cu (a warp scores 32 rows; lanes 4g..4g+3 read 64 contiguous bytes of
// rows g, g+8, g+16, g+24 as 16-byte loads), but the codes go to the mma as they are: no int8 -> fp16 conversion,
// and one m16n8k32 covers 32 dimensions where the fp16 kernel needs two m16n8k16 per weight piece.
//
// k-slot permutation: lane (g, t) of mma i (i = 0, 1) of 64-byte block j holds, per row, the dimensions
// 64j + 16t + 8i + {0..3} in slots 4t..4t+3 and + {4..7} in slots 16+4t..16+4t+3; so the 16 bytes a lane loaded
// are the A words of both mma (words 2i, 2i+1), and B is a plain int8 row of weights in shared memory (one 16-byte
// read per column tile and piece covers both mma).
//
// Queries are quantized per query: w = q (times scale for INT8) is scaled by s = W / max|w| and rounded to the
// integer v (|v| <= W); v is split into P int8 pieces, v = sum_p piece_p * 128^(P-1-p) (each piece rounded to
// nearest, |piece| <= 127 for the first and <= 64 for the others). W = 127 * 128^(P-1): P = 3 keeps |v| < 2^21,
// ~21 bits per weight (the fp16 kernel's hi + lo keeps ~22); P = 2 keeps ~15 bits. Each piece has its own s32
// accumulator, exact (|piece * code| <= 127 * 128, times dim <= DP_MAX_DIM stays far below 2^31); the pieces are
// combined in int64 and converted to float once: score = combined / s + q.offset + probe bias.
//
// This header holds the kernel template; scan_s8.cu instantiates the library's kernels (P = 2, the burst loop),
// native/bench/variants/scan_s8_variants.cu the lab's (P = 3, and P = 2 with the pipelined loads).
#pragma once

#include <cuda_runtime.h>

#include "scan_common.cuh"
#include "scan_kernels.h"

namespace dp {
namespace {

struct S8Layout {
  size_t w8, qbias, qinvs, seg, topk, total;
};

__host__ __device__ inline size_t align16(size_t x) { return (x + 15) / 16 * 16; }

// (piece)(column)(dpad) int8 weights, then (column) bias and 1/s, the segment table and the top-k buffers.
__host__ __device__ inline S8Layout s8_layout(int nt, int pieces, int dpad, int nseg, int qa, int cap, bool select) {
  const int qt = 8 * nt;
  S8Layout l;
  size_t off = 0;
  l.w8 = off;
  off += (size_t)pieces * qt * dpad;
  l.qbias = off;
  off += qt * 4;
  l.qinvs = off;
  off += qt * 4;
  off = align16(off);
  l.seg = off;
  off += SegmentTable::smem_bytes(nseg);
  off = align16(off);
  l.topk = off;
  off += block_topk_smem(qa, cap, select);
  l.total = align16(off);
  return l;
}

__device__ __forceinline__ void mma_s8(int (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                                       uint32_t b1) {
  asm("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};"
      : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

__device__ __forceinline__ uint32_t word(const uint4& v, int i) {
  return i == 0 ? v.x : i == 1 ? v.y : i == 2 ? v.z : v.w;  // i is a compile-time constant after unrolling
}

// One 64-byte block j of the 32 rows: a[r] holds this lane's 16 bytes of row g + 8r.
template <int NT, int P>
__device__ __forceinline__ void s8_block(const uint4 (&a)[4], int j, const int8_t* __restrict__ w8, int plane,
                                         int dpad, int g, int t, int (&acc)[P][2][NT][4]) {
  const int k0 = j * 64 + 16 * t;
#pragma unroll
  for (int nt = 0; nt < NT; ++nt) {
#pragma unroll
    for (int pc = 0; pc < P; ++pc) {
      const uint4 b = *reinterpret_cast<const uint4*>(w8 + pc * plane + (nt * 8 + g) * dpad + k0);
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int mt = 0; mt < 2; ++mt)
          mma_s8(acc[pc][mt][nt], word(a[2 * mt], 2 * i), word(a[2 * mt + 1], 2 * i), word(a[2 * mt], 2 * i + 1),
                 word(a[2 * mt + 1], 2 * i + 1), word(b, 2 * i), word(b, 2 * i + 1));
    }
  }
}

// acc[p][mt][nt][2h + e] is row mt*16 + g + 8h, column nt*8 + 2t + e: pushes the valid rows' scores.
template <int NT, int P>
__device__ __forceinline__ void push_tile_s8(BlockTopK& top, const int (&acc)[P][2][NT][4], int64_t tile, int lim,
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
            if (col < qa) {
              long long v = acc[0][mt][nt][2 * h + e];
#pragma unroll
              for (int pc = 1; pc < P; ++pc) v = v * 128 + acc[pc][mt][nt][2 * h + e];
              top.push(col, fmaf(__ll2float_rn(v), qinvs[col], qbias[col] + sbias), (uint32_t)(tile + local));
            }
          }
      }
    }
}

// This lane's 16 bytes of rows g, g+8, g+16, g+24 (clamped to the tile's last valid row) in the BURST 64-byte
// blocks from j0 (clamped to the last block; the callers skip the copies past it).
template <int BURST>
__device__ __forceinline__ void s8_load(uint4 (&a)[BURST][4], const char* base, int j0, int nb, int lim,
                                        int64_t row_bytes, int g) {
#pragma unroll
  for (int v = 0; v < BURST; ++v) {
    const int j = min(j0 + v, nb - 1);
#pragma unroll
    for (int r = 0; r < 4; ++r) a[v][r] = ld_stream16(base + (int64_t)min(g + 8 * r, lim) * row_bytes + ((int64_t)j << 6));
  }
}

// Per tile, groups of BURST 64-byte blocks are requested, then multiplied (scan_mma.cu's v1 loop); PIPE: the
// next group is requested before the current one is multiplied (the lab's scan_s8_pipelined).
template <int NT, int P, bool PIPE>
__global__ void __launch_bounds__(kScanThreads, 1) scan_s8_kernel(const ScanParams p) {
  constexpr int QT = 8 * NT;
  // registers: P*2*NT*4 accumulators + BURST*16 code words (twice with PIPE: two buffers of 2 blocks)
  constexpr int BURST = (PIPE || NT >= 4) ? 2 : 4;
  extern __shared__ __align__(16) unsigned char smem[];
  const BlockQueries bq = block_queries(p);
  const int nseg = p.ivf ? kMaxSegments : 1;
  const S8Layout L = s8_layout(NT, P, p.dpad, nseg, p.qa, p.cap, p.topk_select != 0);
  int8_t* w8 = reinterpret_cast<int8_t*>(smem + L.w8);
  float* qbias = reinterpret_cast<float*>(smem + L.qbias);
  float* qinvs = reinterpret_cast<float*>(smem + L.qinvs);
  const int plane = QT * p.dpad;
  SegmentTable st;
  st.carve(smem + L.seg, nseg);
  BlockTopK top;
  top.carve(smem + L.topk, bq.qa, p.cap, p.k, p.topk_select != 0);
  top.init(p.init_thresh != nullptr ? p.init_thresh + (size_t)bq.q0 * p.init_stride : nullptr, p.init_stride);

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, g = lane >> 2, t = lane & 3;
  const int dim = p.dim;
  const bool int8 = p.type == DP_INT8;

  // Quantized weights of the query tile, one warp per column; columns beyond the block's queries are zero.
  constexpr float W = P == 3 ? 127.f * 16384.f : 127.f * 128.f;
  for (int col = warp; col < QT; col += kScanWarps) {
    float mx = 0.f, bias = 0.f;
    const bool live = col < bq.qa;
    const float* q = p.queries + (int64_t)(bq.q0 + (live ? col : 0)) * dim;
    if (live) {
      for (int d = lane; d < dim; d += 32) {
        float w = q[d];
        if (int8) {
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
    }
    const float s = mx > 0.f ? W / mx : 0.f;
    for (int d = lane; d < dim; d += 32) {
      float w = live ? q[d] : 0.f;
      if (int8 && live) w *= p.scale[d];
      const float v = fminf(W, fmaxf(-W, rintf(w * s)));  // an integer, |v| <= W < 2^21: exact in float
      if (P == 3) {
        const float hi = rintf(v * (1.f / 16384.f));
        const float r = v - hi * 16384.f;
        const float mid = rintf(r * (1.f / 128.f));
        w8[0 * plane + col * p.dpad + d] = (int8_t)(int)hi;
        w8[1 * plane + col * p.dpad + d] = (int8_t)(int)mid;
        w8[2 * plane + col * p.dpad + d] = (int8_t)(int)(r - mid * 128.f);
      } else {
        const float hi = rintf(v * (1.f / 128.f));
        w8[0 * plane + col * p.dpad + d] = (int8_t)(int)hi;
        w8[1 * plane + col * p.dpad + d] = (int8_t)(int)(v - hi * 128.f);
      }
    }
    if (lane == 0) {
      qbias[col] = bias;
      qinvs[col] = mx > 0.f ? mx / W : 0.f;
    }
  }
  build_segments(p, bq, kTileRows, st);  // ends with a barrier: weights and top-k state are visible

  const uint32_t total = st.total();
  const int nb = (int)(p.row_bytes >> 6);
  const char* codes = static_cast<const char*>(p.codes);
  // PIPE: the two code buffers live across tiles: when a tile's bursts are even in number, its last burst is in y
  // and x is free, so x takes the first burst of this warp's next tile (u + kScanWarps, the next round) before the
  // last burst is multiplied, the push and the round's barrier (have_next).
  uint4 x[BURST][4], y[BURST][4];
  bool have_next = false;
  for (uint32_t u0 = 0; u0 < total; u0 += kScanWarps) {
    const uint32_t u = u0 + warp;
    if (u < total) {
      const int s = st.find(u);
      const int64_t tile = st.begin[s] + (int64_t)(u - st.prefix[s]) * kTileRows;
      const int64_t left = st.end[s] - 1 - tile;
      const int lim = left < kTileRows - 1 ? (int)left : kTileRows - 1;
      const char* base = codes + tile * p.row_bytes + 16 * t;
      if (p.l2_prefetch && lane == 0) prefetch_tile_l2(st, u + kScanWarps, codes, p.row_bytes, kTileRows);
      int acc[P][2][NT][4];
#pragma unroll
      for (int pc = 0; pc < P; ++pc)
#pragma unroll
        for (int mt = 0; mt < 2; ++mt)
#pragma unroll
          for (int nt = 0; nt < NT; ++nt)
#pragma unroll
            for (int e = 0; e < 4; ++e) acc[pc][mt][nt][e] = 0;
      if (PIPE) {
        // Double buffer: burst b + 1 is requested before burst b is multiplied (buffers x and y alternate; the
        // loop is unrolled by two so that each buffer is a named register array).
        if (!have_next) s8_load<BURST>(x, base, 0, nb, lim, p.row_bytes, g);
        have_next = false;
        for (int j0 = 0; j0 < nb; j0 += 2 * BURST) {
          if (j0 + BURST < nb) s8_load<BURST>(y, base, j0 + BURST, nb, lim, p.row_bytes, g);
#pragma unroll
          for (int v = 0; v < BURST; ++v)
            if (j0 + v < nb) s8_block<NT, P>(x[v], j0 + v, w8, plane, p.dpad, g, t, acc);
          if (j0 + BURST >= nb) break;
          if (j0 + 2 * BURST < nb) {
            s8_load<BURST>(x, base, j0 + 2 * BURST, nb, lim, p.row_bytes, g);
          } else if (u + kScanWarps < total) {  // y holds the last burst: x takes the next tile's first
            const uint32_t un = u + kScanWarps;
            const int sn = st.find(un);
            const int64_t tn = st.begin[sn] + (int64_t)(un - st.prefix[sn]) * kTileRows;
            const int64_t ln = st.end[sn] - 1 - tn;
            s8_load<BURST>(x, codes + tn * p.row_bytes + 16 * t, 0, nb, ln < kTileRows - 1 ? (int)ln : kTileRows - 1,
                           p.row_bytes, g);
            have_next = true;
          }
#pragma unroll
          for (int v = 0; v < BURST; ++v)
            if (j0 + BURST + v < nb) s8_block<NT, P>(y[v], j0 + BURST + v, w8, plane, p.dpad, g, t, acc);
        }
      } else {
        for (int j0 = 0; j0 < nb; j0 += BURST) {
          uint4 a[BURST][4];
          s8_load<BURST>(a, base, j0, nb, lim, p.row_bytes, g);
#pragma unroll
          for (int v = 0; v < BURST; ++v)
            if (j0 + v < nb) s8_block<NT, P>(a[v], j0 + v, w8, plane, p.dpad, g, t, acc);
        }
      }
      push_tile_s8<NT, P>(top, acc, tile, lim, st.bias[s], bq.qa, qbias, qinvs, g, t);
    }
    top.end_round<true>(kScanRound);
  }
  top.reduce();
  write_partial(p, bq, top);
}

template <int NT, int P, bool PIPE>
const void* s8_ptr() {
  return reinterpret_cast<const void*>(&scan_s8_kernel<NT, P, PIPE>);
}

// The instantiation for nt = query columns / 8 (1, 2 or 4).
template <int P, bool PIPE>
const void* s8_kernel_p(int nt) {
  return nt == 4 ? s8_ptr<4, P, PIPE>() : nt == 2 ? s8_ptr<2, P, PIPE>() : s8_ptr<1, P, PIPE>();
}

}  // namespace
}  // namespace dp
