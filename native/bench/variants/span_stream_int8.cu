// The lab's v5 span kernels for INT8 (src/span/span_stream.cuh; SpanConfig::kernel = 2, "[v5 forced]"): chunks per
// lane 1 and 2 (rows up to 1 KB). Measured slower than v4 for INT8 (native/NOTES.md). Not in the library.
#include "lab_variants.h"
#include "span/span_stream.cuh"

namespace dp {

const void* lab_stream_kernel(int type, int cpl) {
  if (type == DP_INT8) {
    switch (cpl) {
      case 1: return sptr<DP_INT8, 1>();
      case 2: return sptr<DP_INT8, 2>();
    }
    return nullptr;
  }
  return default_span_config().stream_kernel(type, cpl);  // the library's (FP32, FP16)
}

}  // namespace dp
