// The library's tensor-core scan kernels (the template and its documentation: scan_mma.cuh): the burst loop (v1)
// for FP16 with query tiles of 8 or 16 columns and for INT8 with 8 (IVF, one query per block; flat INT8 scans run
// on the int8 kernel, scan_s8.cu), each with and without the radix-select top-k. The lab's variants (the v2
// pipelined loop, INT8 with 16 columns) are instantiated in native/bench/variants/scan_mma_variants.cu.
#include "scan_mma.cuh"

namespace dp {
namespace {

const void* mma_kernel(int type, int nt, bool select) {
  if (type == DP_FP16) {
    if (select) return nt == 2 ? mma_kernel_ptr<DP_FP16, 2, false, true>() : mma_kernel_ptr<DP_FP16, 1, false, true>();
    return nt == 2 ? mma_kernel_ptr<DP_FP16, 2, false, false>() : mma_kernel_ptr<DP_FP16, 1, false, false>();
  }
  if (type != DP_INT8 || nt != 1) return nullptr;
  return select ? mma_kernel_ptr<DP_INT8, 1, false, true>() : mma_kernel_ptr<DP_INT8, 1, false, false>();
}

}  // namespace

bool scan_mma_supported(int type, int64_t row_bytes, const void* codes) {
  return (type == DP_FP16 || type == DP_INT8) && row_bytes % 64 == 0 &&
         (reinterpret_cast<uintptr_t>(codes) & 15) == 0;
}

int scan_mma_dpad(int type, int dim) {
  // Rows of weights are read 16 B per lane by lanes of two columns at once; the pad puts the second column
  // on the other banks (see mma_block).
  const int target = type == DP_FP16 ? 16 : 4;
  const int x = ((target - (dim / 2) % 32) % 32 + 32) % 32;
  return dim + 2 * x;
}

size_t scan_mma_smem(int nt, int dpad, int ivf, int qa, int cap, bool select) {
  return mma_layout(nt, dpad, ivf ? kMaxSegments : 1, qa, cap, select).total;
}

MmaKernels mma_kernels() { return MmaKernels{&mma_kernel}; }

}  // namespace dp
