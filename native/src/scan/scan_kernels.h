// Launchers and sizing of the scan kernels (scan_mma.cu, scan_generic.cu, scan_pq.cu); planned by scan_api.cpp.
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
int scan_mma_occupancy(int type, int nt, bool select, size_t smem);  // blocks per SM
void dp_run_scan_mma(const ScanParams& p, int nt, int blocks, size_t smem, cudaStream_t stream);

// INT8 dense scan on the int8 tensor cores (mma m16n8k32 s8), queries split into p.s8_pieces int8 pieces; same
// row layout rules as the tensor-core scan above; query tiles of 8, 16 or 32 (nt = 1, 2, 4).
int scan_s8_dpad(int dim);
size_t scan_s8_smem(int nt, int pieces, int dpad, int ivf, int qa, int cap, bool select);
int scan_s8_occupancy(int nt, int pieces, bool pipelined, size_t smem);
void dp_run_scan_s8(const ScanParams& p, int nt, int blocks, size_t smem, cudaStream_t stream);

// CUDA-core dense scan, any type and dim; qs in {1, 4, 16} queries per block.
// f32c: the coalesced FP32 kernel (p.f32_coalesced; rows a multiple of 64 bytes, scan_f32c_supported).
size_t scan_generic_smem(int qs, int dim, int ivf, int qa, int cap, bool f32c);
bool scan_f32c_supported(const ScanParams& p);
int scan_generic_occupancy(const ScanParams& p, int qs, size_t smem);
void dp_run_scan_generic(const ScanParams& p, int qs, int blocks, size_t smem, cudaStream_t stream);

// PQ: lookup tables (query)(m)(256), then the IVF scan.
void dp_run_pq_lut(const float* d_queries, const float* d_codebooks, int nq, int dim, int m, float* d_lut,
                   cudaStream_t stream);
bool scan_pq_vec(int m, const void* codes);
size_t scan_pq_smem(bool smem_lut, int m, int cap);
int scan_pq_occupancy(bool smem_lut, bool vec, size_t smem);
void dp_run_scan_pq(const ScanParams& p, bool smem_lut, bool vec, int blocks, size_t smem, cudaStream_t stream);

}  // namespace dp
