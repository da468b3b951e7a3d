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
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#include "intmath.h"

namespace dp {

// Bytes of shared memory BlockTopK::carve takes for `nq` queries of capacity `cap`.
__host__ __device__ inline size_t block_topk_smem(int nq, int cap) {
  return (size_t)nq * cap * (sizeof(float) + sizeof(uint32_t)) + (size_t)nq * (sizeof(int) + sizeof(float));
}

struct BlockTopK {
  float* score;     // (query)(cap)
  uint32_t* index;  // (query)(cap)
  int* count;       // (query)
  float* thresh;    // (query)
  int nq, cap, k;

  // Lays the buffers out at `smem` (4-byte aligned). Call from every thread with the same arguments.
  __device__ void carve(void* smem, int nq_, int cap_, int k_) {
    nq = nq_;
    cap = cap_;
    k = k_;
    score = reinterpret_cast<float*>(smem);
    index = reinterpret_cast<uint32_t*>(score + (size_t)nq * cap);
    count = reinterpret_cast<int*>(index + (size_t)nq * cap);
    thresh = reinterpret_cast<float*>(count + nq);
  }

  // Every thread; followed by a __syncthreads() of the caller before the first push.
  __device__ void init() {
    for (int q = threadIdx.x; q < nq; q += blockDim.x) {
      count[q] = 0;
      thresh[q] = -INFINITY;
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
  __device__ void end_round(int round_max) {
    __syncthreads();  // all pushes of the round are done
    // Read between two barriers, so every thread sees the same counts and takes the same branch.
    int full = 0;
    for (int q = threadIdx.x; q < nq; q += blockDim.x) full |= count[q] > cap - round_max;
    if (__syncthreads_or(full)) reduce();
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
