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

}  // namespace dp
