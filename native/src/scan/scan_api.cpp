// Exported scans of densephrases.h: validate, plan the grid and the query tile, launch the scan and the merge.
//
// Every scan is two launches: blocks write partial top-k lists (query)(list)(k) (list = row chunk for flat scans,
// probe group for IVF), then one block per query merges them (skipped when there is one list per query: the
// blocks then write the output directly). No (query)(vector) score matrix exists at any size.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "../common/intmath.h"
#include "../common/device.h"
#include "../common/status.h"
#include "../common/topk_merge.h"
#include "scan_config.h"
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
int64_t target_blocks(const ScanConfig& cfg, int occupancy) {
  const DeviceProps& dev = device_props();
  int per_sm = cfg.blocks_per_sm > 0 ? cfg.blocks_per_sm : occupancy;
  return (int64_t)dev.sm_count * std::max(1, per_sm);
}

// Partial lists per query that stay under the temp budget (at least 1).
int64_t lists_budget(const ScanConfig& cfg, int nq, int k) {
  int64_t per_list = (int64_t)nq * k * (int64_t)(sizeof(float) + sizeof(int64_t));
  return std::max<int64_t>(1, cfg.temp_budget / per_list);
}

// Geometry of a flat scan over n rows with `qa` queries per block.
void plan_flat(const ScanConfig& cfg, ScanParams& p, int occupancy) {
  p.ivf = 0;
  p.num_qtiles = (int)ceil_div(p.nq, p.qa);
  int64_t chunks = std::max<int64_t>(1, target_blocks(cfg, occupancy) / p.num_qtiles);
  chunks = std::min(chunks, std::max<int64_t>(1, ceil_div(p.num_vectors, kMinRowsPerChunk)));
  chunks = std::min(chunks, lists_budget(cfg, p.nq, p.k));
  int64_t rows = ceil_div(ceil_div(p.num_vectors, chunks), kTileRows) * kTileRows;
  p.rows_per_chunk = rows;
  p.num_chunks = (int)ceil_div(p.num_vectors, rows);
  p.lists_per_query = p.num_chunks;
  DP_REQUIRE((int64_t)p.num_chunks * p.num_qtiles <= 0x7fffffffll, "too many queries for one launch");
}

// Geometry of an IVF scan: one query per block, `groups` probe groups per query.
void plan_ivf(const ScanConfig& cfg, ScanParams& p, int occupancy) {
  p.ivf = 1;
  p.qa = 1;
  p.num_qtiles = p.nq;
  const int64_t min_groups = ceil_div(p.nprobe, kMaxSegments);
  int64_t groups = std::min<int64_t>(p.nprobe, ceil_div(target_blocks(cfg, occupancy), p.nq));
  groups = std::min(groups, lists_budget(cfg, p.nq, p.k));
  groups = std::max(groups, min_groups);
  p.groups = (int)groups;
  p.lists_per_query = p.groups;
  DP_REQUIRE((int64_t)p.groups * p.nq <= 0x7fffffffll, "too many queries x probe groups for one launch");
}

// Allocates the partial lists (or points them at the output when there is one list per query), launches
// `run`, then the merge.
template <class Run>
void scan_and_merge(const ScanConfig& cfg, ScanParams& p, float* d_out_scores, int64_t* d_out_ids, cudaStream_t stream, Run&& run) {
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
                    cfg.topk_select && p.k >= cfg.topk_select_min_k);
}

// Sets the kernel's shared-memory limit to `smem` and returns its blocks per SM.
int scan_occupancy(const void* kern, size_t smem) {
  DP_CUDA(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  int blocks = 0;
  DP_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kern, kScanThreads, smem));
  return blocks;
}

