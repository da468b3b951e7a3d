// The lab's kernel tables: the library's kernel templates (src/scan/*.cuh, src/span/span_stream.cuh) instantiated
// for the variants the library does not run, plus the library's own instantiations where a variant only plans
// differently. Handed to the library's planners through ScanConfig / SpanConfig (lab.cpp).
#pragma once

#include "scan/scan_kernels.h"
#include "span/span_kernels.h"

namespace dp {

// The fp16 tensor-core scan, every (type, nt, select): v2 = the software-pipelined loop (scan_tiles_pipelined),
// else the library's burst loop (its kernels, plus INT8 with 16 columns: INT8 flat scans on this kernel).
MmaKernels lab_mma_kernels(bool v2);
// The int8 tensor-core scan with 2 or 3 pieces; `pipelined` (2 pieces only) = the double-buffered loads;
// l2_prefetch = each warp prefetches its next tile into L2. 2 pieces without pipelining: the library's kernels.
S8Kernels lab_s8_kernels(int pieces, bool pipelined, bool l2_prefetch);
// v5 span kernels for INT8 too (the library's for FP32 / FP16).
const void* lab_stream_kernel(int type, int cpl);

}  // namespace dp
