// Exported scans of densephrases.h: validate, plan the grid and the query tile, launch the scan and the merge.
//
// Every scan is two launches: blocks write partial top-k lists (query)(list)(k) (list = row chunk for flat scans,
// probe group for IVF), then one block per query merges them (skipped when there is one list per query: the
// blocks then write the output directly). No (query)(vector) score matrix exists at any size.
#include <algorithm>
#include <string>

#include "../common/intmath.h"
#include "../common/device.h"
#include "../common/status.h"
#include "../common/topk_merge.h"
#include "../common/tuning.h"
#include "scan_kernels.h"

namespace dp {
namespace {

constexpr int64_t kMaxVectors = DP_MAX_SCAN_ROWS;  // rows are 32-bit inside a block's top-k buffers
constexpr int64_t kMinRowsPerChunk = 1024;

std::string str(int64_t v) { return std::to_string(v); }

void validate_queries(const float* d_queries, int num_queries, int dim, int k, float* d_out_scores,
                      int64_t* d_out_ids) {
  DP_REQUIRE(dim >= 1 && dim <= DP_MAX_DIM, "dim must be in [1, " + str(DP_MAX_DIM) + "], got " + str(dim));
  DP_REQUIRE(num_queries >= 1, "num_queries must be >= 1, got " + str(num_queries));
  DP_REQUIRE(k >= 1 && k <= DP_MAX_K, "k must be in [1, " + str(DP_MAX_K) + "], got " + str(k));
  DP_REQUIRE(d_queries != nullptr, "d_queries is NULL");
  DP_REQUIRE(d_out_scores != nullptr && d_out_ids != nullptr, "d_out_scores or d_out_ids is NULL");
}

void validate_codes(int type, const void* d_codes, const float* d_offset, const float* d_scale, int64_t n) {
  DP_REQUIRE(type == DP_FP32 || type == DP_FP16 || type == DP_INT8,
             "type must be DP_FP32 (0), DP_FP16 (1) or DP_INT8 (2), got " + str(type));
  DP_REQUIRE(n >= 0 && n <= kMaxVectors, "num_vectors must be in [0, " + str(kMaxVectors) + "], got " + str(n));
  DP_REQUIRE(n == 0 || d_codes != nullptr, "d_codes is NULL");
  if (type == DP_INT8) DP_REQUIRE(d_offset != nullptr && d_scale != nullptr, "INT8 needs d_offset and d_scale");
}

void validate_ivf(const int64_t* d_list_offsets, int nlist, const int32_t* d_probes, int nprobe) {
  DP_REQUIRE(nlist >= 1, "nlist must be >= 1, got " + str(nlist));
  DP_REQUIRE(d_list_offsets != nullptr, "d_list_offsets is NULL");
  DP_REQUIRE(nprobe >= 1, "nprobe must be >= 1, got " + str(nprobe));
  DP_REQUIRE(d_probes != nullptr, "d_probes is NULL");
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Blocks the grid aims for: one full wave of the kernel.
int64_t target_blocks(int occupancy) {
  const DeviceProps& dev = device_props();
  int per_sm = tuning().scan_blocks_per_sm > 0 ? tuning().scan_blocks_per_sm : occupancy;
  return (int64_t)dev.sm_count * std::max(1, per_sm);
}

// Partial lists per query that stay under the temp budget (at least 1).
int64_t lists_budget(int nq, int k) {
  int64_t per_list = (int64_t)nq * k * (int64_t)(sizeof(float) + sizeof(int64_t));
  return std::max<int64_t>(1, tuning().scan_temp_budget / per_list);
}

// Geometry of a flat scan over n rows with `qa` queries per block.
void plan_flat(ScanParams& p, int occupancy) {
  p.ivf = 0;
  p.num_qtiles = (int)ceil_div(p.nq, p.qa);
  int64_t chunks = std::max<int64_t>(1, target_blocks(occupancy) / p.num_qtiles);
  chunks = std::min(chunks, std::max<int64_t>(1, ceil_div(p.num_vectors, kMinRowsPerChunk)));
  chunks = std::min(chunks, lists_budget(p.nq, p.k));
  int64_t rows = ceil_div(ceil_div(p.num_vectors, chunks), kTileRows) * kTileRows;
  p.rows_per_chunk = rows;
  p.num_chunks = (int)ceil_div(p.num_vectors, rows);
  p.lists_per_query = p.num_chunks;
  DP_REQUIRE((int64_t)p.num_chunks * p.num_qtiles <= 0x7fffffffll, "too many queries for one launch");
}

// Geometry of an IVF scan: one query per block, `groups` probe groups per query.
void plan_ivf(ScanParams& p, int occupancy) {
  p.ivf = 1;
  p.qa = 1;
  p.num_qtiles = p.nq;
  const int64_t min_groups = ceil_div(p.nprobe, kMaxSegments);
  int64_t groups = std::min<int64_t>(p.nprobe, ceil_div(target_blocks(occupancy), p.nq));
  groups = std::min(groups, lists_budget(p.nq, p.k));
  groups = std::max(groups, min_groups);
  p.groups = (int)groups;
  p.lists_per_query = p.groups;
  DP_REQUIRE((int64_t)p.groups * p.nq <= 0x7fffffffll, "too many queries x probe groups for one launch");
}

// Allocates the partial lists (or points them at the output when there is one list per query), launches
// `run`, then the merge.
template <class Run>
void scan_and_merge(ScanParams& p, float* d_out_scores, int64_t* d_out_ids, cudaStream_t stream, Run&& run) {
  if (p.lists_per_query == 1) {
    p.tmp_score = d_out_scores;
    p.tmp_id = d_out_ids;
    run();
    return;
  }
  const int64_t entries = (int64_t)p.nq * p.lists_per_query * p.k;
  DP_REQUIRE((int64_t)p.lists_per_query * p.k < 0x7fffffffll, "too many partial lists");
  TempBuffer scores(entries * sizeof(float), stream);
  TempBuffer ids(entries * sizeof(int64_t), stream);
  p.tmp_score = scores.as<float>();
  p.tmp_id = ids.as<int64_t>();
  run();
  dp_run_topk_merge(p.tmp_score, p.tmp_id, p.nq, p.lists_per_query, p.k, d_out_scores, d_out_ids, stream,
                    tuning().topk_select && p.k >= tuning().topk_select_min_k);
}

// Dense (FP32 / FP16 / INT8) flat or IVF scan.
void dense_scan(ScanParams& p, bool ivf, float* d_out_scores, int64_t* d_out_ids, cudaStream_t stream) {
  const DeviceProps& dev = device_props();
  const size_t limit = (size_t)dev.max_smem_optin;
  p.row_bytes = (int64_t)p.dim * (p.type == DP_FP32 ? 4 : p.type == DP_FP16 ? 2 : 1);
  p.cap = topk_cap(p.k, kScanRound);
  const int max_qa = std::max(1, std::min(16, tuning().scan_max_queries_per_block));

  // Radix select between rounds from a k that depends on the kernel (tuning.h: measured per kernel).
  bool select = tuning().topk_select && p.k >= tuning().topk_select_min_k;
  p.topk_select = select ? 1 : 0;
  p.l2_prefetch = tuning().scan_l2_prefetch ? 1 : 0;
  const int pieces = tuning().scan_s8_pieces;
  if (!tuning().scan_force_generic && p.type == DP_INT8 && (pieces == 2 || pieces == 3) &&
      (!ivf || tuning().scan_s8_ivf) && p.nq >= tuning().scan_s8_min_queries &&
      scan_mma_supported(p.type, p.row_bytes, p.codes)) {
    // int8 tensor cores: query tiles up to 32 columns (the weights take 1 byte per piece instead of 4).
    p.s8_pieces = pieces;
    p.s8_pipelined = tuning().scan_s8_pipelined && pieces == 2 ? 1 : 0;
    p.dpad = scan_s8_dpad(p.dim);
    const int max_s8 = std::max(1, std::min(32, tuning().scan_s8_max_queries_per_block));
    auto nt_of = [](int q) { return q > 16 ? 4 : q > 8 ? 2 : 1; };
    int qa = ivf ? 1 : std::min(p.nq, max_s8);
    while (qa > 1 && scan_s8_smem(nt_of(qa), pieces, p.dpad, ivf, qa, p.cap, select) > limit) --qa;
    const int nt = nt_of(qa);
    size_t smem = scan_s8_smem(nt, pieces, p.dpad, ivf, qa, p.cap, select);
    if (!ivf && tuning().scan_flat_blocks_per_sm == 1)  // more shared memory than two blocks can share
      smem = std::max(smem, std::min(limit, (size_t)dev.smem_per_sm / 2 + 1024));
    if (smem <= limit) {
      p.qa = qa;
      const int occ = scan_s8_occupancy(nt, pieces, p.s8_pipelined != 0, smem);
      DP_REQUIRE(occ >= 1, "scan kernel does not fit on this device");
      if (ivf) plan_ivf(p, occ); else plan_flat(p, occ);
      const int blocks = ivf ? p.groups * p.nq : p.num_chunks * p.num_qtiles;
      scan_and_merge(p, d_out_scores, d_out_ids, stream, [&] { dp_run_scan_s8(p, nt, blocks, smem, stream); });
      return;
    }
  }
  if (!tuning().scan_force_generic && scan_mma_supported(p.type, p.row_bytes, p.codes)) {
    select = tuning().topk_select && p.k >= tuning().topk_select_min_k_mma;
    p.topk_select = select ? 1 : 0;
    p.s8_pieces = 0;
    p.dpad = scan_mma_dpad(p.type, p.dim);
    int qa = ivf ? 1 : std::min(p.nq, max_qa);
    int nt = qa > 8 ? 2 : 1;
    while (qa > 1 && scan_mma_smem(nt, p.dpad, ivf, qa, p.cap, select) > limit) {
      --qa;
      nt = qa > 8 ? 2 : 1;
    }
    size_t smem = scan_mma_smem(nt, p.dpad, ivf, qa, p.cap, select);
    if (!ivf && tuning().scan_flat_blocks_per_sm == 1)  // more shared memory than two blocks can share
      smem = std::max(smem, std::min(limit, (size_t)dev.smem_per_sm / 2 + 1024));
    if (smem <= limit) {
      p.qa = qa;
      const int occ = scan_mma_occupancy(p.type, nt, select, smem);
      DP_REQUIRE(occ >= 1, "scan kernel does not fit on this device");
      if (ivf) plan_ivf(p, occ); else plan_flat(p, occ);
      const int blocks = ivf ? p.groups * p.nq : p.num_chunks * p.num_qtiles;
      scan_and_merge(p, d_out_scores, d_out_ids, stream, [&] { dp_run_scan_mma(p, nt, blocks, smem, stream); });
      return;
    }
  }
  p.s8_pieces = 0;
  p.topk_select = 0;  // the CUDA-core kernels keep the sort
  p.f32_coalesced = tuning().scan_f32_coalesced && scan_f32c_supported(p) ? 1 : 0;
  const bool f32c = p.f32_coalesced != 0;
  int qa = ivf ? 1 : std::min(p.nq, max_qa);
  auto qs_of = [](int q) { return q <= 1 ? 1 : q <= 4 ? 4 : 16; };
  while (qa > 1 && scan_generic_smem(qs_of(qa), p.dim, ivf, qa, p.cap, f32c) > limit) --qa;
  const int qs = qs_of(qa);
  const size_t smem = scan_generic_smem(qs, p.dim, ivf, qa, p.cap, f32c);
  DP_REQUIRE(smem <= limit, "scan needs " + str((int64_t)smem) + " bytes of shared memory, the device allows " +
                                str((int64_t)limit));
  p.qa = qa;
  p.qstride = qs;
  const int occ = scan_generic_occupancy(p, qs, smem);
  DP_REQUIRE(occ >= 1, "scan kernel does not fit on this device");
  if (ivf) plan_ivf(p, occ); else plan_flat(p, occ);
  const int blocks = ivf ? p.groups * p.nq : p.num_chunks * p.num_qtiles;
  scan_and_merge(p, d_out_scores, d_out_ids, stream, [&] { dp_run_scan_generic(p, qs, blocks, smem, stream); });
}

}  // namespace
}  // namespace dp

using namespace dp;

extern "C" {

DP_API int dp_scan_flat(int type, const void* d_codes, const float* d_offset, const float* d_scale,
                        int64_t num_vectors, int dim, const float* d_queries, int num_queries, int k,
                        float* d_out_scores, int64_t* d_out_ids, void* stream) {
  return guarded("dp_scan_flat", [&] {
    validate_codes(type, d_codes, d_offset, d_scale, num_vectors);
    validate_queries(d_queries, num_queries, dim, k, d_out_scores, d_out_ids);
    cudaStream_t s = to_stream(stream);
    if (num_vectors == 0) {
      dp_run_topk_fill_empty(d_out_scores, d_out_ids, (int64_t)num_queries * k, s);
      return DP_OK;
    }
    ScanParams p{};
    p.type = type;
    p.codes = d_codes;
    p.offset = d_offset;
    p.scale = d_scale;
    p.num_vectors = num_vectors;
    p.dim = dim;
    p.queries = d_queries;
    p.nq = num_queries;
    p.k = k;
    dense_scan(p, false, d_out_scores, d_out_ids, s);
    return DP_OK;
  });
}

DP_API int dp_scan_ivf(int type, const void* d_codes, const float* d_offset, const float* d_scale,
                       int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist,
                       const int64_t* d_ids, const float* d_queries, int num_queries, const int32_t* d_probes,
                       int nprobe, const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids,
                       void* stream) {
  return guarded("dp_scan_ivf", [&] {
    validate_codes(type, d_codes, d_offset, d_scale, num_vectors);
    validate_queries(d_queries, num_queries, dim, k, d_out_scores, d_out_ids);
    validate_ivf(d_list_offsets, nlist, d_probes, nprobe);
    ScanParams p{};
    p.type = type;
    p.codes = d_codes;
    p.offset = d_offset;
    p.scale = d_scale;
    p.num_vectors = num_vectors;
    p.dim = dim;
    p.queries = d_queries;
    p.nq = num_queries;
    p.k = k;
    p.list_offsets = d_list_offsets;
    p.ids = d_ids;
    p.probes = d_probes;
    p.probe_bias = d_probe_bias;
    p.nprobe = nprobe;
    dense_scan(p, true, d_out_scores, d_out_ids, to_stream(stream));
    return DP_OK;
  });
}

DP_API int dp_scan_ivf_pq(const uint8_t* d_codes, int m, const float* d_codebooks, int64_t num_vectors, int dim,
                          const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
                          const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
                          const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids,
                          void* stream) {
  return guarded("dp_scan_ivf_pq", [&] {
    DP_REQUIRE(m >= 1 && m <= DP_MAX_PQ_M, "m must be in [1, " + str(DP_MAX_PQ_M) + "], got " + str(m));
    validate_queries(d_queries, num_queries, dim, k, d_out_scores, d_out_ids);
    DP_REQUIRE(dim % m == 0, "dim " + str(dim) + " is not a multiple of m " + str(m));
    DP_REQUIRE(num_vectors >= 0 && num_vectors <= kMaxVectors,
               "num_vectors must be in [0, " + str(kMaxVectors) + "], got " + str(num_vectors));
    DP_REQUIRE(num_vectors == 0 || d_codes != nullptr, "d_codes is NULL");
    DP_REQUIRE(d_codebooks != nullptr, "d_codebooks is NULL");
    validate_ivf(d_list_offsets, nlist, d_probes, nprobe);
    cudaStream_t s = to_stream(stream);
    const DeviceProps& dev = device_props();

    ScanParams p{};
    p.type = -1;
    p.codes = d_codes;
    p.num_vectors = num_vectors;
    p.dim = dim;
    p.row_bytes = m;
    p.m = m;
    p.queries = d_queries;
    p.nq = num_queries;
    p.k = k;
    p.list_offsets = d_list_offsets;
    p.ids = d_ids;
    p.probes = d_probes;
    p.probe_bias = d_probe_bias;
    p.nprobe = nprobe;
    p.cap = topk_cap(k, kScanRound);

    TempBuffer lut((size_t)num_queries * m * 256 * sizeof(float), s);
    p.lut = lut.as<float>();
    dp_run_pq_lut(d_queries, d_codebooks, num_queries, dim, m, lut.as<float>(), s);

    const bool vec = scan_pq_vec(m, d_codes);
    bool smem_lut = !tuning().pq_force_global_lut && scan_pq_smem(true, m, p.cap) <= (size_t)dev.max_smem_optin;
    const size_t smem = scan_pq_smem(smem_lut, m, p.cap);
    const int occ = scan_pq_occupancy(smem_lut, vec, smem);
    DP_REQUIRE(occ >= 1, "PQ scan kernel does not fit on this device");
    plan_ivf(p, occ);
    const int blocks = p.groups * p.nq;
    scan_and_merge(p, d_out_scores, d_out_ids, s, [&] { dp_run_scan_pq(p, smem_lut, vec, blocks, smem, s); });
    return DP_OK;
  });
}

}  // extern "C"
