/*
 * densephrases.h -- the whole C ABI of libdensephrases (CUDA kernels for phrase retrieval).
 *
 * Conventions (read these before calling anything):
 *  - Every function returns an int status (dp_status). On anything but DP_OK, dp_last_error() returns a
 *    thread-local, NUL-terminated message (CUDA's own text where CUDA failed). No C++ exception crosses this
 *    boundary and nothing calls exit()/abort().
 *  - Pointers named d_* are DEVICE pointers (from dp_malloc). Pointers named h_* are host pointers.
 *    `stream` is a cudaStream_t passed as void* (NULL = the legacy default stream).
 *  - Kernel entries are asynchronous on `stream`; call dp_stream_synchronize() before reading results.
 *    Temporary device memory is taken with cudaMallocAsync on the same stream and freed before return
 *    (stream-ordered), so callers never size workspaces.
 *  - Matrices are row-major. Shapes are written faiss-style: (query)(dim) means num_queries rows of dim.
 *  - The library validates what it can see cheaply (sizes > 0, k limits, NULLs). Content checks (ids in range,
 *    finite values, sorted boundaries) are the Java layer's job before the call.
 *  - Every kernel has a Java twin with the same semantics (java/kernels); tests compare them.
 */
#ifndef DENSEPHRASES_H
#define DENSEPHRASES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DP_API __declspec(dllexport)
#else
#define DP_API __attribute__((visibility("default")))
#endif

/* Bump when any signature or semantic below changes; Java refuses a library with another version. */
#define DP_ABI_VERSION 1

typedef enum dp_status {
  DP_OK = 0,
  DP_ERR_INVALID_ARGUMENT = 1, /* a size, k, dim, pointer or enum value the library refuses */
  DP_ERR_NO_DEVICE = 2,        /* no CUDA device or driver (cudaErrorNoDevice, cudaErrorInsufficientDriver) */
  DP_ERR_OUT_OF_MEMORY = 3,    /* cudaErrorMemoryAllocation */
  DP_ERR_CUDA = 4,             /* any other CUDA error (launch failure, illegal address, ...) */
  DP_ERR_INTERNAL = 5          /* a bug or a C++ exception caught at the boundary */
} dp_status;

/* Element type of a vector array. */
typedef enum dp_vector_type {
  DP_FP32 = 0, /* float32 */
  DP_FP16 = 1, /* IEEE binary16 */
  DP_INT8 = 2  /* signed int8 code c; decoded value x[d] = offset[d] + scale[d] * c  (per-dimension arrays of
                  length dim; a global offset/scale is the same value repeated) */
} dp_vector_type;

/* Limits shared with the Java layer (the Java twins enforce the same ones, so every backend accepts the same input). */
#define DP_MAX_DIM 4096
#define DP_MAX_K 2048                   /* top-k of the scans and of span scoring */
#define DP_MAX_CANDIDATES 8192          /* candidates per question in span scoring */
#define DP_MAX_ANSWER_LENGTH 128        /* L in span scoring */
#define DP_MAX_PQ_M 256                 /* sub-quantizers of PQ (8 bits each: 256 centroids) */
#define DP_MAX_LOSS_COLUMNS 16777216    /* batch + cache columns of the negative loss (2^24) */
#define DP_MAX_SCAN_ROWS 4294967294     /* rows of one scanned table (2^32 - 2: rows are 32-bit in the top-k buffers) */

/* ---------------------------------------------------------------- library, device, memory, streams */

DP_API int dp_abi_version(void);
DP_API const char* dp_last_error(void);

/* Number of CUDA devices (0 with DP_OK when the driver reports none is NOT used: no device is DP_ERR_NO_DEVICE). */
DP_API int dp_device_count(int* count);
/* Name, compute capability, global memory in bytes and multiprocessor count of a device. */
DP_API int dp_device_info(int device, char* h_name, size_t name_len, int* cc_major, int* cc_minor,
                          size_t* total_mem, int* sm_count);
DP_API int dp_set_device(int device);

