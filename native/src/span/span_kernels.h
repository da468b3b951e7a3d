// Launcher of the fused span scoring kernel (span_score.cu); called by span_api.cpp.
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#include "densephrases.h"

namespace dp {

struct SpanParams {
  int type;
  const void* tokens;   // (token)(dim)
  const float* offset;  // (dim), INT8
  const float* scale;   // (dim), INT8
  int64_t num_tokens;
  int dim;
  int64_t row_bytes;
  const int64_t* doc_starts;  // (doc+1)
  int64_t num_docs;
  const float* q_start;  // (query)(dim)
  const float* q_end;    // (query)(dim)
  int num_queries;
  const int64_t* candidates;  // (query)(candidate)
  int num_candidates;
  int max_len;
  int direction;
  int k;
  int64_t* cand_other;  // (query)(candidate)
  float* cand_score;    // (query)(candidate)
  int64_t* top_start;   // (query)(k)
  int64_t* top_end;     // (query)(k)
  float* top_score;     // (query)(k)
  unsigned* counters;   // (query) finished blocks, zeroed by the launcher
  int slices;           // blocks per question (set by the launcher)
  int cap;              // top-k capacity (set by the launcher)
  int prefetch;         // prefetch each candidate's partner window into L2 first (tuning().span_prefetch)
};

// Sets row_bytes, slices and cap, zeroes the counters, launches. One kernel launch (plus a memset).
void dp_run_span_score(SpanParams& p, cudaStream_t stream);

}  // namespace dp
