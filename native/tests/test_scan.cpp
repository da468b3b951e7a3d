// dp_scan_flat / dp_scan_ivf / dp_scan_ivf_pq against a float64 CPU reference on fresh random data (the cases:
// scan_cases.h): every kernel the library runs (native/NOTES.md, "The kernel the library runs"), through the
// exported entry points: every type, odd and aligned dims (the CUDA-core and tensor-core kernels), ties, k beyond
// the candidates, empty lists, probe padding and bias, id maps, several chunks and query tiles, large k (radix
// select), PQ with tables in shared memory and through L1. The lab's variants: native/bench/test_lab.cpp.
#include "scan_cases.h"

using namespace dpt;

int main() {
  std::printf("test_scan (seed %llu)\n", (unsigned long long)seed());
  if (!have_device()) return kSkip;
  target().knobs = [](bool pq) { return pq ? "" : " s8x2 select"; };  // the library's, as test_lab names knobs
  target().two_pieces = [](int type, bool ivf) { return type == DP_INT8 && !ivf; };  // IVF: the fp16 kernel

  // flat: odd dims (CUDA-core kernel), aligned dims (tensor cores for FP16/INT8), both paths on the same shape
  flat_case(DP_FP32, 1000, 37, 3, 10);
  flat_case(DP_FP32, 4099, 128, 5, 64);
  flat_case(DP_FP16, 5000, 64, 5, 100);
  flat_case(DP_FP16, 3001, 61, 4, 33);
  flat_case(DP_FP16, 2000, 96, 40, 7);  // 3 query tiles
  flat_case(DP_INT8, 7001, 128, 17, 50);  // a 16-query tile and a 1-query tile
  flat_case(DP_INT8, 2500, 131, 6, 20);
  flat_case(DP_INT8, 3000, 192, 9, 25, 3);  // ties: each row three times
  flat_case(DP_FP32, 3000, 19, 2, 25, 4);
  flat_case(DP_FP16, 20, 64, 3, 64);  // k > rows
  flat_case(DP_INT8, 20, 67, 2, 2048);
  flat_case(DP_INT8, 10000, 64, 2, 2048);  // largest k
  flat_case(DP_FP16, 300000, 32, 4, 100);  // many chunks, merged
  flat_case(DP_INT8, 20000, 320, 12, 40);   // 5 blocks of 64 bytes per row: odd pipeline stage count
  flat_case(DP_FP16, 9000, 160, 3, 17);
  flat_case(DP_INT8, 30000, 768, 16, 100);  // the benchmark's shape
  flat_case(DP_INT8, 50000, 64, 16, 1000);  // large k, 16 queries in one block
  flat_case(DP_FP16, 40000, 64, 5, 2048);   // the fp16 tensor-core kernel with the radix select (k >= 2048)
  flat_case(DP_INT8, 200000, 64, 16, 1);
  flat_case(DP_FP16, 5000, 40, 5, 100);   // 80-byte rows: the CUDA-core kernel with 16-byte loads
  flat_case(DP_INT8, 7001, 80, 17, 50);    // the same for INT8, a 16-query tile and a 1-query tile
  flat_case(DP_FP32, 1, 5, 1, 1);
  flat_case(DP_FP16, 0, 64, 2, 5);  // no vectors: all slots empty
  // large k on the sampled-threshold path (scan_api.cpp): random rows, and two layouts whose miss the check must
  // catch (the plain scan then answers)
  flat_case(DP_INT8, 400000, 64, 3, 1000);
  flat_case(DP_FP16, 300000, 64, 2, 2048);
  flat_case(DP_FP16, 300000, 64, 2, 1000, 1, kHotSampled);
  flat_case(DP_FP16, 300000, 64, 2, 1000, 1, kHotRegion);
  fp32_cases();

  // IVF
  ivf_case(DP_INT8, 20000, 128, 50, 7, 8, 30, true, true);
  ivf_case(DP_FP16, 20000, 64, 50, 5, 10, 40, false, false);
  ivf_case(DP_FP32, 9000, 33, 40, 4, 6, 25, true, true);
  ivf_case(DP_FP16, 9000, 45, 40, 4, 6, 25, true, false);
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 60, true, true);  // > 256 probes: several groups
  ivf_case(DP_INT8, 500, 64, 64, 3, 4, 500, true, true);      // k beyond the candidates
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 2048, true, true);  // the fp16 tensor-core kernel with the select
  ivf_case(DP_FP32, 2000, 16, 10, 2, 10, 2048, false, true);

  // IVF-PQ
  pq_case(20000, 64, 16, 30, 5, 6, 40);    // 16-byte code loads, tables in shared memory
  pq_case(8000, 21, 7, 20, 3, 5, 30);      // byte loads
  pq_case(6000, 256, 256, 12, 2, 4, 50);   // 256 KB tables: automatically through L1
  pq_case(3000, 96, 48, 300, 2, 290, 2048);
  return finish("test_scan");
}
