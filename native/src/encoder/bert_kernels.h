// Launchers of the BERT encoder forward (bert_kernels.cu); called by bert_api.cpp, each followed by
// cudaGetLastError. All float32; matrices row-major; "packed" activations hold the real tokens of every row one after
// the other (token t of row b is row off[b] + t), so padding costs nothing.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace dp {

// Rows up to which dp_run_bert_linear uses the small-M kernel (a warp per 2 output columns and 8 rows, weights
// streamed once per 8 rows); above it the 64x64 shared-memory tiles.
constexpr int kBertSmallM = 256;

// x (n)(h) = LayerNorm(word[ids[t]] + type[types[t]] + position[pos[t]]) for the n packed tokens.
void dp_run_bert_embed(const int32_t* d_ids, const int32_t* d_types, const int32_t* d_pos, int n, int h,
                       const float* d_word, const float* d_position, const float* d_type, const float* d_gamma,
                       const float* d_beta, float eps, float* d_x, cudaStream_t stream);

// y = x (m)(k) W^T + bias, W (n)(k) (nn.Linear), optionally exact GELU. Output column c of row r goes to
// y[(c / split) * m * split + r * split + c % split]: split = n is plain row-major (m)(n); split = h writes the
// column blocks of stacked heads as (head)(m)(h). k must be a multiple of 4 and x, W 16-byte aligned.
void dp_run_bert_linear(const float* d_x, int m, int k, const float* d_w, const float* d_bias, int n, bool gelu,
                        int split, float* d_y, cudaStream_t stream);

// Self-attention of every (row, head) over the row's own tokens: ctx = softmax(q k^T / sqrt(d)) v, q k v read from
// qkv (tokens)(3h) ([q | k | v], head hd at columns hd*d). With first_only, only each row's first token is a query
// and its context goes to ctx row b; else ctx is packed like the tokens. max_len: the longest row.
void dp_run_bert_attention(const float* d_qkv, const int32_t* d_off, int batch, int max_len, int h, int heads,
                           bool first_only, float* d_ctx, cudaStream_t stream);

// out[r] = LayerNorm(delta[r] + resid[map ? map[r] : r]) for r < rows (out may be resid: in place).
void dp_run_bert_add_norm(const float* d_delta, const float* d_resid, const int32_t* d_map, int rows, int h,
                          const float* d_gamma, const float* d_beta, float eps, float* d_out, cudaStream_t stream);

// out (batch)(seq)(h): token t < len[b] of row b is packed row off[b] + t of x, the rest 0.
void dp_run_bert_unpack(const float* d_x, const int32_t* d_off, int batch, int seq, int h, float* d_out,
                        cudaStream_t stream);

}  // namespace dp
