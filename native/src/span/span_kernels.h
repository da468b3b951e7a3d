// Span scoring's parameters and launcher (span_launch.cu; kernels span_gather.cu and span_stream.cu); called by
// span_api.cpp.
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
  unsigned* counters;   // question q's counter at counters[q * counter_stride], zeroed by the launcher: the first
                        // 4 bytes of top_start[q * k] (rewritten with the answer once the question completes),
                        // so a call needs no temporary allocation
  int64_t counter_stride;
  int slices;           // blocks per question (set by the launcher)
  int cap;              // top-k capacity (set by the launcher)
  int prefetch;         // prefetch each candidate's partner window into L2 first (tuning().span_prefetch; v4 only)
  int stages;           // v5: shared-memory stages per warp (set by the launcher from span_tuning())
  int skip_topk;        // bench only (span_tuning().skip_topk): stop after cand_other / cand_score
  int prefilter;        // v5: top-k threshold from the k-th best of per-thread maxima (span_tuning().prefilter)
};

// Knobs of span scoring, for the bench and tests only (the library never changes them). Process-wide; change
// them only while no call is in flight.
struct SpanTuning {
  // 0: the streamed kernel (v5) for FP32 / FP16 where it applies (16-byte rows, dim <= 1024, no prefetch), else
  // v4; 1: always the v4 kernel (one candidate per warp at a time, rows in groups of 4 loaded into registers);
  // 2: v5 wherever it applies, INT8 included (slower than v4 there, native/NOTES.md).
  int kernel = 0;
  int stages = 4;          // v5: stages of rows in flight per warp, plus the one being consumed (2..8)
  bool skip_topk = false;  // bench only: no top-k (outputs top_* not the answer): times the per-candidate part alone
  bool prefilter = true;   // v5: start the top-k with a threshold that is a lower bound of the k-th best score
};
SpanTuning& span_tuning();

// Sets row_bytes, slices, cap and stages, zeroes the counters, launches. One kernel launch (plus a memset).
void dp_run_span_score(SpanParams& p, cudaStream_t stream);

}  // namespace dp
