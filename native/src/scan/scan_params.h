// Parameters shared by the scan kernels (flat and IVF, dense and PQ) and their host-side planning.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace dp {

// Threads of every scan block, and rows a block covers per round (8 warps x 32-row tiles, or 256 rows of one
// thread each for PQ): the most entries one round pushes per query, so top-k capacity is topk_cap(k, 256).
constexpr int kScanThreads = 256;
constexpr int kScanWarps = kScanThreads / 32;
constexpr int kScanRound = 256;
constexpr int kTileRows = 32;
// IVF: one block scans at most this many probes of its query (one thread per probe builds the segment table).
constexpr int kMaxSegments = kScanThreads;

struct ScanParams {
  // codes (vector)(dim) of `type`, or PQ codes (vector)(m)
  int type;
  const void* codes;
  const float* offset;  // (dim), INT8 only
  const float* scale;   // (dim), INT8 only
  int64_t num_vectors;
  int dim;
  int64_t row_bytes;

  const float* queries;  // (query)(dim)
  int nq;
  int k;

  // geometry: flat = row chunks x query tiles; IVF = probe groups x queries (one query per block)
  int ivf;
  int qa;          // queries per block (1 for IVF)
  int num_qtiles;  // flat: ceil(nq / qa)
  int64_t rows_per_chunk;
  int num_chunks;
  const int64_t* list_offsets;  // (nlist+1)
  const int64_t* ids;           // (vector) or NULL
  const int32_t* probes;        // (query)(nprobe)
  const float* probe_bias;      // (query)(nprobe) or NULL
  int nprobe;
  int groups;           // IVF: probe groups per query; group g scans probes g, g+groups, ...
  int lists_per_query;  // partial top-k lists per query: num_chunks (flat) or groups (IVF)

  // Per query a starting threshold (only scores above it are kept), at init_thresh[q * init_stride], or NULL: -inf.
  // The large-k flat path (scan_api.cpp, "sampled threshold") sets it from a scan of a sample of the rows.
  const float* init_thresh;
  int init_stride;

  int cap;     // top-k buffer capacity per query, topk_cap(k, kScanRound)
  int topk_select;  // 1: full top-k buffers shrink by radix select between rounds (BlockTopK::select_full)
  int dpad;    // MMA: halves per weight row in shared memory (dim plus a bank-conflict pad)
  int qstride; // generic: floats per dimension in the transposed weights (the kernel's query width)
  int l2_prefetch;  // int8 tensor-core scan: each warp prefetches its next tile into L2 (prefetch_tile_l2; lab only)
  int s8_pieces;  // INT8 on int8 tensor cores (scan_s8.cuh): int8 pieces per query weight (2; the lab's 3)
  int f32_coalesced;  // FP32 on the lab's coalesced CUDA-core kernel (ScanConfig::f32; host side, a record of the plan)
  int s8_pipelined;  // the lab's s8 kernel with double-buffered code loads (host side, a record of the plan)

  // PQ
  int m;
  const float* lut;  // (query)(m)(256)

  // outputs: partial lists (query)(lists_per_query)(k)
  float* tmp_score;
  int64_t* tmp_id;
};

}  // namespace dp
