// The library's v5 span kernels (the template and its documentation: span_stream.cuh): FP32 and FP16, chunks per
// lane 1..4 (FP32 also 6 and 8). INT8 runs on v4 (span_gather.cu); the lab's v5 for INT8 is in
// native/bench/variants/span_stream_int8.cu.
#include "span_stream.cuh"

namespace dp {

int stream_cpl(int type, int64_t row_bytes) {  // 0: v5 does not apply
  const int cpl = (int)((row_bytes / 16 + 31) / 32);
  if (type == DP_FP32) return cpl <= 4 ? cpl : cpl <= 6 ? 6 : cpl <= 8 ? 8 : 0;
  if (type == DP_FP16) return cpl <= 4 ? cpl : 0;
  return cpl <= 2 ? cpl : 0;
}

const void* stream_kernel(int type, int cpl) {
  if (type == DP_FP32) {
    switch (cpl) {
      case 1: return sptr<DP_FP32, 1>();
      case 2: return sptr<DP_FP32, 2>();
      case 3: return sptr<DP_FP32, 3>();
      case 4: return sptr<DP_FP32, 4>();
      case 6: return sptr<DP_FP32, 6>();
      case 8: return sptr<DP_FP32, 8>();
    }
  } else if (type == DP_FP16) {
    switch (cpl) {
      case 1: return sptr<DP_FP16, 1>();
      case 2: return sptr<DP_FP16, 2>();
      case 3: return sptr<DP_FP16, 3>();
      case 4: return sptr<DP_FP16, 4>();
    }
  }
  return nullptr;  // INT8: v4 (the lab's tables have v5 for INT8)
}

}  // namespace dp
