// Launchers of the final top-k merge (topk_merge.cu).
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

namespace dp {

// Per query, merges `lists` partial top-k lists (each list_len entries, -inf/-1 padded) into the final k best:
// in (query)(list)(list_len) -> out (query)(k), descending, missing slots (-inf, -1). lists * list_len < 2^31.
// select: full buffers shrink by radix select instead of the bitonic sort (the caller's decision: ScanConfig,
// scan_config.h). list_len 0 means k.
void dp_run_topk_merge(const float* d_in_score, const int64_t* d_in_id, int num_queries, int lists, int k,
                       float* d_out_score, int64_t* d_out_id, cudaStream_t stream, bool select, int list_len = 0);

// The check of the sampled-threshold path (scan_api.cpp): sets *d_flag to 1 when some query's final top-k
// (query)(k) may be wrong: its k-th slot is empty, or one of its partial lists (query)(list)(list_len) is full and
// its last score is above the final k-th (that list may have dropped an entry of the top-k). Leaves it otherwise.
void dp_run_topk_check(const float* d_lists, int num_queries, int lists, int list_len, const float* d_final, int k,
                       int* d_flag, cudaStream_t stream);

// Fills n slots with (-inf, -1): the answer of a scan over nothing.
void dp_run_topk_fill_empty(float* d_out_score, int64_t* d_out_id, int64_t n, cudaStream_t stream);

}  // namespace dp