DP_API int dp_malloc(void** d_ptr, size_t bytes);
DP_API int dp_free(void* d_ptr);
/* Free and total device memory of the current device. */
DP_API int dp_mem_info(size_t* free_bytes, size_t* total_bytes);
DP_API int dp_memcpy_h2d(void* d_dst, const void* h_src, size_t bytes, void* stream);
DP_API int dp_memcpy_d2h(void* h_dst, const void* d_src, size_t bytes, void* stream);
DP_API int dp_memcpy_d2d(void* d_dst, const void* d_src, size_t bytes, void* stream);
DP_API int dp_memset(void* d_dst, int value, size_t bytes, void* stream);

DP_API int dp_stream_create(void** stream);
DP_API int dp_stream_destroy(void* stream);
DP_API int dp_stream_synchronize(void* stream);

/* ---------------------------------------------------------------- 1. fused start/end span scoring
 *
 * The dump: `num_tokens` token vectors d_tokens (token)(dim) of `type`; each token serves both as a phrase start
 * and a phrase end. Documents are contiguous token ranges given by d_doc_starts (doc+1): ascending,
 * d_doc_starts[0] == 0, d_doc_starts[num_docs] == num_tokens. For INT8, d_offset/d_scale are (dim) floats,
 * otherwise NULL.
 *
 * Per question q: start vector d_q_start (query)(dim), end vector d_q_end (query)(dim) and candidate token ids
 * d_candidates (query)(num_candidates), int64; -1 is padding and is skipped. Ids are unique within a question.
 *
 * direction 0 (start->end): candidate i is a start; its best end j maximises q_end.v_j over
 *   j in [i, min(i + max_len, doc_end(i)))   (j == i allowed: a one-token phrase)
 *   candidate score = q_start.v_i + q_end.v_j.
 * direction 1 (end->start, the mirror): candidate j is an end; its best start i maximises q_start.v_i over
 *   i in (max(j - max_len, doc_start(j) - 1), j], and the score is q_start.v_i + q_end.v_j.
 * Ties in the best partner go to the partner nearest the candidate.
 *
 * Outputs (device):
 *   d_cand_other (query)(num_candidates) int64: the best partner token (-1 for padding)
 *   d_cand_score (query)(num_candidates) float: the span score (-INFINITY for padding)
 *   d_top_start, d_top_end (query)(k) int64, d_top_score (query)(k) float: the k best spans of each question in
 *   descending score, ties in any order; slots beyond the valid candidates hold -1, -1, -INFINITY.
 * Limits: 1 <= dim <= DP_MAX_DIM, 1 <= num_candidates <= DP_MAX_CANDIDATES, 1 <= max_len <= DP_MAX_ANSWER_LENGTH,
 *   1 <= k <= DP_MAX_K. One launch per call, no (candidate)(L) score matrix in device memory.
 */
DP_API int dp_span_score(int type, const void* d_tokens, const float* d_offset, const float* d_scale,
                         int64_t num_tokens, int dim, const int64_t* d_doc_starts, int64_t num_docs,
                         const float* d_q_start, const float* d_q_end, int num_queries,
                         const int64_t* d_candidates, int num_candidates, int max_len, int direction, int k,
                         int64_t* d_cand_other, float* d_cand_score, int64_t* d_top_start, int64_t* d_top_end,
                         float* d_top_score, void* stream);

/* ---------------------------------------------------------------- 2. quantized scans with fused top-k
 *
 * Scores are inner products of float queries with decoded codes: score = q . x. Each query's k best
 * (score, id) pairs come back in descending score, ties in any order; missing slots hold (-INFINITY, -1).
 * 1 <= k <= DP_MAX_K.
 * 0 <= num_vectors <= 2^32 - 2 (rows are 32-bit inside the kernels); with num_vectors == 0 every slot is empty and
 * d_codes may be NULL.
 *
 * Flat scan: d_codes (vector)(dim) of `type` (FP32, FP16 or INT8 with d_offset/d_scale (dim)); ids are row
 * numbers 0..num_vectors-1. From k >= 1000 on large inputs the call also allocates a temporary sample of the rows
 * (at most 512 MB) and synchronizes `stream` once before it returns (a 4-byte read that confirms the result, see
 * native/NOTES.md "Large k"); every other call is asynchronous with respect to the host.
 */
