// Span scoring v4, span_score_kernel (INT8, rows not 16-byte aligned, dim > 1024, and the L2-prefetch experiment):
// grid (question)(slice); a block scores one slice of a question's candidates, a warp one candidate at a time:
// binary search of the candidate's document, its own score, then the up to L partner scores in order of distance
// (four rows per step, 16-byte loads, a butterfly sum per row), keeping the first best. Partner windows of nearby
// candidates overlap and come from L1/L2. It writes cand_other / cand_score; the block that completes a question (a
// counter per question, fenced) selects the question's top-k from cand_score with the shared-memory top-k. No
// (candidate)(L) matrix exists anywhere. The launcher is span_launch.cu (native/NOTES.md).
#include "../common/status.h"
#include "span_common.cuh"

namespace dp {
namespace {

constexpr int kRows = 4;  // partner rows per step

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

template <int TYPE, bool VEC>
const void* ptr() {
  return reinterpret_cast<const void*>(&span_score_kernel<TYPE, VEC>);
}

}  // namespace

const void* span_kernel(int type, bool vec) {
  if (type == DP_FP32) return vec ? ptr<DP_FP32, true>() : ptr<DP_FP32, false>();
  if (type == DP_FP16) return vec ? ptr<DP_FP16, true>() : ptr<DP_FP16, false>();
  return vec ? ptr<DP_INT8, true>() : ptr<DP_INT8, false>();
}

}  // namespace dp
