// Small integer helpers usable from host (.cpp) and device (.cu) code.
#pragma once

#ifdef __CUDACC__
#define DP_HD __host__ __device__
#else
#define DP_HD
#endif

namespace dp {

DP_HD inline int next_pow2(int x) {
  int p = 1;
  while (p < x) p <<= 1;
  return p;
}

DP_HD inline int log2_exact(int p) {
  int l = 0;
  while ((1 << l) < p) ++l;
  return l;
}

// Capacity of a query's buffer: k kept entries, one round of pushes, and 96 entries of slack so that a reduction
// is not needed after every round once k entries exist. A multiple of 32, not a power of two: BlockTopK::reduce
// sorts any size, and the smaller buffers let more queries share a block.
DP_HD inline int topk_cap(int k, int round_max) { return (k + round_max + 96 + 31) / 32 * 32; }

}  // namespace dp