DP_API int dp_scan_flat(int type, const void* d_codes, const float* d_offset, const float* d_scale,
                        int64_t num_vectors, int dim, const float* d_queries, int num_queries, int k,
                        float* d_out_scores, int64_t* d_out_ids, void* stream);

/* IVF scan over lists of FP32/FP16/INT8 codes. Rows of d_codes are grouped by list: list l holds rows
 * [d_list_offsets[l], d_list_offsets[l+1]) (nlist+1 entries, ascending, first 0, last num_vectors).
 * d_ids (vector) int64 maps a row to the id returned (NULL: the row number).
 * d_probes (query)(nprobe) int32: the lists each query scans, -1 = padding, no duplicates within a query.
 * d_probe_bias (query)(nprobe) float or NULL: added to every score from that probe (q . centroid when the codes
 * hold residuals).
 */
DP_API int dp_scan_ivf(int type, const void* d_codes, const float* d_offset, const float* d_scale,
                       int64_t num_vectors, int dim, const int64_t* d_list_offsets, int nlist,
                       const int64_t* d_ids, const float* d_queries, int num_queries, const int32_t* d_probes,
                       int nprobe, const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids,
                       void* stream);

/* IVF scan over product-quantized codes: d_codes (vector)(m) uint8; d_codebooks (m)(256)(dim/m) float, so
 * dim % m == 0. The decoded vector is the concatenation of codebooks[s][code[s]]; the score is
 *   sum_s LUT[q][s][code[s]] (+ probe bias), with LUT[q][s][c] = q[s*dsub:(s+1)*dsub] . codebooks[s][c],
 * the tables computed on the device per call and held in shared memory during the scan.
 * Lists, ids, probes and bias as in dp_scan_ivf. 1 <= m <= DP_MAX_PQ_M.
 */
DP_API int dp_scan_ivf_pq(const uint8_t* d_codes, int m, const float* d_codebooks, int64_t num_vectors, int dim,
                          const int64_t* d_list_offsets, int nlist, const int64_t* d_ids,
                          const float* d_queries, int num_queries, const int32_t* d_probes, int nprobe,
                          const float* d_probe_bias, int k, float* d_out_scores, int64_t* d_out_ids,
                          void* stream);

/* ---------------------------------------------------------------- 3. in-batch + pre-batch negative loss
 *
 * Inputs (device, float): question vectors d_q_start, d_q_end (batch)(dim); gold phrase vectors
 * d_p_start, d_p_end (batch)(dim); cache of earlier batches' gold vectors d_c_start, d_c_end (cache)(dim)
 * (cache may be 0, then the pointers may be NULL; no gradient flows into the cache).
 * For side s in {start, end}: logits[i][j] = q_s[i] . cand_s[j] over cand_s = [p_s ; c_s] (batch + cache
 * columns), target of row i is column i; L_s = mean_i (logsumexp_j logits[i][j] - logits[i][i]).
 * Output d_loss (3) float: { (L_start + L_end) / 2, L_start, L_end }.
 * Gradients of d_loss[0] (device, (batch)(dim), overwritten): d_gq_start, d_gq_end, d_gp_start, d_gp_end.
 * Any gradient pointer may be NULL to skip it. fp32 accumulation, max-subtracted softmax. batch + cache <= 2^24.
 */
DP_API int dp_inbatch_loss(const float* d_q_start, const float* d_q_end, const float* d_p_start,
                           const float* d_p_end, const float* d_c_start, const float* d_c_end, int batch,
                           int cache, int dim, float* d_loss, float* d_gq_start, float* d_gq_end,
                           float* d_gp_start, float* d_gp_end, void* stream);

