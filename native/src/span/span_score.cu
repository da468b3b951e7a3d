// Fused start/end span scoring with the per-question top-k, in one launch. Two kernels (native/NOTES.md):
//
// v5, span_stream_kernel (default for FP32 / FP16 with 16-byte rows and dim <= 1024): a persistent grid, one range
// of the flattened (question)(candidate) list per warp, candidates in batches of 32 (a lane each: id, document
// search), their partner rows streamed through a per-warp ring of cp.async shared-memory stages; see below.
//
// v4, span_score_kernel (INT8 and the other cases): grid (question)(slice); a block scores one slice of a
// question's candidates, a warp one candidate at a time: binary search of the candidate's document, its own score,
// then the up to L partner scores in order of distance (four rows per step, 16-byte loads, a butterfly sum per
// row), keeping the first best. Partner windows of nearby candidates overlap and come from L1/L2.
//
// Both write cand_other / cand_score; the block that completes a question (a counter per question, fenced)
// selects the question's top-k from cand_score with the shared-memory top-k. No (candidate)(L) matrix exists
// anywhere.
#include <cuda_fp16.h>

#include <mutex>
#include <vector>

#include "../common/block_topk.cuh"
#include "../common/status.h"
#include "span_kernels.h"

namespace dp {
namespace {

constexpr int kSpanThreads = 256;
constexpr int kSpanWarps = kSpanThreads / 32;
constexpr int kRows = 4;  // partner rows per step

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

template <int TYPE>
__device__ __forceinline__ float elem(const void* tokens, int64_t i) {
  if (TYPE == DP_FP32) return __ldg(static_cast<const float*>(tokens) + i);
  if (TYPE == DP_FP16) return __half2float(__ldg(static_cast<const __half*>(tokens) + i));
  return (float)__ldg(static_cast<const signed char*>(tokens) + i);
}

// Warp-wide dots of N rows with w, and (OWN) of row 0 with w2 as well, from the same loads (every lane gets all
// sums). VEC: 16-byte pieces of the rows, else single elements.
template <int TYPE, bool VEC, int N, bool OWN>
__device__ __forceinline__ void dot_rows(const SpanParams& p, const int64_t (&rows)[N], const float* __restrict__ w,
                                         const float* __restrict__ w2, int lane, float (&out)[N], float& own) {
#pragma unroll
  for (int r = 0; r < N; ++r) out[r] = 0.f;
  own = 0.f;
  if (VEC) {
    constexpr int per = TYPE == DP_FP32 ? 4 : TYPE == DP_FP16 ? 8 : 16;  // elements per 16 bytes
    const int chunks = (int)(p.row_bytes >> 4);
    const char* base = static_cast<const char*>(p.tokens);
    for (int c = lane; c < chunks; c += 32) {
      uint4 v[N];
#pragma unroll
      for (int r = 0; r < N; ++r) v[r] = __ldg(reinterpret_cast<const uint4*>(base + rows[r] * p.row_bytes) + c);
#pragma unroll
      for (int r = 0; r < N; ++r) out[r] = dot16<TYPE>(v[r], w, c * per, out[r]);
      if (OWN) own = dot16<TYPE>(v[0], w2, c * per, own);
    }
  } else {
    for (int d = lane; d < p.dim; d += 32) {
      const float ww = w[d];
#pragma unroll
      for (int r = 0; r < N; ++r) {
        const float x = elem<TYPE>(p.tokens, rows[r] * p.dim + d);
        out[r] = fmaf(x, ww, out[r]);
        if (OWN && r == 0) own = fmaf(x, w2[d], own);
      }
    }
  }
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) {
#pragma unroll
    for (int r = 0; r < N; ++r) out[r] += __shfl_xor_sync(0xffffffffu, out[r], off);
    if (OWN) own += __shfl_xor_sync(0xffffffffu, own, off);
  }
}

// The document of token id: the last d with doc_starts[d] <= id (empty documents are skipped that way). A
// 32-ary search: each step the lanes probe 32 positions at once, so ~45K documents take 4 dependent loads.
__device__ __forceinline__ int64_t find_doc(const int64_t* __restrict__ starts, int64_t num_docs, int64_t id,
                                            int lane) {
  int64_t lo = 0, hi = num_docs - 1;  // the answer is in [lo, hi]
  while (lo < hi) {
    const int64_t span = hi - lo;
    const int64_t pos = lo + (span * (lane + 1) + 31) / 32;  // in (lo, hi], non-decreasing in lane, pos(31) = hi
    const bool le = __ldg(starts + pos) <= id;
    const unsigned mask = __ballot_sync(0xffffffffu, le);  // a prefix of the lanes
    const int c = __popc(mask);
    const int64_t p_first = __shfl_sync(0xffffffffu, pos, 0);
    const int64_t p_last = __shfl_sync(0xffffffffu, pos, c > 0 ? c - 1 : 0);
    const int64_t p_next = __shfl_sync(0xffffffffu, pos, c < 32 ? c : 31);
    if (c == 0) {
      hi = p_first - 1;
    } else {
      lo = p_last;
      if (c < 32) hi = p_next - 1;
    }
  }
  return lo;
}

// Asks L2 for the candidate's whole partner window (max_len rows from id, clamped to the token array only: the
// document is not known yet) so that the groups read after the document search come from L2 rather than DRAM.
__device__ __forceinline__ void prefetch_window(const SpanParams& p, int64_t id, bool s2e, int lane) {
  int64_t first = s2e ? id : id - p.max_len + 1;
  int64_t last = s2e ? id + p.max_len - 1 : id;
  if (first < 0) first = 0;
  if (last >= p.num_tokens) last = p.num_tokens - 1;
  const char* base = static_cast<const char*>(p.tokens);
  const int64_t b0 = first * p.row_bytes, b1 = (last + 1) * p.row_bytes;
  for (int64_t b = (b0 & ~int64_t(127)) + 128 * lane; b < b1; b += 128 * 32)
    asm volatile("prefetch.global.L2 [%0];" ::"l"(base + b));
}

template <int TYPE, bool VEC>
__global__ void __launch_bounds__(kSpanThreads, (TYPE == DP_FP32 && VEC) ? 2 : 3) span_score_kernel(const SpanParams p) {
  extern __shared__ __align__(16) unsigned char smem[];
  const int q = blockIdx.x / p.slices, slice = blockIdx.x % p.slices;
  const SpanLayout L = span_layout(p.dim, p.cap);
  float* ws = reinterpret_cast<float*>(smem + L.ws);
  float* we = reinterpret_cast<float*>(smem + L.we);
  float* misc = reinterpret_cast<float*>(smem + L.misc);
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int dim = p.dim;
  const float* qs = p.q_start + (int64_t)q * dim;
  const float* qe = p.q_end + (int64_t)q * dim;
  for (int d = tid; d < dim; d += kSpanThreads) {
    const float sc = TYPE == DP_INT8 ? p.scale[d] : 1.f;
    ws[d] = qs[d] * sc;
    we[d] = qe[d] * sc;
  }
  if (warp < 2) {  // INT8: q . offset of each side
    float b = 0.f;
    if (TYPE == DP_INT8) {
      const float* qq = warp == 0 ? qs : qe;
      for (int d = lane; d < dim; d += 32) b = fmaf(qq[d], p.offset[d], b);
#pragma unroll
      for (int off = 16; off > 0; off >>= 1) b += __shfl_xor_sync(0xffffffffu, b, off);
    }
    if (lane == 0) misc[warp] = b;
  }
  __syncthreads();
  const float bias_s = misc[0], bias_e = misc[1];
  const bool s2e = p.direction == 0;
  const float* w_own = s2e ? ws : we;
  const float* w_partner = s2e ? we : ws;
  const float b_own = s2e ? bias_s : bias_e;
  const float b_partner = s2e ? bias_e : bias_s;

  const int per_slice = (p.num_candidates + p.slices - 1) / p.slices;
  const int c_begin = slice * per_slice;
  const int c_end = min(p.num_candidates, c_begin + per_slice);
  const int64_t* cands = p.candidates + (int64_t)q * p.num_candidates;
  for (int c = c_begin + warp; c < c_end; c += kSpanWarps) {
    const int64_t id = cands[c];
    const int64_t out = (int64_t)q * p.num_candidates + c;
    if (id < 0) {
      if (lane == 0) {
        p.cand_other[out] = -1;
        p.cand_score[out] = -INFINITY;
      }
      continue;
    }
    if (p.prefetch) prefetch_window(p, id, s2e, lane);
    const int64_t doc = find_doc(p.doc_starts, p.num_docs, id, lane);
    const int64_t doc_start = __ldg(p.doc_starts + doc), doc_end = __ldg(p.doc_starts + doc + 1);
    // Partners in order of distance: s2e j = id, id+1, ... < min(id + L, doc_end); e2s i = id, id-1, ... >=
    // max(id - L + 1, doc_start). The first group also gives the candidate's own score (row id is partner 0).
    const int64_t reach = s2e ? doc_end - id : id - doc_start + 1;
    const int64_t n = reach < p.max_len ? reach : (int64_t)p.max_len;
    const int64_t step = s2e ? 1 : -1;

    float own = 0.f;
    float best = -INFINITY;
    int64_t best_row = id;
    for (int64_t o = 0; o < n; o += kRows) {
      int64_t rows[kRows];
#pragma unroll
      for (int r = 0; r < kRows; ++r) rows[r] = id + step * (o + r < n ? o + r : n - 1);  // past the window: repeat
      float sc[kRows];
      if (o == 0) {
        dot_rows<TYPE, VEC, kRows, true>(p, rows, w_partner, w_own, lane, sc, own);
      } else {
        float unused;
        dot_rows<TYPE, VEC, kRows, false>(p, rows, w_partner, w_own, lane, sc, unused);
      }
#pragma unroll
      for (int r = 0; r < kRows; ++r) {
        if (o + r < n && sc[r] > best) {  // strict: ties keep the nearer partner
          best = sc[r];
          best_row = rows[r];
        }
      }
    }
    if (lane == 0) {
      p.cand_other[out] = best_row;
      p.cand_score[out] = (own + b_own) + (best + b_partner);
    }
  }

  // Last block of this question selects the top-k.
  if (p.skip_topk) return;
  __threadfence();  // every thread's cand_* writes are visible device-wide before the ticket
  __syncthreads();
  if (tid == 0) {
    const unsigned ticket = atomicAdd(p.counters + (int64_t)q * p.counter_stride, 1u);
    misc[2] = ticket == (unsigned)(p.slices - 1) ? 1.f : 0.f;
  }
  __syncthreads();
  if (misc[2] == 0.f) return;
  __threadfence();

  const int kk = min(p.k, p.num_candidates);
  BlockTopK top;
  top.carve(smem + L.topk, 1, p.cap, kk);
  top.init();
  __syncthreads();
  const float* scores = p.cand_score + (int64_t)q * p.num_candidates;
  for (int c0 = 0; c0 < p.num_candidates; c0 += kSpanThreads) {
    const int c = c0 + tid;
    if (c < p.num_candidates) top.push(0, __ldcg(scores + c), (uint32_t)c);  // L2: written by other blocks
    top.end_round(kSpanThreads);
  }
  top.reduce();
  const int filled = top.filled(0);
  for (int r = tid; r < p.k; r += kSpanThreads) {
    int64_t s = -1, e = -1;
    float v = -INFINITY;
    if (r < filled) {
      const int c = (int)top.index[r];
      const int64_t id = cands[c];
      const int64_t other = __ldcg(p.cand_other + (int64_t)q * p.num_candidates + c);
      v = top.score[r];
      s = s2e ? id : other;
      e = s2e ? other : id;
    }
    p.top_start[(int64_t)q * p.k + r] = s;
    p.top_end[(int64_t)q * p.k + r] = e;
    p.top_score[(int64_t)q * p.k + r] = v;
  }
}


// ================================================================ v5: the streamed kernel
//
// Persistent grid (as many blocks as fit, one wave); the (question)(candidate) list, flattened, is cut into one
// contiguous range per warp. A warp takes its range in batches of up to 32 candidates, one per lane: each lane
// loads its candidate id and finds its document on its own (16-ary search: 15 independent loads per step, ~4
// steps for 45K documents), which gives the candidate's partner count n; a warp prefix sum of n lays the batch's
// partner rows out as one stream (candidate after candidate, partners in order of distance). The stream goes
// through a per-warp ring of `stages` shared-memory stages of R rows, filled with cp.async (16 bytes a lane,
// fire-and-forget, so every row of stages-1 stages is in flight while the warp scores the current one). A stage
// holds rows of one question; its row metadata (token, candidate slot, distance, last) sits beside it. The
// weights of the warp's current question live in registers (CPL 16-byte chunks per lane, so no shared-memory
// weight reads). The per-row arithmetic (chunk order per lane, butterfly) is v4's, so results are bit-identical.
// The block's warps done, each question the block touched gets the block's count added to its counter; the block
// that completes a question selects its top-k, as in v4.

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

__device__ __forceinline__ void cp_async16(void* smem_dst, const void* gsrc) {
  const unsigned s = (unsigned)__cvta_generic_to_shared(smem_dst);
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(gsrc) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
__device__ __forceinline__ void cp_async_wait_dyn(int n) {  // at most n of this thread's groups still pending
  switch (n) {
    case 0: cp_async_wait<0>(); break;
    case 1: cp_async_wait<1>(); break;
    case 2: cp_async_wait<2>(); break;
    case 3: cp_async_wait<3>(); break;
    case 4: cp_async_wait<4>(); break;
    case 5: cp_async_wait<5>(); break;
    case 6: cp_async_wait<6>(); break;
    default: cp_async_wait<7>(); break;
  }
}

// dot16 with the weights in registers: w[b .. b + 16 bytes' worth of elements), same order of operations.
template <int TYPE, int N>
__device__ __forceinline__ float dot16r(const uint4& v, const float (&w)[N], int b, float acc) {
  if (TYPE == DP_FP32) {
    acc = fmaf(__uint_as_float(v.x), w[b + 0], acc);
    acc = fmaf(__uint_as_float(v.y), w[b + 1], acc);
    acc = fmaf(__uint_as_float(v.z), w[b + 2], acc);
    acc = fmaf(__uint_as_float(v.w), w[b + 3], acc);
  } else if (TYPE == DP_FP16) {
    const uint32_t x[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float2 f = __half22float2(*reinterpret_cast<const __half2*>(&x[i]));
      acc = fmaf(f.x, w[b + 2 * i], acc);
      acc = fmaf(f.y, w[b + 2 * i + 1], acc);
    }
  } else {
    const uint32_t x[4] = {v.x ^ 0x80808080u, v.y ^ 0x80808080u, v.z ^ 0x80808080u, v.w ^ 0x80808080u};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      acc = fmaf(i8_at(x[i], 0), w[b + 4 * i + 0], acc);
      acc = fmaf(i8_at(x[i], 1), w[b + 4 * i + 1], acc);
      acc = fmaf(i8_at(x[i], 2), w[b + 4 * i + 2], acc);
      acc = fmaf(i8_at(x[i], 3), w[b + 4 * i + 3], acc);
    }
  }
  return acc;
}

// Per lane: the last d in [0, num_docs) with starts[d] <= id (starts[0] == 0 <= id). 16-ary: 15 probes per
// step, all loads of a step independent.
__device__ __forceinline__ int64_t find_doc_lane(const int64_t* __restrict__ starts, int64_t num_docs, int64_t id) {
  int64_t lo = 0, hi = num_docs - 1;  // the answer is in [lo, hi]
  while (lo < hi) {
    const int64_t span = hi - lo;
    int64_t pos[15], v[15];
#pragma unroll
    for (int i = 0; i < 15; ++i) {
      pos[i] = lo + (span * (i + 1) + 15) / 16;  // in (lo, hi], non-decreasing
      v[i] = __ldg(starts + pos[i]);
    }
    int64_t nlo = lo, nhi = hi;
#pragma unroll
    for (int i = 0; i < 15; ++i)
      if (v[i] <= id) nlo = pos[i];
#pragma unroll
    for (int i = 14; i >= 0; --i)
      if (v[i] > id) nhi = pos[i] - 1;
    lo = nlo;
    hi = nhi;
  }
  return lo;
}

// Start of warp w's range of the flattened candidates: `total` cut into `warps` near-equal pieces.
__device__ __forceinline__ int64_t range_start(int64_t w, int64_t total, int64_t warps) {
  const int64_t per = total / warps, rem = total % warps;
  return w * per + (w < rem ? w : rem);
}

template <int TYPE, int CPL, int R>
__global__ void __launch_bounds__(kSpanThreads, 1) span_stream_kernel(const SpanParams p) {
  constexpr int PER = TYPE == DP_FP32 ? 4 : TYPE == DP_FP16 ? 8 : 16;  // elements per 16 bytes
  constexpr int NW = CPL * PER;                                         // weights per lane and side
  constexpr unsigned FULL = 0xffffffffu;
  extern __shared__ __align__(16) unsigned char smem[];
  const int S = p.stages;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int64_t rb = p.row_bytes;
  const int cpr = (int)(rb >> 4);
  const int dim = p.dim;
  const int64_t nc = p.num_candidates;
  const StreamLayout L = stream_layout(rb, R, S, p.cap);
  const size_t stage_bytes = (size_t)R * rb;
  unsigned char* ring = smem + (size_t)warp * S * stage_bytes;
  RowMeta* meta = reinterpret_cast<RowMeta*>(smem + L.meta) + (size_t)warp * S * R;
  const char* tokens = static_cast<const char*>(p.tokens);

  const int64_t total = (int64_t)p.num_queries * nc;
  const int64_t nwarps = (int64_t)gridDim.x * kSpanWarps;
  const int64_t gw = (int64_t)blockIdx.x * kSpanWarps + warp;
  const int64_t w0 = range_start(gw, total, nwarps), w1 = range_start(gw + 1, total, nwarps);

  const bool s2e = p.direction == 0;
  const float* q_own = s2e ? p.q_start : p.q_end;
  const float* q_par = s2e ? p.q_end : p.q_start;

  // Weights of question qw (this lane's chunks c = lane + 32 j), and the INT8 biases q . offset.
  float wp[NW], wo[NW];
  float b_own = 0.f, b_par = 0.f;
  int64_t qw = -1;
  auto load_weights = [&](int64_t q) {
    const float* qo = q_own + q * dim;
    const float* qp = q_par + q * dim;
#pragma unroll
    for (int j = 0; j < CPL; ++j) {
      const bool ok = lane + 32 * j < cpr;
#pragma unroll
      for (int e = 0; e < PER; ++e) {
        const int d = (lane + 32 * j) * PER + e;
        const float sc = (TYPE == DP_INT8 && ok) ? __ldg(p.scale + d) : 1.f;
        wp[j * PER + e] = ok ? __ldg(qp + d) * sc : 0.f;
        wo[j * PER + e] = ok ? __ldg(qo + d) * sc : 0.f;
      }
    }
    if (TYPE == DP_INT8) {  // v4's order: lane-strided fmaf, then the butterfly
      float bo = 0.f, bp = 0.f;
      for (int d = lane; d < dim; d += 32) {
        const float off = __ldg(p.offset + d);
        bo = fmaf(__ldg(qo + d), off, bo);
        bp = fmaf(__ldg(qp + d), off, bp);
      }
#pragma unroll
      for (int o = 16; o > 0; o >>= 1) {
        bo += __shfl_xor_sync(FULL, bo, o);
        bp += __shfl_xor_sync(FULL, bp, o);
      }
      b_own = bo;
      b_par = bp;
    }
    qw = q;
  };
  if (w0 < w1) load_weights(w0 / nc);

  for (int64_t fb = w0; fb < w1; fb += 32) {
    // ---- batch: one candidate per lane
    const int64_t f = fb + lane;
    const bool in = f < w1;
    const int64_t id = in ? __ldg(reinterpret_cast<const long long*>(p.candidates) + f) : -1;
    const int64_t qf = in ? f / nc : -1;
    int n = 0;
    if (in) {
      if (id < 0 || id >= p.num_tokens) {  // padding (an id past the tokens has no partner either)
        p.cand_other[f] = id < 0 ? -1 : id;
        p.cand_score[f] = -INFINITY;
      } else {
        const int64_t doc = find_doc_lane(p.doc_starts, p.num_docs, id);
        const int64_t reach = s2e ? __ldg(p.doc_starts + doc + 1) - id : id - __ldg(p.doc_starts + doc) + 1;
        n = (int)(reach < p.max_len ? reach : (int64_t)p.max_len);
      }
    }
    int P = n;  // inclusive prefix sum: candidate `lane` owns stream rows [P - n, P)
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
      const int t = __shfl_up_sync(FULL, P, o);
      if (lane >= o) P += t;
    }
    const int first = P - n;
    const int total_rows = __shfl_sync(FULL, P, 31);
    if (total_rows == 0) continue;

    // ---- stream the batch's rows through the ring
    int g_next = 0, issued = 0, consumed = 0;
    auto issue = [&]() {  // next stage: up to R rows from g_next, all of one question
      if (g_next >= total_rows) return;
      const int buf = issued % S;
      unsigned char* dst = ring + (size_t)buf * stage_bytes;
      RowMeta* m = meta + buf * R;
      const int j0 = __popc(__ballot_sync(FULL, P <= g_next));
      const int64_t q0 = __shfl_sync(FULL, qf, j0);
      int taken = 0;
      bool alive = true;
#pragma unroll
      for (int r = 0; r < R; ++r) {
        const int g = g_next + r;
        const int j = __popc(__ballot_sync(FULL, P <= g));
        const int jj = j < 32 ? j : 31;
        const int64_t qj = __shfl_sync(FULL, qf, jj);
        alive = alive && g < total_rows && qj == q0;
        if (alive) {
          const int nj = __shfl_sync(FULL, n, jj), sj = __shfl_sync(FULL, first, jj);
          const int64_t idj = __shfl_sync(FULL, id, jj);
          const int o = g - sj;
          const int64_t row = s2e ? idj + o : idj - o;
          if (lane == 0) {
            m[r].row = row;
            m[r].slot = jj;
            m[r].ol = o | (o == nj - 1 ? 1 << 16 : 0);
          }
          const char* src = tokens + row * rb;
          for (int c = lane; c < cpr; c += 32) cp_async16(dst + r * rb + c * 16, src + c * 16);
          ++taken;
        } else if (lane == 0) {
          m[r].slot = -1;
        }
      }
      g_next += taken;
      ++issued;
    };

    float best = -INFINITY, own = 0.f;
    int64_t best_row = 0;
    for (int i = 0; i < S - 1; ++i) {
      issue();
      cp_async_commit();
    }
    while (consumed < issued) {
      issue();
      cp_async_commit();
      cp_async_wait_dyn(S - 1);  // the stage `consumed` has landed (this lane's copies)
      __syncwarp();              // ... and every lane's
      const int buf = consumed % S;
      const unsigned char* src = ring + (size_t)buf * stage_bytes;
      const RowMeta* m = meta + buf * R;
      RowMeta mr[R];
#pragma unroll
      for (int r = 0; r < R; ++r) mr[r] = m[r];
      const int64_t qs = __shfl_sync(FULL, qf, mr[0].slot);  // row 0 of a stage is never empty
      if (qs != qw) load_weights(qs);
      float acc[R], ownp[R];
#pragma unroll
      for (int r = 0; r < R; ++r) {
        acc[r] = 0.f;
        ownp[r] = 0.f;
        if (mr[r].slot >= 0) {
          const bool is_first = (mr[r].ol & 0xffff) == 0;
#pragma unroll
          for (int j = 0; j < CPL; ++j) {
            const int c = lane + 32 * j;
            if (c < cpr) {
              const uint4 v = *reinterpret_cast<const uint4*>(src + r * rb + c * 16);
              acc[r] = dot16r<TYPE>(v, wp, j * PER, acc[r]);
              if (is_first) ownp[r] = dot16r<TYPE>(v, wo, j * PER, ownp[r]);
            }
          }
        }
      }
#pragma unroll
      for (int o = 16; o > 0; o >>= 1) {
#pragma unroll
        for (int r = 0; r < R; ++r) {
          acc[r] += __shfl_xor_sync(FULL, acc[r], o);
          ownp[r] += __shfl_xor_sync(FULL, ownp[r], o);
        }
      }
#pragma unroll
      for (int r = 0; r < R; ++r) {
        if (mr[r].slot < 0) continue;
        const int o = mr[r].ol & 0xffff;
        if (o == 0) {  // a new candidate: its own row is partner 0
          best = -INFINITY;
          best_row = mr[r].row;
          own = ownp[r];
        }
        if (acc[r] > best) {  // strict: ties keep the nearer partner
          best = acc[r];
          best_row = mr[r].row;
        }
        if ((mr[r].ol >> 16) && lane == 0) {
          const int64_t fo = fb + mr[r].slot;
          p.cand_other[fo] = best_row;
          p.cand_score[fo] = (own + b_own) + (best + b_par);
        }
      }
      ++consumed;
      __syncwarp();  // every lane done with the stage before it is refilled
    }
  }
  cp_async_wait<0>();

