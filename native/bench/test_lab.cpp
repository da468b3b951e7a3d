// The lab's variants against the float64 CPU reference (the cases of test_scan and test_span: tests/scan_cases.h,
// tests/span_cases.h), each run through the library's planners under the lab's knobs (lab.h), so that the lab
// (tools/gpu-kernels-lab.sh, which reads the FAIL lines: a case's name ends with the knobs it ran under) only
// picks variants that pass. Without a GPU: checks that the lab's defaults plan exactly as the library does, then
// exits 77 (skipped).
#include <cstring>
#include <string>

#include "lab.h"
#include "scan_cases.h"
#include "span_cases.h"

using namespace dpt;

namespace {

// The knobs a case runs under, in its name (tools/gpu-kernels-lab.sh reads the FAIL lines for them).
const char* knobs(bool pq) {
  const dp::Tuning& t = dp::tuning();
  static char buf[96];
  if (pq) return t.pq_force_global_lut ? " global-lut" : "";
  std::snprintf(buf, sizeof buf, "%s%s%s%s%s%s%s%s%s", t.scan_force_generic ? " generic" : "",
                t.scan_f32_coalesced ? "" : " f32row",
                t.scan_s8_pieces == 3 ? " s8x3" : t.scan_s8_pieces == 2 ? " s8x2" : "",
                t.scan_s8_pieces == 2 && t.scan_s8_pipelined ? " s8pipe" : "", t.scan_s8_ivf ? " s8ivf" : "",
                t.topk_select ? " select" : "", t.scan_pipelined ? " v2" : "", t.scan_l2_prefetch ? " l2pf" : "",
                t.scan_sample_min_k == 0 ? " nosample" : "");
  return buf;
}

// INT8 scans on the int8 kernel with 2 pieces (their tolerance bound, scan_cases.h).
bool two_pieces(int type, bool ivf) {
  const dp::Tuning& t = dp::tuning();
  return type == DP_INT8 && t.scan_s8_pieces == 2 && !t.scan_force_generic && (!ivf || t.scan_s8_ivf);
}

const char* span_knobs() {
  static std::string s;
  const dp::SpanTuning& st = dp::span_tuning();
  s = dp::tuning().span_prefetch ? " prefetch" : "";
  if (st.kernel == 1) s += " v4";
  if (st.kernel == 2) s += " v5";
  return s.c_str();
}

}  // namespace

