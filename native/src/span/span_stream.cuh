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
// that completes a question selects its top-k, as in v4. The launcher is span_launch.cu (native/NOTES.md).
//
// This header holds the kernel template; span_stream.cu instantiates the library's kernels (FP32 and FP16),
// native/bench/variants/span_stream_int8.cu the lab's INT8 ones (v5 for INT8: slower than v4 there).
#pragma once

#include "span_common.cuh"

namespace dp {
namespace {

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

// The instantiation for chunks per lane CPL (R rows per stage follow from it).
template <int TYPE, int CPL>
const void* sptr() {
  return reinterpret_cast<const void*>(&span_stream_kernel<TYPE, CPL, stream_rows(CPL)>);
}

}  // namespace
}  // namespace dp
