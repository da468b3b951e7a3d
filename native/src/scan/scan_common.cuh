// Device code shared by the scan kernels: which queries and rows a block owns (its "segments"), and writing its
// partial top-k.
//
// A block's rows are a list of segments (contiguous row ranges, each with a score bias): one chunk of rows for a
// flat scan, the lists of the block's probes for IVF. Work inside a block is counted in "units" (32-row tiles for
// the dense kernels, rows for PQ) over the concatenation of the segments, so warps stay busy across short lists.
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#include "../common/block_topk.cuh"
#include "scan_params.h"

namespace dp {

struct SegmentTable {
  int64_t* begin;     // (segment)
  int64_t* end;       // (segment)
  float* bias;        // (segment)
  uint32_t* prefix;   // (segment) units before the segment
  uint32_t* scratch;  // (warp) scan scratch; [kScanWarps] holds the total
  int n;              // segments (1 for flat, kMaxSegments for IVF; empty ones hold 0 units)

  __host__ __device__ static size_t smem_bytes(int nseg) {
    return (size_t)nseg * (2 * sizeof(int64_t) + sizeof(float) + sizeof(uint32_t)) +
           (kScanWarps + 1) * sizeof(uint32_t);
  }

  // 8-byte aligned `smem`.
  __device__ void carve(void* smem, int nseg) {
    n = nseg;
    begin = reinterpret_cast<int64_t*>(smem);
    end = begin + nseg;
    bias = reinterpret_cast<float*>(end + nseg);
    prefix = reinterpret_cast<uint32_t*>(bias + nseg);
    scratch = prefix + nseg;
  }

  __device__ __forceinline__ uint32_t total() const { return scratch[kScanWarps]; }

  // Index of the segment holding unit u < total(): the last one whose prefix is <= u (empty segments are
  // skipped because the next one has the same prefix).
  __device__ __forceinline__ int find(uint32_t u) const {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >> 1;
      if (prefix[mid] <= u) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
};

// The queries and the partial-list slot of this block.
struct BlockQueries {
  int q0;    // first query
  int qa;    // queries of this block (<= p.qa)
  int list;  // chunk (flat) or probe group (IVF)
};

__device__ __forceinline__ BlockQueries block_queries(const ScanParams& p) {
  BlockQueries b;
  if (p.ivf) {
    // Blocks of one probe group for all queries are adjacent, so lists shared by queries are read while hot in L2.
    b.list = blockIdx.x / p.nq;
    b.q0 = blockIdx.x % p.nq;
    b.qa = 1;
  } else {
    // Query tiles of one chunk are adjacent for the same reason.
    b.list = blockIdx.x / p.num_qtiles;
    int qt = blockIdx.x % p.num_qtiles;
    b.q0 = qt * p.qa;
    b.qa = min(p.qa, p.nq - b.q0);
  }
  return b;
}

// Every thread (blockDim.x == kScanThreads). Fills the segment table; `unit_rows` rows per unit. Ends with a barrier.
__device__ inline void build_segments(const ScanParams& p, const BlockQueries& bq, int unit_rows, SegmentTable& st) {
  const int tid = threadIdx.x;
  uint32_t units = 0;
  if (!p.ivf) {
    if (tid == 0) {
      int64_t b = (int64_t)bq.list * p.rows_per_chunk;
      int64_t e = min(p.num_vectors, b + p.rows_per_chunk);
      if (e < b) e = b;
      st.begin[0] = b;
      st.end[0] = e;
      st.bias[0] = 0.f;
      st.prefix[0] = 0;
      st.scratch[kScanWarps] = (uint32_t)((e - b + unit_rows - 1) / unit_rows);
    }
    __syncthreads();
    return;
  }
  // IVF: thread tid takes the tid-th probe of this group.
  int pr = bq.list + tid * p.groups;
  int64_t b = 0, e = 0;
  float bias = 0.f;
  if (pr < p.nprobe) {
    int l = p.probes[(int64_t)bq.q0 * p.nprobe + pr];
    if (l >= 0) {
      b = p.list_offsets[l];
      e = p.list_offsets[l + 1];
      if (e < b) e = b;
      if (p.probe_bias != nullptr) bias = p.probe_bias[(int64_t)bq.q0 * p.nprobe + pr];
    }
  }
  units = (uint32_t)((e - b + unit_rows - 1) / unit_rows);
  st.begin[tid] = b;
  st.end[tid] = e;
  st.bias[tid] = bias;
  // Exclusive block scan of `units`.
  const int lane = tid & 31, warp = tid >> 5;
  uint32_t v = units;
#pragma unroll
  for (int off = 1; off < 32; off <<= 1) {
    uint32_t o = __shfl_up_sync(0xffffffffu, v, off);
    if (lane >= off) v += o;
  }
  if (lane == 31) st.scratch[warp] = v;
  __syncthreads();
  if (tid == 0) {
    uint32_t run = 0;
    for (int w = 0; w < kScanWarps; ++w) {
      uint32_t t = st.scratch[w];
      st.scratch[w] = run;
      run += t;
    }
    st.scratch[kScanWarps] = run;
  }
  __syncthreads();
  st.prefix[tid] = st.scratch[warp] + v - units;
  __syncthreads();
}

// Every thread, after the final top.reduce(): writes the block's sorted top-k of each of its queries into the
// partial lists, ids mapped through p.ids for IVF, missing slots (-inf, -1).
__device__ inline void write_partial(const ScanParams& p, const BlockQueries& bq, const BlockTopK& top) {
  for (int j = 0; j < bq.qa; ++j) {
    const int q = bq.q0 + j;
    const int n = top.filled(j);
    const int64_t base = ((int64_t)q * p.lists_per_query + bq.list) * p.k;
    for (int r = threadIdx.x; r < p.k; r += blockDim.x) {
      float s = -INFINITY;
      int64_t id = -1;
      if (r < n) {
        s = top.score[(size_t)j * top.cap + r];
        int64_t row = top.index[(size_t)j * top.cap + r];
        id = (p.ivf && p.ids != nullptr) ? p.ids[row] : row;
      }
      p.tmp_score[base + r] = s;
      p.tmp_id[base + r] = id;
    }
  }
}

// One lane of a warp: asks the copy engine to bring the rows of tile unit `u` (if it exists) into L2
// (cp.async.bulk.prefetch, sm_90; a hint: nothing waits for it). A warp calls it for its next tile while it works
// on the current one, so DRAM keeps streaming across the block's round barriers. Rows are contiguous within a
// segment, 16-byte aligned (row_bytes is a multiple of 64 where it is used).
__device__ __forceinline__ void prefetch_tile_l2(const SegmentTable& st, uint32_t u, const void* codes,
                                                 int64_t row_bytes, int tile_rows) {
  if (u >= st.total()) return;
  const int s = st.find(u);
  const int64_t tile = st.begin[s] + (int64_t)(u - st.prefix[s]) * tile_rows;
  const int64_t rows = min((int64_t)tile_rows, st.end[s] - tile);
  if (rows <= 0) return;
  const char* ptr = static_cast<const char*>(codes) + tile * row_bytes;
  asm volatile("cp.async.bulk.prefetch.L2.global [%0], %1;" ::"l"(ptr), "r"((uint32_t)(rows * row_bytes))
               : "memory");
}

__device__ __forceinline__ uint4 ld_stream16(const void* ptr) {
  uint4 v;
  asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
      : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
      : "l"(ptr));
  return v;
}

}  // namespace dp
