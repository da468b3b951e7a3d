// Block-wide top-k of several queries at once, in shared memory (device code shared by the scans, the merge and
// span scoring).
//
// Each query owns a candidate buffer of `cap` (score, index) pairs and a threshold: the k-th best score seen so
// far (-inf until k candidates exist). Threads push scores above the threshold with a shared atomic counter. The
// block works in rounds; a round may push at most `round_max` entries per query, and cap >= k + round_max, so a
// push never overflows when the buffer is reduced as soon as it holds more than cap - round_max entries. A
// reduction bitonic-sorts the buffers (descending), keeps the first k and raises the threshold to the k-th score.
// With the threshold rising quickly, only a few reductions happen after the first ones.
//
// Ties: a score equal to the threshold is not pushed (the k kept already score >= it), which the contract allows
// ("ties in any order").
//
// Two ways to shrink a full buffer between rounds: reduce() (bitonic sort of every query's buffer, the original
// way), or select_full() (carve with `select`: one warp per full query finds its k-th score by a radix select over
// the float keys, 4 passes of 8 bits with a 256-bin histogram per warp, as faiss's and cuVS's radix selects do,
// then compacts the best k to the front, unsorted). The sort costs O(cap log^2 cap) for all queries and ~66
// barriers at cap 2k; the select O(cap) for the full queries only and no block barrier, so large k (where a query
// fills every ~96 pushes) stops being dominated by sorting. The final reduce() sorts once either way.
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#include "intmath.h"