// One launch of a scan kernel (any of the tables' instantiations: they all take a ScanParams).
void launch_scan(const void* kern, const ScanParams& p, int blocks, size_t smem, cudaStream_t stream,
                 const char* name) {
  DP_CUDA(cudaFuncSetAttribute(kern, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  ScanParams arg = p;
  void* args[] = {&arg};
  DP_CUDA(cudaLaunchKernel(kern, dim3((unsigned)blocks), dim3(kScanThreads), args, smem, stream));
  check_launch(name);
}

// What a plan ends with: the kernel, its grid and shared memory for the planned params.
using ScanLaunch = std::function<void(ScanParams& planned, const void* kern, int blocks, size_t smem,
                                      const char* name)>;

// Plans a dense (FP32 / FP16 / INT8) flat or IVF scan: the kernel, the query tile and the grid, then `launch`.
void dense_plan(const ScanConfig& cfg, ScanParams& p, bool ivf, const ScanLaunch& launch) {
  const DeviceProps& dev = device_props();
  const size_t limit = (size_t)dev.max_smem_optin;
  p.row_bytes = (int64_t)p.dim * (p.type == DP_FP32 ? 4 : p.type == DP_FP16 ? 2 : 1);
  p.cap = topk_cap(p.k, kScanRound);
  const int max_qa = std::max(1, std::min(16, cfg.max_queries_per_block));

  // Radix select between rounds from a k that depends on the kernel (measured per kernel, NOTES.md).
  bool select = cfg.topk_select && p.k >= cfg.topk_select_min_k;
  p.topk_select = select ? 1 : 0;
  const S8Kernels& s8 = cfg.s8;
  p.l2_prefetch = s8.l2_prefetch ? 1 : 0;
  if (!cfg.force_generic && p.type == DP_INT8 && s8.kernel != nullptr && (!ivf || cfg.s8_ivf) &&
      p.nq >= cfg.s8_min_queries && scan_mma_supported(p.type, p.row_bytes, p.codes)) {
    // int8 tensor cores: query tiles up to 32 columns (the weights take 1 byte per piece instead of 4).
    const int pieces = s8.pieces;
    p.s8_pieces = pieces;
    p.s8_pipelined = s8.pipelined ? 1 : 0;
    p.dpad = scan_s8_dpad(p.dim);
    const int max_s8 = std::max(1, std::min(32, cfg.s8_max_queries_per_block));
    auto nt_of = [](int q) { return q > 16 ? 4 : q > 8 ? 2 : 1; };
    int qa = ivf ? 1 : std::min(p.nq, max_s8);
    while (qa > 1 && scan_s8_smem(nt_of(qa), pieces, p.dpad, ivf, qa, p.cap, select) > limit) --qa;
    const int nt = nt_of(qa);
    size_t smem = scan_s8_smem(nt, pieces, p.dpad, ivf, qa, p.cap, select);
    if (!ivf && cfg.flat_blocks_per_sm == 1)  // more shared memory than two blocks can share
      smem = std::max(smem, std::min(limit, (size_t)dev.smem_per_sm / 2 + 1024));
    const void* kern = s8.kernel(nt);
    if (smem <= limit && kern != nullptr) {
      p.qa = qa;
      const int occ = scan_occupancy(kern, smem);
      DP_REQUIRE(occ >= 1, "scan kernel does not fit on this device");
      if (ivf) plan_ivf(cfg, p, occ); else plan_flat(cfg, p, occ);
      const int blocks = ivf ? p.groups * p.nq : p.num_chunks * p.num_qtiles;
      launch(p, kern, blocks, smem, "scan_s8_kernel");
      return;
    }
  }
  if (!cfg.force_generic && cfg.mma.kernel != nullptr && scan_mma_supported(p.type, p.row_bytes, p.codes)) {
    select = cfg.topk_select && p.k >= cfg.topk_select_min_k_mma;
    p.topk_select = select ? 1 : 0;
    p.s8_pieces = 0;
    p.s8_pipelined = 0;
    p.dpad = scan_mma_dpad(p.type, p.dim);
    int qa = ivf ? 1 : std::min(p.nq, max_qa);
    int nt = qa > 8 ? 2 : 1;
    while (qa > 1 && scan_mma_smem(nt, p.dpad, ivf, qa, p.cap, select) > limit) {
      --qa;
      nt = qa > 8 ? 2 : 1;
    }
    size_t smem = scan_mma_smem(nt, p.dpad, ivf, qa, p.cap, select);
    if (!ivf && cfg.flat_blocks_per_sm == 1)  // more shared memory than two blocks can share
      smem = std::max(smem, std::min(limit, (size_t)dev.smem_per_sm / 2 + 1024));
    const void* kern = cfg.mma.kernel(p.type, nt, select);  // nullptr: not in this table (the CUDA-core kernel)
    if (smem <= limit && kern != nullptr) {
      p.qa = qa;
      const int occ = scan_occupancy(kern, smem);
      DP_REQUIRE(occ >= 1, "scan kernel does not fit on this device");
      if (ivf) plan_ivf(cfg, p, occ); else plan_flat(cfg, p, occ);
      const int blocks = ivf ? p.groups * p.nq : p.num_chunks * p.num_qtiles;
      launch(p, kern, blocks, smem, "scan_mma_kernel");
      return;
    }
  }
  p.s8_pieces = 0;
  p.s8_pipelined = 0;
  p.topk_select = 0;  // the CUDA-core kernels keep the sort
  const bool f32c = cfg.f32.kernel != nullptr && cfg.f32.supported(p);
  p.f32_coalesced = f32c ? 1 : 0;
  auto smem_of = [&](int qs, int qa) {
    return f32c ? cfg.f32.smem(qs, p.dim, ivf, qa, p.cap) : scan_generic_smem(qs, p.dim, ivf, qa, p.cap);
  };
  int qa = ivf ? 1 : std::min(p.nq, max_qa);
  auto qs_of = [](int q) { return q <= 1 ? 1 : q <= 4 ? 4 : 16; };
  while (qa > 1 && smem_of(qs_of(qa), qa) > limit) --qa;
  const int qs = qs_of(qa);
  const size_t smem = smem_of(qs, qa);
  DP_REQUIRE(smem <= limit, "scan needs " + str((int64_t)smem) + " bytes of shared memory, the device allows " +
                                str((int64_t)limit));
  p.qa = qa;
  p.qstride = qs;
  const void* kern = f32c ? cfg.f32.kernel(qs) : scan_generic_kernel(p, qs);
  const int occ = scan_occupancy(kern, smem);
  DP_REQUIRE(occ >= 1, "scan kernel does not fit on this device");
  if (ivf) plan_ivf(cfg, p, occ); else plan_flat(cfg, p, occ);
  const int blocks = ivf ? p.groups * p.nq : p.num_chunks * p.num_qtiles;
  const char* name = f32c ? "scan_f32c_kernel" : "scan_generic_kernel";
  launch(p, kern, blocks, smem, name);
}

// Dense (FP32 / FP16 / INT8) flat or IVF scan: plan, scan, merge.
void dense_scan(const ScanConfig& cfg, ScanParams& p, bool ivf, float* d_out_scores, int64_t* d_out_ids,
                cudaStream_t stream) {
  dense_plan(cfg, p, ivf, [&](ScanParams& planned, const void* kern, int blocks, size_t smem, const char* name) {
    scan_and_merge(cfg, planned, d_out_scores, d_out_ids, stream,
                   [&] { launch_scan(kern, planned, blocks, smem, stream, name); });
  });
}

// The sampled-threshold path of large-k flat scans (ScanConfig::sample_*). Returns false, having done nothing, when
// it does not apply (k below sample_min_k, too few rows for a sample of useful size).
//
// 1. Every stride-th 32-row tile (stride >= sample_min_stride, the copy under sample_budget) is copied (one 2-D
//    copy) into a temporary and scanned with k_s = ceil(factor * k / stride): the k_s-th best score of query q over
//    the sample, T_q, is passed by about factor * k of all rows (when the rows' order is unrelated to the scores).
// 2. The full scan runs with the block lists of sample_list_k (the small-k kernels: small top-k buffers, the widest
//    query tiles) and every threshold starting at T_q, so a block pushes only its few rows above T_q.
// 3. The lists are merged into the final top-k, and a check kernel (topk_merge.h) flags a query whose k-th slot is
//    empty (fewer than k rows above T_q) or which has a full list whose last score is above the final k-th (that
//    block may have dropped a row of the top-k). One 4-byte copy to the host and a stream synchronization read the
//    flag; if set, the plain scan runs again from scratch. Either way the result is exact: when the k-th slot holds
//    a score above T_q, every row of the true top-k scored above T_q and was pushed, and no list that dropped rows
//    dropped one above the k-th score.
bool sampled_flat(const ScanConfig& cfg, const ScanParams& p0, float* d_out_scores, int64_t* d_out_ids,
                  cudaStream_t stream) {
  const int k = p0.k;
  const int kb = cfg.sample_list_k;
  if (cfg.sample_min_k <= 0 || k < cfg.sample_min_k || kb < 1 || kb >= k) return false;
  const int64_t row_bytes = (int64_t)p0.dim * (p0.type == DP_FP32 ? 4 : p0.type == DP_FP16 ? 2 : 1);
  const int64_t tile_bytes = row_bytes * kTileRows;
  const int64_t tiles = p0.num_vectors / kTileRows;
  int64_t stride = std::max<int64_t>(cfg.sample_min_stride, 1);
  stride = std::max(stride, ceil_div(tiles * tile_bytes, std::max<int64_t>(cfg.sample_budget, tile_bytes)));
  const int64_t sample_tiles = tiles / stride;
  const int64_t sample_rows = sample_tiles * kTileRows;
  const int ks = (int)std::min<int64_t>(DP_MAX_K, (int64_t)std::ceil(cfg.sample_factor * k / (double)stride));
  if (sample_rows < 16 * (int64_t)ks) return false;  // too small a sample for a stable threshold

  // 1. the sample and its thresholds
  TempBuffer sample(sample_rows * row_bytes, stream);
  DP_CUDA(cudaMemcpy2DAsync(sample.as<void>(), tile_bytes, p0.codes, stride * tile_bytes, tile_bytes, sample_tiles,
                            cudaMemcpyDeviceToDevice, stream));
  ScanConfig plain = cfg;
  plain.sample_min_k = 0;
  TempBuffer s_score((size_t)p0.nq * ks * sizeof(float), stream);
  TempBuffer s_id((size_t)p0.nq * ks * sizeof(int64_t), stream);
  ScanParams ps = p0;
  ps.codes = sample.as<void>();
  ps.num_vectors = sample_rows;
  ps.k = ks;
  dense_scan(plain, ps, false, s_score.as<float>(), s_id.as<int64_t>(), stream);

  // 2. the full scan into lists of kb, thresholds from the sample (the k_s-th score of each query's sorted list)
  ScanParams p = p0;
  p.k = kb;
  p.init_thresh = s_score.as<float>() + (ks - 1);
  p.init_stride = ks;
  TempBuffer flag(sizeof(int), stream);
  DP_CUDA(cudaMemsetAsync(flag.as<void>(), 0, sizeof(int), stream));
  // the plan of dense_scan with k = kb; its lists are always a temporary (the check reads them), never the output
  dense_plan(plain, p, false, [&](ScanParams& planned, const void* kern, int blocks, size_t smem, const char* name) {
    const int64_t entries = (int64_t)planned.nq * planned.lists_per_query * kb;
    TempBuffer ls(entries * sizeof(float), stream);
    TempBuffer li(entries * sizeof(int64_t), stream);
    planned.tmp_score = ls.as<float>();
    planned.tmp_id = li.as<int64_t>();
    launch_scan(kern, planned, blocks, smem, stream, name);
    // 3. merge, check
    dp_run_topk_merge(planned.tmp_score, planned.tmp_id, planned.nq, planned.lists_per_query, k, d_out_scores,
                      d_out_ids, stream, cfg.topk_select && k >= cfg.topk_select_min_k, kb);
    dp_run_topk_check(planned.tmp_score, planned.nq, planned.lists_per_query, kb, d_out_scores, k,
                      flag.as<int>(), stream);
  });
  int host_flag = 0;
  DP_CUDA(cudaMemcpyAsync(&host_flag, flag.as<void>(), sizeof(int), cudaMemcpyDeviceToHost, stream));
  DP_CUDA(cudaStreamSynchronize(stream));
  if (host_flag != 0) {
    ScanParams pf = p0;
    dense_scan(plain, pf, false, d_out_scores, d_out_ids, stream);
  }
  return true;
}

}  // namespace

ScanConfig default_scan_config() {
  ScanConfig c;
  c.mma = mma_kernels();  // the burst loop (v1)
  c.s8 = s8_kernels();    // 2 pieces, the burst loop, no L2 prefetch
  c.f32 = f32c_kernels();  // FP32 rows of 64-byte multiples on the coalesced CUDA-core kernel
  c.force_generic = false;
  c.max_queries_per_block = 16;
  c.s8_max_queries_per_block = 32;
  c.s8_min_queries = 1;
  c.s8_ivf = false;  // IVF INT8 on the fp16 tensor-core kernel
  c.blocks_per_sm = 0;       // the occupancy
  c.flat_blocks_per_sm = 1;  // one block per SM
  c.temp_budget = int64_t(1) << 30;
  c.topk_select = true;
  c.topk_select_min_k = 1000;
  c.topk_select_min_k_mma = 2048;
  c.pq_global_lut = false;  // PQ tables in shared memory where they fit
  c.sample_min_k = 1000;
  c.sample_list_k = 128;
  c.sample_min_stride = 32;
  // ~2.5 k rows above the threshold: fewer than k (a rerun) is a >3-sigma event for a sample of the budget's size
  // (k_s >= 34 at 38 GB), and per-block lists of 128 hold a block's share even at 66 lists per query (nq = 64)
  c.sample_factor = 2.5f;
  c.sample_budget = int64_t(512) << 20;
  return c;
}

int scan_flat(const ScanConfig& cfg, int type, const void* d_codes, const float* d_offset, const float* d_scale,
              int64_t num_vectors, int dim, const float* d_queries, int num_queries, int k, float* d_out_scores,
              int64_t* d_out_ids, void* stream) {
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
    if (!sampled_flat(cfg, p, d_out_scores, d_out_ids, s)) dense_scan(cfg, p, false, d_out_scores, d_out_ids, s);
    return DP_OK;
  });
}

