// Launchers of the in-batch loss (gemm_3xtf32.cu, softmax_loss.cu); called by loss_api.cpp.
#pragma once

#include <cuda_runtime.h>

namespace dp {

// A logical (rows)(K) operand over a row-major source X: element (i, kk) = trans ? X[kk][i] : X[i][kk], where
// source row r comes from base0 (r < split) or base1 (row r - split): [p ; cache] without a copy.
struct GemmOperand {
  const float* base0;
  const float* base1;
  int split;
  int ld;  // floats per source row
  int trans;
};

// C (M)(N), row-major with ldc, = A (M)(K) x Bop(N)(K)^T, i.e. C[m][n] = sum_kk A(m, kk) * Bop(n, kk).
// With splits > 1 the K range is cut in `splits` slices computed by separate blocks (more blocks for small M, N
// and long K); slice s writes its partial product to part + s * part_stride, (M)(N) with ld N, and
// dp_run_sum_partials (or the softmax, for the logits) adds the slices in a fixed order: deterministic.
struct GemmProblem {
  int M, N, K;
  GemmOperand a, b;
  float* c;
  int ldc;
  int splits;
  float* part;
  size_t part_stride;
};

// K slices for a problem among `total_tiles` 64x64 output tiles of one launch: about four blocks per SM, each
// slice at least 128 deep.
int gemm_splits(int K, int total_tiles, int sm_count);

constexpr int kMaxGemmBatch = 4;

// Runs up to kMaxGemmBatch independent problems in one launch, fp32 in and out, on the tensor cores with the
// 3xTF32 split (hi*hi + hi*lo + lo*hi, error near fp32's).
void dp_run_gemm_3xtf32(const GemmProblem* problems, int count, cudaStream_t stream);

// Rows of both sides: logits (side)(batch)(n) = sum over `splits` partial slices part + s * split_stride ->
// dlogits = (softmax - onehot) / (2 batch) written over slice 0; row_loss (side)(batch) = logsumexp - logit[i][i].
void dp_run_softmax_rows(float* d_part, int splits, size_t split_stride, int batch, int n, float* d_row_loss,
                         cudaStream_t stream);

// For each problem with splits > 1: c[m][n] = sum_s part[s][m][n], slices added in order.
void dp_run_sum_partials(const GemmProblem* problems, int count, cudaStream_t stream);

// d_loss (3) = {(L_start + L_end) / 2, L_start, L_end}, L_s = mean of row_loss[s].
void dp_run_loss_total(const float* d_row_loss, int batch, float* d_loss, cudaStream_t stream);

}  // namespace dp