namespace dp {

// Bytes of shared memory BlockTopK::carve takes for `nq` queries of capacity `cap`.
// With `select`, 256 histogram bins per warp follow (blocks of at most kTopkSelectWarps warps).
constexpr int kTopkSelectWarps = 8;
__host__ __device__ inline size_t block_topk_smem(int nq, int cap, bool select = false) {
  return (size_t)nq * cap * (sizeof(float) + sizeof(uint32_t)) + (size_t)nq * (sizeof(int) + sizeof(float)) +
         (select ? (size_t)kTopkSelectWarps * 256 * sizeof(uint32_t) : 0);
}

// Order-preserving map of a float to an unsigned key (larger float -> larger key), and back.
__device__ __forceinline__ uint32_t topk_key(float s) {
  const uint32_t b = __float_as_uint(s);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
__device__ __forceinline__ float topk_unkey(uint32_t key) {
  return __uint_as_float((key & 0x80000000u) ? (key & 0x7fffffffu) : ~key);
}

struct BlockTopK {
  float* score;     // (query)(cap)
  uint32_t* index;  // (query)(cap)
  int* count;       // (query)
  float* thresh;    // (query)
  uint32_t* hist;   // (warp)(256) when carved with `select`, else nullptr
  int nq, cap, k;

  // Lays the buffers out at `smem` (4-byte aligned). Call from every thread with the same arguments. `select`:
  // end_round shrinks full buffers with select_full() (needs blockDim.x <= 32 * kTopkSelectWarps).
  __device__ void carve(void* smem, int nq_, int cap_, int k_, bool select = false) {
    nq = nq_;
    cap = cap_;
    k = k_;
    score = reinterpret_cast<float*>(smem);
    index = reinterpret_cast<uint32_t*>(score + (size_t)nq * cap);
    count = reinterpret_cast<int*>(index + (size_t)nq * cap);
    thresh = reinterpret_cast<float*>(count + nq);
    hist = select ? reinterpret_cast<uint32_t*>(thresh + nq) : nullptr;
  }

  // Every thread; followed by a __syncthreads() of the caller before the first push. `start`: the block's
  // queries' starting thresholds at start[q * stride] (only scores above them are kept), or NULL for -inf.
  __device__ void init(const float* start = nullptr, int stride = 0) {
    for (int q = threadIdx.x; q < nq; q += blockDim.x) {
      count[q] = 0;
      thresh[q] = start != nullptr ? start[(size_t)q * stride] : -INFINITY;
    }
  }

  // Any thread, any time inside a round. NaN never passes the comparison.
  __device__ __forceinline__ void push(int q, float s, uint32_t i) {
    if (s > thresh[q]) {
      int pos = atomicAdd(&count[q], 1);
      score[(size_t)q * cap + pos] = s;
      index[(size_t)q * cap + pos] = i;
    }
  }

  // Every thread, after its pushes of a round: reduces the buffers when one could overflow in the next round.
  // SELECT (a kernel's template parameter, so a kernel without it carries none of its code or registers): shrink
  // with select_full() when carved with `select`.
  template <bool SELECT = false>
  __device__ void end_round(int round_max) {
    __syncthreads();  // all pushes of the round are done
    // Read between two barriers, so every thread sees the same counts and takes the same branch.
    int full = 0;
    for (int q = threadIdx.x; q < nq; q += blockDim.x) full |= count[q] > cap - round_max;
    if (__syncthreads_or(full)) {
      if (SELECT && hist != nullptr) {
        select_full(cap - round_max);
        __syncthreads();
      } else {
        reduce();
      }
    }
  }

  // Every thread (whole warps): each query with more than `limit` (>= k) entries keeps its best k, unsorted, in
  // its first k slots, and its threshold becomes the k-th score. Warp w takes queries w, w + warps, ...; the
  // caller puts a barrier after it.
  __device__ void select_full(int limit) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    const unsigned all = 0xffffffffu, lt = (1u << lane) - 1u;
    uint32_t* h = hist + warp * 256;
    for (int q = warp; q < nq; q += nw) {
      const int n = count[q];
      if (n <= limit) continue;  // the same for every lane
      float* sc = score + (size_t)q * cap;
      uint32_t* ix = index + (size_t)q * cap;
      // Radix select of the k-th largest key: `prefix` (under `mask`) are its digits so far; `need` its rank
      // among the entries that match them.
      uint32_t prefix = 0, mask = 0;
      int need = k;
      for (int shift = 24; shift >= 0; shift -= 8) {
        for (int b = lane; b < 256; b += 32) h[b] = 0;
        __syncwarp();
        for (int i = lane; i < n; i += 32) {
          const uint32_t key = topk_key(sc[i]);
          if ((key & mask) == prefix) atomicAdd(&h[(key >> shift) & 255u], 1u);
        }
        __syncwarp();
        // Lane l holds bins 255 - 8l down to 248 - 8l: lanes in descending bin order.
        int c[8], tot = 0;
#pragma unroll
        for (int j = 0; j < 8; ++j) {
          c[j] = (int)h[255 - 8 * lane - j];
          tot += c[j];
        }
        int inc = tot;
#pragma unroll
        for (int off = 1; off < 32; off <<= 1) {
          const int o = __shfl_up_sync(all, inc, off);
          if (lane >= off) inc += o;
        }
        const int src = __ffs(__ballot_sync(all, inc >= need)) - 1;  // exists: the matching entries number >= need
        int bin = 0, before = 0;
        if (lane == src) {
          int run = inc - tot;
#pragma unroll
          for (int j = 0; j < 8; ++j) {
            if (run + c[j] >= need) {
              bin = 255 - 8 * lane - j;
              before = run;
              break;
            }
            run += c[j];
          }
        }
        bin = __shfl_sync(all, bin, src);
        before = __shfl_sync(all, before, src);
        prefix |= (uint32_t)bin << shift;
        mask |= 255u << shift;
        need -= before;
        __syncwarp();  // every lane has read h before the next pass clears it
      }
      // prefix is the k-th key: keep all larger entries and the first `need` equal ones. Writes go to slots at or
      // before the one read, and a chunk is read whole before any of it is written.
      int base = 0, eqbase = 0;
      for (int i0 = 0; i0 < n; i0 += 32) {
        const int i = i0 + lane;
        float s = 0.f;
        uint32_t id = 0, key = 0;
        const bool valid = i < n;
        if (valid) {
          s = sc[i];
          id = ix[i];
          key = topk_key(s);
        }
        const bool eq = valid && key == prefix;
        const unsigned be = __ballot_sync(all, eq);
        const bool keep = (valid && key > prefix) || (eq && eqbase + __popc(be & lt) < need);
        const unsigned bk = __ballot_sync(all, keep);
        __syncwarp();
        if (keep) {
          const int pos = base + __popc(bk & lt);
          sc[pos] = s;
          ix[pos] = id;
        }
        base += __popc(bk);
        eqbase += __popc(be);
        __syncwarp();
      }
      if (lane == 0) {
        count[q] = base;  // == k
        thresh[q] = topk_unkey(prefix);
      }
      __syncwarp();
    }
  }

  __device__ __forceinline__ void exchange(int lo, int hi) {  // larger score to the lower index
    const float a = score[lo], b = score[hi];
    if (a < b) {
      score[lo] = b;
      score[hi] = a;
      const uint32_t t = index[lo];
      index[lo] = index[hi];
      index[hi] = t;
    }
  }

  // Every thread: sorts each buffer descending, keeps min(count, k) and raises the thresholds. Ends with a barrier.
  //
  // Bitonic sort in the variant whose every compare-exchange puts the larger element first (each merge starts by
  // comparing mirrored positions): a buffer of any size sorts as if padded to the next power of two with -inf,
  // by skipping the pairs whose upper index is past the buffer.
  __device__ void reduce() {
    for (int e = threadIdx.x; e < nq * cap; e += blockDim.x) {
      const int q = e / cap;
      if (e - q * cap >= count[q]) {
        score[e] = -INFINITY;
        index[e] = 0xffffffffu;
      }
    }
    __syncthreads();
    const int p2 = next_pow2(cap);
    const int lp = log2_exact(p2 >> 1);  // pairs per buffer: p2 / 2 = 1 << lp
    const int slots = nq << lp;
    for (int size = 2; size <= p2; size <<= 1) {
      const int half = size >> 1, lh = log2_exact(half);
      for (int e = threadIdx.x; e < slots; e += blockDim.x) {
        const int q = e >> lp, c = e & ((1 << lp) - 1);
        const int blk = c >> lh, off = c & (half - 1);
        const int lo = blk * size + off, hi = blk * size + size - 1 - off;
        if (hi < cap) exchange(q * cap + lo, q * cap + hi);
      }
      __syncthreads();
      for (int stride = half >> 1; stride > 0; stride >>= 1) {
        for (int e = threadIdx.x; e < slots; e += blockDim.x) {
          const int q = e >> lp, c = e & ((1 << lp) - 1);
          const int lo = 2 * c - (c & (stride - 1)), hi = lo + stride;
          if (hi < cap) exchange(q * cap + lo, q * cap + hi);
        }
        __syncthreads();
      }
    }
    for (int q = threadIdx.x; q < nq; q += blockDim.x) {
      int c = count[q];
      if (c >= k) {
        count[q] = k;
        thresh[q] = score[(size_t)q * cap + k - 1];
      }
    }
    __syncthreads();
  }

  // Number of valid sorted entries of query q after a final reduce().
  __device__ __forceinline__ int filled(int q) const { return count[q] < k ? count[q] : k; }
};

}  // namespace dp