  if (p.skip_topk) return;
  // ---- the questions this block touched: count, and select the top-k of those it completes
  __threadfence();  // every thread's cand_* writes are visible device-wide before the tickets
  __syncthreads();
  const int64_t b0 = range_start((int64_t)blockIdx.x * kSpanWarps, total, nwarps);
  const int64_t b1 = range_start((int64_t)(blockIdx.x + 1) * kSpanWarps, total, nwarps);
  if (b0 >= b1) return;
  int* flag = reinterpret_cast<int*>(smem + L.misc);
  float* misc_t = reinterpret_cast<float*>(smem + L.misc + 4);
  const int kk = (int)((int64_t)p.k < nc ? (int64_t)p.k : nc);
  for (int64_t q = b0 / nc; q <= (b1 - 1) / nc; ++q) {
    if (tid == 0) {
      const int64_t lo = b0 > q * nc ? b0 : q * nc, hi = b1 < (q + 1) * nc ? b1 : (q + 1) * nc;
      const unsigned cnt = (unsigned)(hi - lo);
      const unsigned before = atomicAdd(p.counters + q * p.counter_stride, cnt);
      *flag = before + cnt == (unsigned)nc ? 1 : 0;
    }
    __syncthreads();
    const bool mine = *flag != 0;
    __syncthreads();  // everyone has read the flag before thread 0 may rewrite it
    if (!mine) continue;
    __threadfence();

    BlockTopK top;
    top.carve(smem, 1, p.cap, kk);
    top.init();
    __syncthreads();
    const float* scores = p.cand_score + q * nc;
    if (p.prefilter && kk <= kSpanThreads) {
      // T = the kk-th largest of the per-thread maxima (distinct candidates, so T <= the kk-th best score):
      // only scores >= T are pushed, so a single sort usually remains instead of one per round.
      float* mxs = reinterpret_cast<float*>(smem + L.misc + 16);
      float mx = -INFINITY;
      for (int c = tid; c < nc; c += kSpanThreads) {
        const float v = __ldcg(scores + c);
        if (v > mx) mx = v;  // NaN never enters
      }
      mxs[tid] = mx;
      if (tid == 0) misc_t[0] = -INFINITY;
      __syncthreads();
      int gt = 0, ge = 0;
      for (int u = 0; u < kSpanThreads; ++u) {
        const float v = mxs[u];
        gt += v > mx;
        ge += v >= mx;
      }
      if (mx > -INFINITY && gt < kk && ge >= kk) misc_t[0] = mx;  // every writer writes the same value
      __syncthreads();
      if (tid == 0 && misc_t[0] > -INFINITY) top.thresh[0] = nextafterf(misc_t[0], -INFINITY);  // push s >= T
      __syncthreads();
    }
    for (int c0 = 0; c0 < nc; c0 += kSpanThreads) {
      const int c = c0 + tid;
      if (c < nc) top.push(0, __ldcg(scores + c), (uint32_t)c);  // L2: written by other blocks
      top.end_round(kSpanThreads);
    }
    top.reduce();
    const int filled = top.filled(0);
    const int64_t* cands = p.candidates + q * nc;
    for (int r = tid; r < p.k; r += kSpanThreads) {
      int64_t s = -1, e = -1;
      float v = -INFINITY;
      if (r < filled) {
        const int c = (int)top.index[r];
        const int64_t cid = cands[c];
        const int64_t other = __ldcg(p.cand_other + q * nc + c);
        v = top.score[r];
        s = s2e ? cid : other;
        e = s2e ? other : cid;
      }
      p.top_start[q * p.k + r] = s;
      p.top_end[q * p.k + r] = e;
      p.top_score[q * p.k + r] = v;
    }
    __syncthreads();  // the top-k buffers are free again
  }
}

