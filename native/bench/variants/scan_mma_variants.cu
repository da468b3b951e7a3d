// The lab's instantiations of the fp16 tensor-core scan (src/scan/scan_mma.cuh): the v2 software-pipelined loop
// (every type, 8 or 16 columns, with and without the radix select) and the burst loop for INT8 with 16 columns
// (INT8 flat scans on this kernel: the lab's "[fp16 kernel]"). Not in the library.
#include "lab_variants.h"
#include "scan/scan_mma.cuh"

namespace dp {
namespace {

template <bool PIPE, bool SEL>
const void* mma_p(int type, int nt) {
  if (type == DP_FP16)
    return nt == 2 ? mma_kernel_ptr<DP_FP16, 2, PIPE, SEL>() : mma_kernel_ptr<DP_FP16, 1, PIPE, SEL>();
  return nt == 2 ? mma_kernel_ptr<DP_INT8, 2, PIPE, SEL>() : mma_kernel_ptr<DP_INT8, 1, PIPE, SEL>();
}

const void* mma_v2(int type, int nt, bool select) {
  return select ? mma_p<true, true>(type, nt) : mma_p<true, false>(type, nt);
}

const void* mma_v1(int type, int nt, bool select) {
  if (type == DP_INT8 && nt == 2)
    return select ? mma_kernel_ptr<DP_INT8, 2, false, true>() : mma_kernel_ptr<DP_INT8, 2, false, false>();
  return mma_kernels().kernel(type, nt, select);  // the library's
}

}  // namespace

MmaKernels lab_mma_kernels(bool v2) { return MmaKernels{v2 ? &mma_v2 : &mma_v1}; }

}  // namespace dp
