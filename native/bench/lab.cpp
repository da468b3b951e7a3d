// The lab's knobs -> the library planners' configs (scan_config.h, span_kernels.h), and the dp_* entry points
// under them. Variant kernels come from variants/ (lab_variants.h).
#include "lab.h"

#include <cstring>

#include "lab_variants.h"

namespace dp {

Tuning& tuning() {
  static Tuning t;
  return t;
}

SpanTuning& span_tuning() {
  static SpanTuning t;
  return t;
}

ScanConfig scan_config(const Tuning& t) {
  ScanConfig c = default_scan_config();
  c.mma = lab_mma_kernels(t.scan_pipelined);  // the library's v1 kernels plus INT8 with 16 columns, or v2
  // 0: INT8 on the fp16 kernel; 2 or 3 pieces (pipelined loads with 2 only)
  c.s8 = t.scan_s8_pieces == 2 || t.scan_s8_pieces == 3
             ? lab_s8_kernels(t.scan_s8_pieces, t.scan_s8_pipelined && t.scan_s8_pieces == 2, t.scan_l2_prefetch)
             : S8Kernels{0, false, false, nullptr};
  c.f32 = t.scan_f32_coalesced ? f32c_kernels() : F32Kernels{nullptr, nullptr, nullptr};  // false: one row per lane
  c.force_generic = t.scan_force_generic;
  c.max_queries_per_block = t.scan_max_queries_per_block;
  c.s8_max_queries_per_block = t.scan_s8_max_queries_per_block;
  c.s8_min_queries = t.scan_s8_min_queries;
  c.s8_ivf = t.scan_s8_ivf;
  c.blocks_per_sm = t.scan_blocks_per_sm;
  c.flat_blocks_per_sm = t.scan_flat_blocks_per_sm;
  c.temp_budget = t.scan_temp_budget;
  c.topk_select = t.topk_select;
  c.topk_select_min_k = t.topk_select_min_k;
  c.topk_select_min_k_mma = t.topk_select_min_k_mma;
  c.pq_global_lut = t.pq_force_global_lut;
  c.sample_min_k = t.scan_sample_min_k;
  return c;
}

SpanConfig span_config(const Tuning& t, const SpanTuning& s) {
  SpanConfig c = default_span_config();
  c.kernel = s.kernel;
  c.stages = s.stages;
  c.prefilter = s.prefilter;
  c.skip_topk = s.skip_topk;
  c.prefetch = t.span_prefetch;
  if (s.kernel == 2) c.stream_kernel = &lab_stream_kernel;  // v5 for INT8 too
  return c;
}

const char* lab_default_mismatch() {
  const ScanConfig a = scan_config(Tuning{}), d = default_scan_config();
  for (int type : {DP_FP16, DP_INT8})
    for (int nt : {1, 2})
      for (bool sel : {false, true})
        if (d.mma.kernel(type, nt, sel) != nullptr && a.mma.kernel(type, nt, sel) != d.mma.kernel(type, nt, sel))
          return "fp16 tensor-core kernel table";
  if (a.s8.pieces != d.s8.pieces || a.s8.pipelined != d.s8.pipelined || a.s8.l2_prefetch != d.s8.l2_prefetch ||
      (a.s8.kernel == nullptr) != (d.s8.kernel == nullptr))
    return "int8 kernel table";
  if (d.s8.kernel != nullptr)
    for (int nt : {1, 2, 4})
      if (a.s8.kernel(nt) != d.s8.kernel(nt)) return "int8 kernel table";
  if ((a.f32.kernel == nullptr) != (d.f32.kernel == nullptr)) return "FP32 kernel table";
  if (a.force_generic != d.force_generic) return "scan_force_generic";
  if (a.max_queries_per_block != d.max_queries_per_block) return "scan_max_queries_per_block";
  if (a.s8_max_queries_per_block != d.s8_max_queries_per_block) return "scan_s8_max_queries_per_block";
  if (a.s8_min_queries != d.s8_min_queries) return "scan_s8_min_queries";
  if (a.s8_ivf != d.s8_ivf) return "scan_s8_ivf";
  if (a.blocks_per_sm != d.blocks_per_sm) return "scan_blocks_per_sm";
  if (a.flat_blocks_per_sm != d.flat_blocks_per_sm) return "scan_flat_blocks_per_sm";
  if (a.temp_budget != d.temp_budget) return "scan_temp_budget";
  if (a.topk_select != d.topk_select) return "topk_select";
  if (a.topk_select_min_k != d.topk_select_min_k) return "topk_select_min_k";
  if (a.topk_select_min_k_mma != d.topk_select_min_k_mma) return "topk_select_min_k_mma";
  if (a.pq_global_lut != d.pq_global_lut) return "pq_force_global_lut";
  if (a.sample_min_k != d.sample_min_k || a.sample_list_k != d.sample_list_k ||
      a.sample_min_stride != d.sample_min_stride || a.sample_factor != d.sample_factor ||
      a.sample_budget != d.sample_budget)
    return "scan_sample_min_k";
  const SpanConfig sa = span_config(Tuning{}, SpanTuning{}), sd = default_span_config();
  if (sa.kernel != sd.kernel || sa.stages != sd.stages || sa.prefilter != sd.prefilter ||
      sa.skip_topk != sd.skip_topk || sa.prefetch != sd.prefetch || sa.stream_kernel != sd.stream_kernel)
    return "span config";
  return "";
}

int lab_scan_flat(int type, const void* d_codes, const float* d_offset, const float* d_scale, int64_t num_vectors,
                  int dim, const float* d_queries, int num_queries, int k, float* d_out_scores, int64_t* d_out_ids,
                  void* stream) {
  return scan_flat(scan_config(tuning()), type, d_codes, d_offset, d_scale, num_vectors, dim, d_queries,
                   num_queries, k, d_out_scores, d_out_ids, stream);
}

int lab_scan_ivf(int type, const void* d_codes, const float* d_offset, const float* d_scale, int64_t num_vectors,
                 int dim, const int64_t* d_list_offsets, int nlist, const int64_t* d_ids, const float* d_queries,
                 int num_queries, const int32_t* d_probes, int nprobe, const float* d_probe_bias, int k,
                 float* d_out_scores, int64_t* d_out_ids, void* stream) {
  return scan_ivf(scan_config(tuning()), type, d_codes, d_offset, d_scale, num_vectors, dim, d_list_offsets, nlist,
                  d_ids, d_queries, num_queries, d_probes, nprobe, d_probe_bias, k, d_out_scores, d_out_ids, stream);
}

int lab_scan_ivf_pq(const uint8_t* d_codes, int m, const float* d_codebooks, int64_t num_vectors, int dim,
                    const int64_t* d_list_offsets, int nlist, const int64_t* d_ids, const float* d_queries,
                    int num_queries, const int32_t* d_probes, int nprobe, const float* d_probe_bias, int k,
                    float* d_out_scores, int64_t* d_out_ids, void* stream) {
  return scan_ivf_pq(scan_config(tuning()), d_codes, m, d_codebooks, num_vectors, dim, d_list_offsets, nlist, d_ids,
                     d_queries, num_queries, d_probes, nprobe, d_probe_bias, k, d_out_scores, d_out_ids, stream);
}

int lab_span_score(int type, const void* d_tokens, const float* d_offset, const float* d_scale, int64_t num_tokens,
                   int dim, const int64_t* d_doc_starts, int64_t num_docs, const float* d_q_start,
                   const float* d_q_end, int num_queries, const int64_t* d_candidates, int num_candidates,
                   int max_len, int direction, int k, int64_t* d_cand_other, float* d_cand_score,
                   int64_t* d_top_start, int64_t* d_top_end, float* d_top_score, void* stream) {
  return span_score(span_config(tuning(), span_tuning()), type, d_tokens, d_offset, d_scale, num_tokens, dim,
                    d_doc_starts, num_docs, d_q_start, d_q_end, num_queries, d_candidates, num_candidates, max_len,
                    direction, k, d_cand_other, d_cand_score, d_top_start, d_top_end, d_top_score, stream);
}

}  // namespace dp