template <int TYPE, bool VEC>
const void* ptr() {
  return reinterpret_cast<const void*>(&span_score_kernel<TYPE, VEC>);
}

const void* span_kernel(int type, bool vec) {
  if (type == DP_FP32) return vec ? ptr<DP_FP32, true>() : ptr<DP_FP32, false>();
  if (type == DP_FP16) return vec ? ptr<DP_FP16, true>() : ptr<DP_FP16, false>();
  return vec ? ptr<DP_INT8, true>() : ptr<DP_INT8, false>();
}

template <int TYPE>
void launch_t(const SpanParams& p, bool vec, int blocks, size_t smem, cudaStream_t stream) {
  if (vec)
    span_score_kernel<TYPE, true><<<blocks, kSpanThreads, smem, stream>>>(p);
  else
    span_score_kernel<TYPE, false><<<blocks, kSpanThreads, smem, stream>>>(p);
}

// The v5 instantiations: chunks per lane CPL (rounded up to an instantiated one); nullptr where v5 does not apply.
template <int TYPE, int CPL>
const void* sptr() {
  return reinterpret_cast<const void*>(&span_stream_kernel<TYPE, CPL, stream_rows(CPL)>);
}

int stream_cpl(int type, int64_t row_bytes) {  // 0: v5 does not apply
  const int cpl = (int)((row_bytes / 16 + 31) / 32);
  if (type == DP_FP32) return cpl <= 4 ? cpl : cpl <= 6 ? 6 : cpl <= 8 ? 8 : 0;
  if (type == DP_FP16) return cpl <= 4 ? cpl : 0;
  return cpl <= 2 ? cpl : 0;
}