/* ---------------------------------------------------------------- 4. BERT encoder (question encoding)
 *
 * A BERT encoder (HuggingFace BertModel without the pooler: post-LayerNorm layers, absolute positions, token
 * types, exact erf GELU, softmax attention scaled by 1/sqrt(head_dim)), forward only, float32 weights and float32
 * arithmetic on the device. Its Java twin is java/encoder's JavaBert (+ JavaPhraseModel's question heads).
 *
 * Life cycle: dp_bert_create (host only: validates the shape, no CUDA call) -> dp_bert_set_tensor for every
 * weight (the first one allocates all device memory, each copies one tensor synchronously) -> dp_bert_encode any
 * number of times, from any threads at once (weights are read-only; temporaries are per call) -> dp_bert_destroy.
 * Weight names are HuggingFace's without a model prefix, dense weights (out)(in) like nn.Linear:
 *   embeddings.{word_embeddings,position_embeddings,token_type_embeddings}.weight, embeddings.LayerNorm.{weight,bias}
 *   encoder.layer.L.attention.self.{query,key,value}.{weight,bias}, encoder.layer.L.attention.output.dense.{weight,
 *   bias}, encoder.layer.L.attention.output.LayerNorm.{weight,bias}, encoder.layer.L.intermediate.dense.{weight,bias},
 *   encoder.layer.L.output.dense.{weight,bias}, encoder.layer.L.output.LayerNorm.{weight,bias}
 *   heads.O.weight (hidden)(hidden), heads.O.bias (hidden) for O < num_outputs: linear heads on the first token
 *   (DensePhrases' q_start / q_end of the shared layout).
 */
typedef struct dp_bert dp_bert; /* opaque */

typedef struct dp_bert_config {
  int vocab_size;
  int hidden_size;       /* 4 <= hidden_size <= DP_MAX_DIM, a multiple of 4 and of num_heads */
  int num_layers;        /* 1..DP_BERT_MAX_LAYERS */
  int num_heads;         /* hidden_size / num_heads <= DP_BERT_MAX_HEAD_DIM */
  int intermediate_size; /* a multiple of 4, <= 4 * DP_MAX_DIM */
  int max_positions;     /* position embeddings: a row of dp_bert_encode has at most this many tokens */
  int type_vocab_size;
  float layer_norm_eps;  /* in (0, 1e-2) */
  int num_outputs;       /* 0..DP_BERT_MAX_OUTPUTS linear heads on the first token */
} dp_bert_config;

#define DP_BERT_MAX_LAYERS 64
#define DP_BERT_MAX_HEAD_DIM 128
#define DP_BERT_MAX_OUTPUTS 2
#define DP_BERT_MAX_SEQ 512    /* tokens per row of one dp_bert_encode call */
#define DP_BERT_MAX_BATCH 4096 /* rows of one dp_bert_encode call */

/* What dp_bert_encode writes to d_out. */
typedef enum dp_bert_output {
  DP_BERT_FIRST = 0, /* the first token ([CLS]) of each row: (batch)(hidden) with no heads, else
                        (num_outputs)(batch)(hidden), head o of row b at d_out[(o * batch + b) * hidden] */
  DP_BERT_ALL = 1    /* every token: (batch)(seq)(hidden) last hidden states, 0 after each row's length; heads
                        are not applied */
} dp_bert_output;

/* A model of this shape with no weights yet (host memory only). */
DP_API int dp_bert_create(const dp_bert_config* config, dp_bert** out);
/* Copies one weight (count floats, row-major, host memory) to the device; finished on return. */
DP_API int dp_bert_set_tensor(dp_bert* model, const char* name, const float* h_values, int64_t count);
/* Encodes `batch` rows of token ids: h_ids and h_types (batch)(seq) int32 on the HOST (h_types NULL = all 0),
 * h_lengths (batch) on the HOST, 1 <= length <= seq: row b is tokens [0, length[b]), positions 0.., fully attended
 * (padding after length is neither read nor attended: the same as an attention mask of 1s then 0s). Ids, types
 * and lengths are checked here (in range of the vocabulary, type vocabulary, positions). The host arrays are copied
 * before return (they may be reused); d_out is written on `stream` (dp_stream_synchronize before reading).
 * 1 <= batch <= DP_BERT_MAX_BATCH, 1 <= seq <= DP_BERT_MAX_SEQ. Every weight must have been set. */
DP_API int dp_bert_encode(const dp_bert* model, const int32_t* h_ids, const int32_t* h_types,
                          const int32_t* h_lengths, int batch, int seq, int output, float* d_out, void* stream);
/* Frees the model's device memory (after waiting for the device) and the model; NULL is a no-op. */
DP_API int dp_bert_destroy(dp_bert* model);

#ifdef __cplusplus
}
#endif

#endif /* DENSEPHRASES_H */
