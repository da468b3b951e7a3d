// The scan kernels as the planner (scan_api.cpp) sees them: sizing functions and tables of kernel instantiations.
// The library's tables (scan_mma.cu, scan_s8.cu, scan_generic.cu) hold exactly the kernels it runs; the lab
// (native/bench/variants/) builds tables of the variants from the same kernel templates (scan_mma.cuh,
// scan_s8.cuh) and hands them to the same planner through a ScanConfig (scan_config.h).
#pragma once

#include <cuda_runtime.h>
#include <stddef.h>
#include <stdint.h>

#include "densephrases.h"
#include "scan_params.h"

namespace dp {

// Tensor-core dense scan (FP16 / INT8, rows a multiple of 64 bytes, 16-byte aligned codes).
bool scan_mma_supported(int type, int64_t row_bytes, const void* codes);
int scan_mma_dpad(int type, int dim);
size_t scan_mma_smem(int nt, int dpad, int ivf, int qa, int cap, bool select);
struct MmaKernels {
  // The instantiation for a type, nt = query columns / 8 (1 or 2) and the radix select; nullptr where the table
  // has none (the planner then falls back to the CUDA-core kernel).
  const void* (*kernel)(int type, int nt, bool select);
};
// The library's: the burst loop (v1); FP16 with 8 or 16 columns, INT8 with 8 (IVF: one query per block).
MmaKernels mma_kernels();

// INT8 dense scan on the int8 tensor cores (mma m16n8k32 s8), queries split into `pieces` int8 pieces; same row
// layout rules as the tensor-core scan above; query tiles of 8, 16 or 32 (nt = 1, 2, 4).
int scan_s8_dpad(int dim);
size_t scan_s8_smem(int nt, int pieces, int dpad, int ivf, int qa, int cap, bool select);
struct S8Kernels {
  int pieces;        // int8 pieces per query weight (2 or 3)
  bool pipelined;    // double-buffered code loads (p.s8_pipelined)
  bool l2_prefetch;  // each warp prefetches its next tile into L2 (p.l2_prefetch)
  const void* (*kernel)(int nt);  // nullptr: no int8 kernel (INT8 on the fp16 tensor-core kernel)
};
// The library's: 2 pieces, the burst loop, no prefetch; nt 1, 2, 4.
S8Kernels s8_kernels();

// CUDA-core dense scan, any type and dim; qs in {1, 4, 16} queries per block (rows read 16 bytes at a time when
// they allow it).
size_t scan_generic_smem(int qs, int dim, int ivf, int qa, int cap);
const void* scan_generic_kernel(const ScanParams& p, int qs);
// Another CUDA-core kernel for some FP32 rows: the coalesced one (scan_f32c.cu) for rows a multiple of 64 bytes.
struct F32Kernels {
  bool (*supported)(const ScanParams& p);  // rows it takes
  size_t (*smem)(int qs, int dim, int ivf, int qa, int cap);
  const void* (*kernel)(int qs);  // nullptr: none
};
F32Kernels f32c_kernels();

// PQ: lookup tables (query)(m)(256), then the IVF scan.
void dp_run_pq_lut(const float* d_queries, const float* d_codebooks, int nq, int dim, int m, float* d_lut,
                   cudaStream_t stream);
bool scan_pq_vec(int m, const void* codes);
size_t scan_pq_smem(bool smem_lut, int m, int cap);
int scan_pq_occupancy(bool smem_lut, bool vec, size_t smem);
void dp_run_scan_pq(const ScanParams& p, bool smem_lut, bool vec, int blocks, size_t smem, cudaStream_t stream);

}  // namespace dp