int main() {
  std::printf("test_lab (seed %llu)\n", (unsigned long long)seed());
  const char* mismatch = dp::lab_default_mismatch();
  EXPECT(*mismatch == 0, "the lab's defaults plan differently from the library: %s", mismatch);
  if (failures() > 0) return finish("test_lab");
  std::printf("  the lab's defaults plan as the library does\n");
  if (!have_device()) return kSkip;
  target().flat = &dp::lab_scan_flat;
  target().ivf = &dp::lab_scan_ivf;
  target().ivf_pq = &dp::lab_scan_ivf_pq;
  target().knobs = &knobs;
  target().two_pieces = &two_pieces;
  span_target().span = &dp::lab_span_score;
  span_target().knobs = &span_knobs;

  // the CUDA-core kernel where a tensor-core one applies (scan_force_generic), on the same shapes as test_scan's
  std::printf(" forced CUDA-core kernel\n");
  dp::tuning().scan_force_generic = true;
  flat_case(DP_FP16, 5000, 64, 5, 100);
  flat_case(DP_INT8, 7001, 128, 17, 50);
  dp::tuning() = dp::Tuning{};

  // the fp16 tensor-core kernel for INT8 (scan_s8_pieces = 0; the default before the H200 lab run), no select
  std::printf(" fp16 tensor-core kernel for INT8\n");
  dp::tuning().scan_s8_pieces = 0;
  dp::tuning().topk_select = false;
  flat_case(DP_INT8, 7001, 128, 17, 50);
  flat_case(DP_INT8, 2500, 131, 6, 20);
  flat_case(DP_INT8, 3000, 192, 9, 25, 3);
  flat_case(DP_INT8, 10000, 64, 2, 2048);
  flat_case(DP_INT8, 20000, 320, 12, 40);
  flat_case(DP_INT8, 30000, 768, 16, 100);
  flat_case(DP_INT8, 50000, 64, 16, 1000);
  flat_case(DP_FP16, 40000, 64, 5, 2048);
  dp::tuning() = dp::Tuning{};

  // the v2 pipelined loop of the tensor-core scan and two blocks per SM (tuning knobs) on the same kinds of shapes
  dp::tuning().scan_s8_pieces = 0;  // v2 is a loop of the fp16 kernel
  dp::tuning().scan_pipelined = true;
  dp::tuning().scan_flat_blocks_per_sm = 0;
  flat_case(DP_INT8, 20000, 320, 12, 40);
  flat_case(DP_FP16, 9000, 160, 3, 17);
  flat_case(DP_INT8, 30000, 768, 16, 100);
  ivf_case(DP_INT8, 20000, 128, 50, 7, 8, 30, true, true);
  dp::tuning() = dp::Tuning{};

  // int8 tensor cores (scan_s8.cu), 3 and 2 query pieces: query tiles of 8 / 16 / 32 columns, several tiles, odd
  // stage counts, ties, largest k, many chunks, IVF segments
  // (and IVF on it: scan_s8_ivf), then 2 pieces with the double-buffered loads (scan_s8_pipelined)
  for (int pieces : {3, 2, 22}) {
    std::printf(" int8 tensor cores, %d query pieces%s\n", pieces % 10, pieces == 22 ? ", pipelined loads" : "");
    dp::tuning().scan_s8_pieces = pieces % 10;
    dp::tuning().scan_s8_pipelined = pieces == 22;
    dp::tuning().scan_s8_ivf = true;
    flat_case(DP_INT8, 7001, 128, 17, 50);   // a 17-query tile (32 columns)
    flat_case(DP_INT8, 7001, 128, 5, 50);    // 8 columns
    flat_case(DP_INT8, 9001, 192, 12, 40);   // 16 columns, 3 blocks of 64 bytes
    flat_case(DP_INT8, 20000, 320, 70, 40);  // 3 query tiles (32 + 32 + 6)
    flat_case(DP_INT8, 3000, 192, 9, 25, 3);  // ties
    flat_case(DP_INT8, 20, 64, 2, 2048);
    flat_case(DP_INT8, 10000, 64, 2, 2048);
    flat_case(DP_INT8, 30000, 768, 64, 100);  // the benchmark's shape, 64 queries
    flat_case(DP_INT8, 300000, 64, 33, 100);  // many chunks, merged
    ivf_case(DP_INT8, 20000, 128, 50, 7, 8, 30, true, true);
    ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 60, true, true);
    dp::tuning().scan_s8_max_queries_per_block = 16;
    flat_case(DP_INT8, 20000, 768, 40, 100);
    dp::tuning().scan_s8_max_queries_per_block = 8;
    flat_case(DP_INT8, 9001, 192, 12, 40);
    if (pieces == 22) {  // IVF with an even burst count (d = 192): the next tile's first burst crosses segments
      ivf_case(DP_INT8, 20000, 192, 50, 7, 8, 30, true, true);
      ivf_case(DP_INT8, 4000, 192, 300, 2, 280, 40, false, true);
    }
    dp::tuning() = dp::Tuning{};
  }

  // top-k by radix select between rounds (tuning().topk_select): large k (a query fills every ~96 pushes), ties,
  // k beyond the rows, several chunks merged, both tensor-core kernels, IVF
  std::printf(" top-k by radix select, from k = 1 on every kernel\n");
  dp::tuning().topk_select = true;
  dp::tuning().topk_select_min_k = 1;
  dp::tuning().topk_select_min_k_mma = 1;
  dp::tuning().scan_s8_pieces = 0;  // the fp16 kernel first, then the s8 kernel
  flat_case(DP_INT8, 50000, 64, 16, 1000);
  flat_case(DP_INT8, 200000, 64, 16, 1);
  dp::tuning().scan_s8_pieces = 2;
  flat_case(DP_INT8, 50000, 64, 16, 1000);
  flat_case(DP_FP16, 40000, 64, 5, 2048);
  flat_case(DP_INT8, 3000, 192, 9, 25, 3);  // ties
  flat_case(DP_FP16, 2000, 64, 4, 7, 4);    // ties, small k
  flat_case(DP_INT8, 20, 67, 2, 2048);
  flat_case(DP_FP16, 300000, 32, 4, 100);
  flat_case(DP_INT8, 200000, 64, 16, 1);
  flat_case(DP_FP32, 4099, 128, 5, 64);  // CUDA-core kernel: ignores the knob
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 600, true, true);
  dp::tuning().scan_s8_pieces = 3;
  flat_case(DP_INT8, 100000, 128, 40, 2048);
  flat_case(DP_INT8, 30000, 768, 16, 300);
  dp::tuning() = dp::Tuning{};

  // large-k flat scans without the sampled threshold (scan_sample_min_k = 0: the plain scan, the lab's variant)
  std::printf(" large k without the sampled threshold\n");
  dp::tuning().scan_sample_min_k = 0;
  flat_case(DP_INT8, 400000, 64, 3, 1000);
  flat_case(DP_FP16, 300000, 64, 2, 2048);
  dp::tuning() = dp::Tuning{};

  // FP32 on the one-row-per-lane CUDA-core kernel (tuning().scan_f32_coalesced = false; the library runs the
  // coalesced one for rows a multiple of 64 bytes): the FP32 cases of test_scan
  std::printf(" FP32 one row per lane\n");
  dp::tuning().scan_f32_coalesced = false;
  fp32_cases();
  dp::tuning() = dp::Tuning{};

  // L2 prefetch of the next tile in the int8 tensor-core kernel (a hint: results must not change), flat and IVF
  std::printf(" L2 prefetch\n");
  dp::tuning().scan_l2_prefetch = true;
  dp::tuning().scan_s8_pieces = 3;
  dp::tuning().scan_s8_ivf = true;
  flat_case(DP_INT8, 30000, 768, 16, 100);
  flat_case(DP_INT8, 20001, 192, 1, 10);
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 60, true, true);
  dp::tuning() = dp::Tuning{};

  // IVF-PQ with the tables through L1 where they fit in shared memory (pq_force_global_lut)
  std::printf(" PQ tables through L1\n");
  dp::tuning().pq_force_global_lut = true;
  pq_case(20000, 64, 16, 30, 5, 6, 40);
  dp::tuning() = dp::Tuning{};

  // span scoring
  dp::tuning().span_prefetch = true;  // the L2 prefetch experiment must not change results
  span_case(DP_FP16, 5000, 64, 4, 300, 20, 0, 25, 1);
  span_case(DP_INT8, 4000, 64, 2, 100, 128, 1, 10, 1);
  span_case(DP_FP16, 64, 64, 3, 64, 20, 0, 8, 1);
  span_case(DP_FP16, 64, 64, 3, 64, 20, 1, 8, 1);
  dp::tuning() = dp::Tuning{};
  dp::span_tuning().kernel = 1;  // v4 everywhere
  span_case(DP_FP32, 3000, 64, 3, 200, 10, 1, 10, 1);
  span_case(DP_FP16, 5000, 64, 4, 300, 20, 0, 25, 1);
  span_case(DP_FP16, 3000, 64, 3, 150, 16, 1, 12, 4);
  dp::span_tuning().kernel = 2;  // v5 wherever it applies, INT8 included
  span_case(DP_INT8, 5000, 128, 5, 500, 30, 0, 50, 1);
  span_case(DP_INT8, 4000, 64, 2, 100, 128, 1, 10, 1);
  span_case(DP_INT8, 20000, 256, 1, 8192, 8, 0, 2048, 1);
  span_case(DP_INT8, 2000, 768, 2, 100, 12, 1, 10, 1);  // 768-byte rows: 2 chunks per lane
  span_case(DP_FP16, 3000, 64, 3, 150, 16, 0, 400, 1);
  dp::span_tuning().kernel = 0;
  dp::span_tuning().stages = 2;  // v5 with 2 stages, and without the top-k prefilter
  span_case(DP_FP16, 5000, 64, 4, 300, 20, 0, 25, 1);
  dp::span_tuning().stages = 4;
  dp::span_tuning().prefilter = false;
  span_case(DP_FP32, 3000, 64, 3, 200, 10, 1, 10, 1);
  dp::span_tuning() = dp::SpanTuning{};
  return finish("test_lab");
}
