// IVF scan over product-quantized codes, fused with the block top-k, and the kernel that builds the per-query
// lookup tables.
//
// LUT[q][s][c] = q[s*dsub:(s+1)*dsub] . codebooks[s][c] is computed once per call into (query)(m)(256) floats;
// each scan block serves one query, copies its m x 256 table into shared memory (fp32, so the sum is the Java
// twin's up to summation order) and scores one row per thread: m table lookups, codes read 16 at a time.
// When m x 1 KB does not fit in shared memory beside the top-k buffers, the table is read through L1 instead.
#include "../common/status.h"
#include "scan_common.cuh"
#include "scan_kernels.h"

namespace dp {
namespace {

// grid (m, query), 256 threads: thread c computes LUT[q][s][c].
__global__ void __launch_bounds__(256) pq_lut_kernel(const float* __restrict__ queries,
                                                     const float* __restrict__ codebooks, int dim, int m,
                                                     float* __restrict__ lut) {
  extern __shared__ float qs[];  // (dsub)
  const int s = blockIdx.x, q = blockIdx.y, c = threadIdx.x;
  const int dsub = dim / m;
  for (int d = threadIdx.x; d < dsub; d += blockDim.x) qs[d] = queries[(int64_t)q * dim + (int64_t)s * dsub + d];
  __syncthreads();
  const float* cb = codebooks + ((int64_t)s * 256 + c) * dsub;
  float acc = 0.f;
  for (int d = 0; d < dsub; ++d) acc = fmaf(qs[d], __ldg(cb + d), acc);
  lut[((int64_t)q * m + s) * 256 + c] = acc;
}

struct PqLayout {
  size_t lut, seg, topk, total;
};

__host__ __device__ inline size_t align_up16(size_t x) { return (x + 15) / 16 * 16; }

__host__ __device__ inline PqLayout pq_layout(bool smem_lut, int m, int cap) {
  PqLayout l;
  size_t off = 0;
  l.lut = off;
  if (smem_lut) off += (size_t)m * 256 * 4;
  l.seg = off;
  off += SegmentTable::smem_bytes(kMaxSegments);
  off = align_up16(off);
  l.topk = off;
  off += block_topk_smem(1, cap);
  l.total = align_up16(off);
  return l;
}

template <bool SMEM_LUT>
__device__ __forceinline__ float lut_at(const float* lut, int i) {
  if (SMEM_LUT) return lut[i];
  return __ldg(lut + i);
}

// Sum of the table entries of 16 codes of sub-quantizers s0..s0+15 held in v.
template <bool SMEM_LUT>
__device__ __forceinline__ float lookup16(const float* lut, int s0, const uint4& v) {
  float a0 = 0.f, a1 = 0.f;
  const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int s = (s0 + 4 * i) * 256;
    a0 += lut_at<SMEM_LUT>(lut, s + (w[i] & 0xff));
    a1 += lut_at<SMEM_LUT>(lut, s + 256 + ((w[i] >> 8) & 0xff));
    a0 += lut_at<SMEM_LUT>(lut, s + 512 + ((w[i] >> 16) & 0xff));
    a1 += lut_at<SMEM_LUT>(lut, s + 768 + (w[i] >> 24));
  }
  return a0 + a1;
}

// VEC: m % 16 == 0 and 16-byte aligned codes (rows read as uint4); otherwise byte loads.
template <bool SMEM_LUT, bool VEC>
__global__ void __launch_bounds__(kScanThreads) scan_pq_kernel(const ScanParams p) {
  extern __shared__ __align__(16) unsigned char smem[];
  const BlockQueries bq = block_queries(p);
  const PqLayout L = pq_layout(SMEM_LUT, p.m, p.cap);
  SegmentTable st;
  st.carve(smem + L.seg, kMaxSegments);
  BlockTopK top;
  top.carve(smem + L.topk, 1, p.cap, p.k);
  top.init();
  const int m = p.m;
  const float* glut = p.lut + (int64_t)bq.q0 * m * 256;
  const float* lut = glut;
  if (SMEM_LUT) {
    float4* sl = reinterpret_cast<float4*>(smem + L.lut);
    const float4* gl = reinterpret_cast<const float4*>(glut);
    for (int i = threadIdx.x; i < m * 64; i += kScanThreads) sl[i] = gl[i];
    lut = reinterpret_cast<const float*>(smem + L.lut);
  }
  build_segments(p, bq, 1, st);  // ends with a barrier

  const uint32_t total = st.total();
  const uint8_t* codes = static_cast<const uint8_t*>(p.codes);
  int s = 0;
  for (uint32_t u0 = 0; u0 < total; u0 += kScanThreads) {
    const uint32_t u = u0 + threadIdx.x;
    if (u < total) {
      // Rows of a thread advance monotonically: look the segment up from the last one.
      if (!(st.prefix[s] <= u && (s + 1 >= st.n || st.prefix[s + 1] > u))) s = st.find(u);
      const int64_t row = st.begin[s] + (u - st.prefix[s]);
      const uint8_t* rp = codes + row * m;
      float acc = 0.f;
      if (VEC) {
        const int nv = m >> 4;
        int c = 0;
        for (; c + 4 <= nv; c += 4) {
          uint4 v[4];
#pragma unroll
          for (int i = 0; i < 4; ++i) v[i] = ld_stream16(rp + 16 * (c + i));
#pragma unroll
          for (int i = 0; i < 4; ++i) acc += lookup16<SMEM_LUT>(lut, 16 * (c + i), v[i]);
        }
        for (; c < nv; ++c) acc += lookup16<SMEM_LUT>(lut, 16 * c, ld_stream16(rp + 16 * c));
      } else {
        for (int i = 0; i < m; ++i) acc += lut_at<SMEM_LUT>(lut, i * 256 + __ldg(rp + i));
      }
      top.push(0, acc + st.bias[s], (uint32_t)row);
    }
    top.end_round(kScanRound);
  }
  top.reduce();
  write_partial(p, bq, top);
}

template <bool S, bool V>
const void* ptr() {
  return reinterpret_cast<const void*>(&scan_pq_kernel<S, V>);
}

const void* pq_kernel(bool smem_lut, bool vec) {
  return smem_lut ? (vec ? ptr<true, true>() : ptr<true, false>()) : (vec ? ptr<false, true>() : ptr<false, false>());
}

}  // namespace

