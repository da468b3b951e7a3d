// The lab's knobs: which variant of each kernel family a lab run (dp_bench, test_lab) plans with. A Tuning{} /
// SpanTuning{} is the library's choice (default_scan_config(), default_span_config(); test_lab checks that they
// plan alike); a knob set otherwise selects a variant: a planning parameter of the library's planners, or a kernel
// instantiated only here (variants/). The library itself has no knobs (native/NOTES.md, "Tuning knobs").
#pragma once

#include <stdint.h>

#include "scan/scan_config.h"
#include "span/span_kernels.h"

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
  // (3: ~21 bits per weight, the same accuracy as the fp16 kernel's hi + lo; 2: ~15 bits, each weight off by at
  // most max|w| / 32512, the contract's INT8 tolerance, NOTES.md); 0: the fp16 tensor-core kernel. Applies when
  // num_queries >= scan_s8_min_queries. Default 2 from 1 query: on the H200 (lab run, NOTES.md "Choosing the
  // defaults") x2 beat the fp16 kernel at every nq of 1..256 (1.10x at nq=1 to 1.56x at nq=256) and x3 in every
  // row but two, both nq=16 with select (k=100 by 4%, k=2048 by 1%). The H100 has not been re-measured with it.
  int scan_s8_pieces = 2;
  int scan_s8_min_queries = 1;
  // IVF scans on the s8 kernel too (one query per block; never timed yet: off until a lab run picks it).
  bool scan_s8_ivf = false;
  int scan_s8_max_queries_per_block = 32;  // query tile of the s8 kernel: 8, 16 or 32 columns
  // The s8 kernel with its code loads double-buffered in registers (the next burst of 2 blocks requested before
  // the current one is multiplied, and, when a tile's burst count is even, the next tile's first burst before the
  // tile's last burst, push and round barrier); P = 2 only (x3 ignores it). Aimed at nq >= 16: with one block of 8
  // warps per SM and a load-then-multiply loop, a warp has no loads in flight while it multiplies.
  bool scan_s8_pipelined = false;
  // FP32 dense scans (rows a multiple of 64 bytes) on the coalesced CUDA-core kernel (src/scan/scan_f32c.cu: the
  // tensor-core scans' tile loads, 4 lanes per row), the library's choice since the 2026-12-03 H200 lab (1.22x at
  // nq = 1, 1.62x at nq = 16 over one row per lane; 1.33-1.47x on the H100); false: one row per lane.
  bool scan_f32_coalesced = true;
  // The int8 tensor-core scan: each warp prefetches its next 32-row tile into L2 with the copy engine while it
  // scores the current one. Slower on the H200 (0.93-0.97x at nq=1): off, and no longer in the lab.
  bool scan_l2_prefetch = false;
  // Full top-k buffers shrink by radix select between rounds instead of a bitonic sort (scans on tensor cores and
  // the merge; block_topk.cuh), from k >= topk_select_min_k on the s8 kernel and in the merge, from
  // k >= topk_select_min_k_mma on the fp16 tensor-core kernel. H200 lab: on the s8 kernel select won at k = 1000
  // and 2048 for every nq measured (1.13-1.78x) and lost at k = 100, nq = 16 (0.89x); on the fp16 kernel it won at
  // k = 2048 (1.30-2.53x) and at nq = 1, k = 1000 (1.13x), but lost at nq = 16, k = 1000 (0.87x).
  bool topk_select = true;
  // Flat scans with k >= this take the sampled-threshold path (scan_api.cpp; ScanConfig::sample_min_k); 0: never.
  int scan_sample_min_k = 1000;
  int topk_select_min_k = 1000;
  int topk_select_min_k_mma = 2048;
};

// Process-wide; change it only while no call is in flight.
Tuning& tuning();

// Span scoring's knobs (the span_prefetch experiment is Tuning::span_prefetch).
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

// The plans these knobs make: the library's planners with these parameters and kernel tables.
ScanConfig scan_config(const Tuning& t);
SpanConfig span_config(const Tuning& t, const SpanTuning& s);

// Host-only check that Tuning{} / SpanTuning{} plan exactly as the library does (same parameters, the same kernel
// for every case the library runs); returns "" or what differs.
const char* lab_default_mismatch();

// dp_scan_flat, dp_scan_ivf, dp_scan_ivf_pq, dp_span_score (same arguments and status) under tuning() and
// span_tuning().
int lab_scan_flat(int type, const void* d_codes, const float* d_offset, const float* d_scale, int64_t num_vectors,
                  int dim, const float* d_queries, int num_queries, int k, float* d_out_scores, int64_t* d_out_ids,
                  void* stream);
int lab_scan_ivf(int type, const void* d_codes, const float* d_offset, const float* d_scale, int64_t num_vectors,
                 int dim, const int64_t* d_list_offsets, int nlist, const int64_t* d_ids, const float* d_queries,
                 int num_queries, const int32_t* d_probes, int nprobe, const float* d_probe_bias, int k,
                 float* d_out_scores, int64_t* d_out_ids, void* stream);
int lab_scan_ivf_pq(const uint8_t* d_codes, int m, const float* d_codebooks, int64_t num_vectors, int dim,
                    const int64_t* d_list_offsets, int nlist, const int64_t* d_ids, const float* d_queries,
                    int num_queries, const int32_t* d_probes, int nprobe, const float* d_probe_bias, int k,
                    float* d_out_scores, int64_t* d_out_ids, void* stream);
int lab_span_score(int type, const void* d_tokens, const float* d_offset, const float* d_scale, int64_t num_tokens,
                   int dim, const int64_t* d_doc_starts, int64_t num_docs, const float* d_q_start,
                   const float* d_q_end, int num_queries, const int64_t* d_candidates, int num_candidates,
                   int max_len, int direction, int k, int64_t* d_cand_other, float* d_cand_score,
                   int64_t* d_top_start, int64_t* d_top_end, float* d_top_score, void* stream);

}  // namespace dp
