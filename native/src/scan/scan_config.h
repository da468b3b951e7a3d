// What a scan plan is made of: the kernel tables and the planning parameters. The exported dp_scan_* plan with
// default_scan_config(), the kernels and parameters chosen by the lab (native/NOTES.md, "The kernel the library
// runs"); the lab (native/bench/lab.cpp) and its test build other configs and call the same entry points.
// Values that depend on the device (occupancy, SM count, shared memory) are computed per call by the planner.
#pragma once

#include <stdint.h>

#include "scan_kernels.h"

namespace dp {

struct ScanConfig {
  MmaKernels mma;  // the fp16 tensor-core kernel (FP16; INT8 where the int8 kernel is not used)
  S8Kernels s8;    // the int8 tensor-core kernel (INT8; s8.kernel == nullptr: none)
  F32Kernels f32;  // FP32 rows on another CUDA-core kernel where f32.supported (f32.kernel == nullptr: none)
  bool force_generic;            // dense scans on the CUDA-core kernel even where a tensor-core one applies
  int max_queries_per_block;     // query tile cap of the fp16 tensor-core and CUDA-core kernels (1..16)
  int s8_max_queries_per_block;  // query tile cap of the int8 kernel (1..32: tiles of 8, 16 or 32 columns)
  int s8_min_queries;            // the int8 kernel only from this many queries
  bool s8_ivf;                   // IVF scans on the int8 kernel too
  int blocks_per_sm;             // grid size per SM for flat scans and IVF groups (0: the occupancy)
  int flat_blocks_per_sm;        // flat tensor-core scans: 1 = ask for enough shared memory for one block per SM
  int64_t temp_budget;           // bytes of partial top-k lists a scan aims to stay under
  bool topk_select;              // radix select between rounds (block_topk.cuh) from these k:
  int topk_select_min_k;         //   the int8 kernel and the merge
  int topk_select_min_k_mma;     //   the fp16 tensor-core kernel
  bool pq_global_lut;            // PQ tables read through L1 even where they fit in shared memory
  // Flat scans with k >= sample_min_k (0: never) take the sampled-threshold path (scan_api.cpp): a scan of every
  // sample_stride-th 32-row tile (stride >= sample_min_stride, the sample under sample_budget bytes) gives each
  // query the threshold that ~sample_factor * k rows should pass; the full scan keeps only rows above it in
  // per-block lists of sample_list_k; a check kernel confirms the result exact, else the plain scan runs.
  int sample_min_k;
  int sample_list_k;
  int sample_min_stride;
  float sample_factor;
  int64_t sample_budget;
};

// The library's choice (native/NOTES.md, "The kernel the library runs, per family and case").
ScanConfig default_scan_config();

// dp_scan_flat / dp_scan_ivf / dp_scan_ivf_pq (same arguments, same validation, a DP_* status) under `cfg`.
int scan_flat(const ScanConfig& cfg, int type, const void* d_codes, const float* d_offset, const float* d_scale,
              int64_t num_vectors, int dim, const float* d_queries, int num_queries, int k, float* d_out_scores,
              int64_t* d_out_ids, void* stream);
int scan_ivf(const ScanConfig& cfg, int type, const void* d_codes, const float* d_offset, const float* d_scale,
             int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
             const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
             const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids, void* stream);
int scan_ivf_pq(const ScanConfig& cfg, const uint8_t* d_codes, int m, const float* d_codebooks,
                int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
                const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
                const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids, void* stream);

}  // namespace dp
