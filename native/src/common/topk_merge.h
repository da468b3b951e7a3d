// Launchers of the final top-k merge (topk_merge.cu).
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

namespace dp {

// Per query, merges `lists` partial top-k lists (each k entries, -inf/-1 padded) into the final k best:
// in (query)(list)(k) -> out (query)(k), descending, missing slots (-inf, -1). lists * k < 2^31. select: full
// buffers shrink by radix select instead of the bitonic sort (the caller's decision: ScanConfig, scan_config.h).
void dp_run_topk_merge(const float* d_in_score, const int64_t* d_in_id, int num_queries, int lists, int k,
                       float* d_out_score, int64_t* d_out_id, cudaStream_t stream, bool select);

// Fills n slots with (-inf, -1): the answer of a scan over nothing.
void dp_run_topk_fill_empty(float* d_out_score, int64_t* d_out_id, int64_t n, cudaStream_t stream);

}  // namespace dp