bool scan_pq_vec(int m, const void* codes) { return m % 16 == 0 && (reinterpret_cast<uintptr_t>(codes) & 15) == 0; }

size_t scan_pq_smem(bool smem_lut, int m, int cap) { return pq_layout(smem_lut, m, cap).total; }

int scan_pq_occupancy(bool smem_lut, bool vec, size_t smem) {
  const void* k = pq_kernel(smem_lut, vec);
  DP_CUDA(cudaFuncSetAttribute(k, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  int blocks = 0;
  DP_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, k, kScanThreads, smem));
  return blocks;
}

void dp_run_pq_lut(const float* d_queries, const float* d_codebooks, int nq, int dim, int m, float* d_lut,
                   cudaStream_t stream) {
  const int dsub = dim / m;
  const size_t smem = (size_t)dsub * sizeof(float);  // <= 16 KB (dim <= 4096)
  for (int q0 = 0; q0 < nq; q0 += 65535) {  // grid.y is at most 65535
    const int n = nq - q0 < 65535 ? nq - q0 : 65535;
    pq_lut_kernel<<<dim3(m, n), 256, smem, stream>>>(d_queries + (int64_t)q0 * dim, d_codebooks, dim, m,
                                                     d_lut + (int64_t)q0 * m * 256);
    check_launch("pq_lut_kernel");
  }
}

void dp_run_scan_pq(const ScanParams& p, bool smem_lut, bool vec, int blocks, size_t smem, cudaStream_t stream) {
  DP_CUDA(cudaFuncSetAttribute(pq_kernel(smem_lut, vec), cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem));
  if (smem_lut) {
    if (vec)
      scan_pq_kernel<true, true><<<blocks, kScanThreads, smem, stream>>>(p);
    else
      scan_pq_kernel<true, false><<<blocks, kScanThreads, smem, stream>>>(p);
  } else {
    if (vec)
      scan_pq_kernel<false, true><<<blocks, kScanThreads, smem, stream>>>(p);
    else
      scan_pq_kernel<false, false><<<blocks, kScanThreads, smem, stream>>>(p);
  }
  check_launch("scan_pq_kernel");
}

}  // namespace dp