const void* stream_kernel(int type, int cpl) {
  if (type == DP_FP32) {
    switch (cpl) {
      case 1: return sptr<DP_FP32, 1>();
      case 2: return sptr<DP_FP32, 2>();
      case 3: return sptr<DP_FP32, 3>();
      case 4: return sptr<DP_FP32, 4>();
      case 6: return sptr<DP_FP32, 6>();
      case 8: return sptr<DP_FP32, 8>();
    }
  } else if (type == DP_FP16) {
    switch (cpl) {
      case 1: return sptr<DP_FP16, 1>();
      case 2: return sptr<DP_FP16, 2>();
      case 3: return sptr<DP_FP16, 3>();
      case 4: return sptr<DP_FP16, 4>();
    }
  } else {
    switch (cpl) {
      case 1: return sptr<DP_INT8, 1>();
      case 2: return sptr<DP_INT8, 2>();
    }
  }
  return nullptr;
}

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

SpanTuning& span_tuning() {
  static SpanTuning t;
  return t;
}

void dp_run_span_score(SpanParams& p, cudaStream_t stream) {
  const int elem = p.type == DP_FP32 ? 4 : p.type == DP_FP16 ? 2 : 1;
  p.row_bytes = (int64_t)p.dim * elem;
  const bool vec = p.row_bytes % 16 == 0 && (reinterpret_cast<uintptr_t>(p.tokens) & 15) == 0;
  p.cap = topk_cap(min(p.k, p.num_candidates), kSpanThreads);
  const SpanTuning& st = span_tuning();
  p.stages = st.stages < 2 ? 2 : st.stages > 8 ? 8 : st.stages;
  const int64_t total = (int64_t)p.num_queries * p.num_candidates;

  // v5 where it applies and fits
  // INT8 stays on v4 unless v5 is forced: measured slower there (run 2 of v5: L=30 0.319 vs 0.246 ms; its
  // 768-byte rows make v5's per-row bookkeeping and the int8 decode, on 8 warps per SM, the limit).
  const bool want_v5 = st.kernel == 2 || (st.kernel == 0 && p.type != DP_INT8);
  const int cpl = vec && !p.prefetch && want_v5 ? stream_cpl(p.type, p.row_bytes) : 0;
  if (cpl > 0) {
    const void* kern = stream_kernel(p.type, cpl);
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
  if (p.type == DP_FP32)
    launch_t<DP_FP32>(p, vec, (int)blocks, smem, stream);
  else if (p.type == DP_FP16)
    launch_t<DP_FP16>(p, vec, (int)blocks, smem, stream);
  else
    launch_t<DP_INT8>(p, vec, (int)blocks, smem, stream);
  check_launch("span_score_kernel");
}

}  // namespace dp
