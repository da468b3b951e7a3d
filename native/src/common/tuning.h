// Internal knobs of the kernel planners. Not part of the C ABI: the benchmark and the tests (which link the
// static library) set them to time or check one code path; the library itself never changes them.
#pragma once

#include <stdint.h>

namespace dp {

struct Tuning {
  bool scan_force_generic = false;  // dense scans on the CUDA-core kernel even where the tensor-core one applies
  bool scan_pipelined = true;       // tensor-core scan: software-pipelined loads (false: the burst loop of v1)
  bool scan_one_block_per_sm = false;  // request enough shared memory that one scan block fills an SM
  int scan_max_queries_per_block = 16;  // cap on the query tile of flat scans (1..16)
  int scan_blocks_per_sm = 0;          // grid size per SM for flat scans and IVF groups (0: the occupancy)
  bool pq_force_global_lut = false;    // PQ tables read through L1 instead of shared memory
  int64_t scan_temp_budget = int64_t(1) << 30;  // bytes of partial top-k lists a scan aims to stay under
};

// Process-wide; change it only while no call is in flight.
Tuning& tuning();

}  // namespace dp
