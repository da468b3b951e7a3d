// Internal knobs of the kernel planners. Not part of the C ABI: the benchmark and the tests (which link the
// static library) set them to time or check one code path; the library itself never changes them.
#pragma once

#include <stdint.h>

namespace dp {

struct Tuning {
  bool scan_force_generic = false;  // dense scans on the CUDA-core kernel even where the tensor-core one applies
  // Tensor-core scan: software-pipelined loads (true: v2) or per-tile bursts of 4 blocks (false: v1). Measured on
  // H100 (native/NOTES.md): v1 was as fast or faster everywhere, so it is the default.
  bool scan_pipelined = false;
  // Flat tensor-core scans: blocks per SM (1: request enough shared memory that one block fills an SM; 0: as many
  // as fit). One block per SM measured faster for 16-query tiles (fewer, longer blocks: less top-k work).
  int scan_flat_blocks_per_sm = 1;
  bool span_prefetch = false;  // span scoring: prefetch each candidate's partner window into L2 (an experiment)
  int scan_max_queries_per_block = 16;  // cap on the query tile of flat scans (1..16)
  int scan_blocks_per_sm = 0;          // grid size per SM for flat scans and IVF groups (0: the occupancy)
  bool pq_force_global_lut = false;    // PQ tables read through L1 instead of shared memory
  int64_t scan_temp_budget = int64_t(1) << 30;  // bytes of partial top-k lists a scan aims to stay under
  // INT8 scans on the int8 tensor cores (scan_s8.cu) with the queries split into this many int8 pieces per weight
  // (3: ~21 bits per weight, the same accuracy as the fp16 kernel's hi + lo; 2: ~15 bits, see NOTES.md for the
  // error bound); 0: the fp16 tensor-core kernel. Applies when num_queries >= scan_s8_min_queries.
  int scan_s8_pieces = 0;
  int scan_s8_min_queries = 1;
  int scan_s8_max_queries_per_block = 32;  // query tile of the s8 kernel: 8, 16 or 32 columns
  // Full top-k buffers shrink by radix select between rounds instead of a bitonic sort (scans on tensor cores and
  // the merge; block_topk.cuh).
  // The int8 tensor-core scan: each warp prefetches its next 32-row tile into L2 with the copy engine while it
  // scores the current one (keeps DRAM busy across the round barriers; aimed at nq 1..16). Not in the fp16 kernel:
  // the extra registers made its default instantiations spill under their 128-register cap.
  bool scan_l2_prefetch = false;
  bool topk_select = false;
  int topk_select_min_k = 1;  // ... for k >= this only
};

// Process-wide; change it only while no call is in flight.
Tuning& tuning();

}  // namespace dp
