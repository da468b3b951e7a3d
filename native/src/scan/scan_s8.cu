// The library's int8 tensor-core scan kernels (the template and its documentation: scan_s8.cuh): 2 query pieces,
// the burst loop, query tiles of 8, 16 and 32 columns. The lab's variants (3 pieces, the pipelined loads) are
// instantiated in native/bench/variants/scan_s8_variants.cu.
#include "scan_s8.cuh"

namespace dp {

int scan_s8_dpad(int dim) {
  // Lanes 4g..4g+3 read 64 bytes of column g's row: rows 64 mod 128 bytes apart put columns g and g+1 (one
  // 8-lane phase of a 16-byte shared load) on different banks.
  const int r = dim % 128;
  return r == 64 ? dim : dim + ((64 - r) % 128 + 128) % 128;
}

size_t scan_s8_smem(int nt, int pieces, int dpad, int ivf, int qa, int cap, bool select) {
  return s8_layout(nt, pieces, dpad, ivf ? kMaxSegments : 1, qa, cap, select).total;
}

S8Kernels s8_kernels() { return S8Kernels{2, false, false, &s8_kernel_p<2, false>}; }

}  // namespace dp
