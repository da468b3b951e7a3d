// The library's CUDA-core scan kernels (the template and its documentation: scan_generic.cuh): every type, query
// tiles of 1, 4 and 16 columns, rows read 16 bytes at a time where they allow it, else element by element.
#include "scan_generic.cuh"

namespace dp {
namespace {

template <int TYPE, int QS, bool VEC>
const void* ptr() {
  return reinterpret_cast<const void*>(&scan_generic_kernel<TYPE, QS, VEC>);
}

template <int TYPE, bool VEC>
const void* generic_kernel_t(int qs) {
  return qs == 16 ? ptr<TYPE, 16, VEC>() : qs == 4 ? ptr<TYPE, 4, VEC>() : ptr<TYPE, 1, VEC>();
}

template <bool VEC>
const void* generic_kernel_v(int type, int qs) {
  return type == DP_FP32 ? generic_kernel_t<DP_FP32, VEC>(qs)
         : type == DP_FP16 ? generic_kernel_t<DP_FP16, VEC>(qs)
                           : generic_kernel_t<DP_INT8, VEC>(qs);
}

const void* generic_kernel(int type, int qs, bool vec) {
  return vec ? generic_kernel_v<true>(type, qs) : generic_kernel_v<false>(type, qs);
}

bool vec_rows(const ScanParams& p) {
  return p.row_bytes % 16 == 0 && (reinterpret_cast<uintptr_t>(p.codes) & 15) == 0;
}

}  // namespace

size_t scan_generic_smem(int qs, int dim, int ivf, int qa, int cap) {
  return generic_layout(qs, dim, ivf ? kMaxSegments : 1, qa, cap).total;
}

const void* scan_generic_kernel(const ScanParams& p, int qs) { return generic_kernel(p.type, qs, vec_rows(p)); }

}  // namespace dp