int scan_ivf(const ScanConfig& cfg, int type, const void* d_codes, const float* d_offset, const float* d_scale,
             int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
             const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
             const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids, void* stream) {
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
    dense_scan(cfg, p, true, d_out_scores, d_out_ids, to_stream(stream));
    return DP_OK;
  });
}

int scan_ivf_pq(const ScanConfig& cfg, const uint8_t* d_codes, int m, const float* d_codebooks,
                int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
                const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
                const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids, void* stream) {
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
    bool smem_lut = !cfg.pq_global_lut && scan_pq_smem(true, m, p.cap) <= (size_t)dev.max_smem_optin;
    const size_t smem = scan_pq_smem(smem_lut, m, p.cap);
    const int occ = scan_pq_occupancy(smem_lut, vec, smem);
    DP_REQUIRE(occ >= 1, "PQ scan kernel does not fit on this device");
    plan_ivf(cfg, p, occ);
    const int blocks = p.groups * p.nq;
    scan_and_merge(cfg, p, d_out_scores, d_out_ids, s, [&] { dp_run_scan_pq(p, smem_lut, vec, blocks, smem, s); });
    return DP_OK;
  });
}

}  // namespace dp

using namespace dp;

extern "C" {

DP_API int dp_scan_flat(int type, const void* d_codes, const float* d_offset, const float* d_scale,
                        int64_t num_vectors, int dim, const float* d_queries, int num_queries, int k,
                        float* d_out_scores, int64_t* d_out_ids, void* stream) {
  return scan_flat(default_scan_config(), type, d_codes, d_offset, d_scale, num_vectors, dim, d_queries,
                   num_queries, k, d_out_scores, d_out_ids, stream);
}

DP_API int dp_scan_ivf(int type, const void* d_codes, const float* d_offset, const float* d_scale,
                       int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist,
                       const int64_t* d_ids, const float* d_queries, int num_queries, const int32_t* d_probes,
                       int nprobe, const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids,
                       void* stream) {
  return scan_ivf(default_scan_config(), type, d_codes, d_offset, d_scale, num_vectors, dim, d_list_offsets, nlist,
                  d_ids, d_queries, num_queries, d_probes, nprobe, d_probe_bias, k, d_out_scores, d_out_ids, stream);
}

DP_API int dp_scan_ivf_pq(const uint8_t* d_codes, int m, const float* d_codebooks, int64_t num_vectors, int dim,
                          const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
                          const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
                          const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids,
                          void* stream) {
  return scan_ivf_pq(default_scan_config(), d_codes, m, d_codebooks, num_vectors, dim, d_list_offsets, nlist, d_ids,
                     d_queries, num_queries, d_probes, nprobe, d_probe_bias, k, d_out_scores, d_out_ids, stream);
}

}  // extern "C"
