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
  int prefetch;         // prefetch each candidate's partner window into L2 first (SpanConfig::prefetch; v4 only)
  int stages;           // v5: shared-memory stages per warp (set by the launcher from SpanConfig::stages)
  int skip_topk;        // bench only (SpanConfig::skip_topk): stop after cand_other / cand_score
  int prefilter;        // v5: top-k threshold from the k-th best of per-thread maxima (SpanConfig::prefilter)
};

// How span scoring is planned. The exported dp_span_score uses default_span_config(), the kernels chosen by the lab
// (native/NOTES.md); the lab (native/bench/lab.cpp) and its test build others and call span_score.
struct SpanConfig {
  // 0: the streamed kernel (v5) where it applies (16-byte rows, the row size instantiated, no prefetch) and the
  // type is FP32 / FP16, else v4; 1: always the v4 kernel (one candidate per warp at a time, rows in groups of 4
  // loaded into registers); 2: v5 wherever stream_kernel has an instantiation, INT8 included.
  int kernel;
  int stages;       // v5: stages of rows in flight per warp, plus the one being consumed (2..8)
  bool prefilter;   // v5: start the top-k with a threshold that is a lower bound of the k-th best score
  bool skip_topk;   // no top-k (outputs top_* are not the answer): times the per-candidate part alone (bench)
  bool prefetch;    // v4: prefetch each candidate's partner window into L2 first (an experiment; v4 only)
  // v5: the instantiation for a type and chunks per lane (stream_cpl), nullptr where there is none.
  const void* (*stream_kernel)(int type, int cpl);
};

// The library's choice: v5 for FP32 / FP16 where it applies, v4 else; 4 stages, the prefilter, no prefetch.
SpanConfig default_span_config();

// Sets row_bytes, slices, cap and stages, zeroes the counters, launches. One kernel launch (plus a memset).
void dp_run_span_score(SpanParams& p, const SpanConfig& cfg, cudaStream_t stream);

// dp_span_score (same arguments, same validation, a DP_* status) under `cfg`.
int span_score(const SpanConfig& cfg, int type, const void* d_tokens, const float* d_offset, const float* d_scale,
               int64_t num_tokens, int dim, const int64_t* d_doc_starts, int64_t num_docs, const float* d_q_start,
               const float* d_q_end, int num_queries, const int64_t* d_candidates, int num_candidates, int max_len,
               int direction, int k, int64_t* d_cand_other, float* d_cand_score, int64_t* d_top_start,
               int64_t* d_top_end, float* d_top_score, void* stream);

}  // namespace dp
