// Exported span scoring of densephrases.h: validate, then one launch (span_launch.cu).
#include <string>

#include "../common/device.h"
#include "../common/status.h"
#include "span_kernels.h"

namespace dp {
namespace {
std::string str(int64_t v) { return std::to_string(v); }
}  // namespace

int span_score(const SpanConfig& cfg, int type, const void* d_tokens, const float* d_offset, const float* d_scale,
               int64_t num_tokens, int dim, const int64_t* d_doc_starts, int64_t num_docs, const float* d_q_start,
               const float* d_q_end, int num_queries, const int64_t* d_candidates, int num_candidates, int max_len,
               int direction, int k, int64_t* d_cand_other, float* d_cand_score, int64_t* d_top_start,
               int64_t* d_top_end, float* d_top_score, void* stream) {
  return guarded("dp_span_score", [&] {
    DP_REQUIRE(type == DP_FP32 || type == DP_FP16 || type == DP_INT8,
               "type must be DP_FP32 (0), DP_FP16 (1) or DP_INT8 (2), got " + str(type));
    DP_REQUIRE(dim >= 1 && dim <= DP_MAX_DIM, "dim must be in [1, " + str(DP_MAX_DIM) + "], got " + str(dim));
    DP_REQUIRE(num_tokens >= 1, "num_tokens must be >= 1, got " + str(num_tokens));
    DP_REQUIRE(num_docs >= 1, "num_docs must be >= 1, got " + str(num_docs));
    DP_REQUIRE(num_queries >= 1, "num_queries must be >= 1, got " + str(num_queries));
    DP_REQUIRE(num_candidates >= 1 && num_candidates <= DP_MAX_CANDIDATES,
               "num_candidates must be in [1, " + str(DP_MAX_CANDIDATES) + "], got " + str(num_candidates));
    DP_REQUIRE(max_len >= 1 && max_len <= DP_MAX_ANSWER_LENGTH,
               "max_len must be in [1, " + str(DP_MAX_ANSWER_LENGTH) + "], got " + str(max_len));
    DP_REQUIRE(direction == 0 || direction == 1, "direction must be 0 (start->end) or 1 (end->start), got " +
                                                     str(direction));
    DP_REQUIRE(k >= 1 && k <= DP_MAX_K, "k must be in [1, " + str(DP_MAX_K) + "], got " + str(k));
    DP_REQUIRE(d_tokens != nullptr, "d_tokens is NULL");
    if (type == DP_INT8) DP_REQUIRE(d_offset != nullptr && d_scale != nullptr, "INT8 needs d_offset and d_scale");
    DP_REQUIRE(d_doc_starts != nullptr, "d_doc_starts is NULL");
    DP_REQUIRE(d_q_start != nullptr && d_q_end != nullptr, "d_q_start or d_q_end is NULL");
    DP_REQUIRE(d_candidates != nullptr, "d_candidates is NULL");
    DP_REQUIRE(d_cand_other != nullptr && d_cand_score != nullptr, "d_cand_other or d_cand_score is NULL");
    DP_REQUIRE(d_top_start != nullptr && d_top_end != nullptr && d_top_score != nullptr,
               "d_top_start, d_top_end or d_top_score is NULL");
    cudaStream_t s = to_stream(stream);
    SpanParams p{};
    p.type = type;
    p.tokens = d_tokens;
    p.offset = d_offset;
    p.scale = d_scale;
    p.num_tokens = num_tokens;
    p.dim = dim;
    p.doc_starts = d_doc_starts;
    p.num_docs = num_docs;
    p.q_start = d_q_start;
    p.q_end = d_q_end;
    p.num_queries = num_queries;
    p.candidates = d_candidates;
    p.num_candidates = num_candidates;
    p.max_len = max_len;
    p.direction = direction;
    p.k = k;
    p.cand_other = d_cand_other;
    p.cand_score = d_cand_score;
    p.top_start = d_top_start;
    p.top_end = d_top_end;
    p.top_score = d_top_score;
    // The per-question counters live in the first 4 bytes of each question's top_start row (no temporary
    // allocation: cudaMallocAsync from a pool that is trimmed at every synchronization cost ~70-80 us a call, NOTES.md).
    p.counters = reinterpret_cast<unsigned*>(d_top_start);
    p.counter_stride = 2 * (int64_t)k;
    p.prefetch = cfg.prefetch ? 1 : 0;
    p.skip_topk = cfg.skip_topk ? 1 : 0;
    p.prefilter = cfg.prefilter ? 1 : 0;
    dp_run_span_score(p, cfg, s);
    return DP_OK;
  });
}

}  // namespace dp

extern "C" DP_API int dp_span_score(int type, const void* d_tokens, const float* d_offset, const float* d_scale,
                                    int64_t num_tokens, int dim, const int64_t* d_doc_starts, int64_t num_docs,
                                    const float* d_q_start, const float* d_q_end, int num_queries,
                                    const int64_t* d_candidates, int num_candidates, int max_len, int direction,
                                    int k, int64_t* d_cand_other, float* d_cand_score, int64_t* d_top_start,
                                    int64_t* d_top_end, float* d_top_score, void* stream) {
  return dp::span_score(dp::default_span_config(), type, d_tokens, d_offset, d_scale, num_tokens, dim, d_doc_starts,
                        num_docs, d_q_start, d_q_end, num_queries, d_candidates, num_candidates, max_len, direction, k,
                        d_cand_other, d_cand_score, d_top_start, d_top_end, d_top_score, stream);
}
