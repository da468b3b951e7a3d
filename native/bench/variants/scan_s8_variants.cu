// The lab's instantiations of the int8 tensor-core scan (src/scan/scan_s8.cuh): 3 query pieces, and 2 pieces with
// the double-buffered (pipelined) code loads; query tiles of 8, 16 and 32 columns. Not in the library.
#include "lab_variants.h"
#include "scan/scan_s8.cuh"

namespace dp {

S8Kernels lab_s8_kernels(int pieces, bool pipelined, bool l2_prefetch) {
  S8Kernels t = s8_kernels();  // the library's: 2 pieces, the burst loop
  if (pieces == 3) {
    t = S8Kernels{3, false, false, &s8_kernel_p<3, false>};  // pipelined: 2 pieces only
  } else if (pipelined) {
    t = S8Kernels{2, true, false, &s8_kernel_p<2, true>};
  }
  t.l2_prefetch = l2_prefetch;
  return t;
}

}  // namespace dp
