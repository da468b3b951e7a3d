// Small fp32 GEMMs of the loss on the tensor cores: mma.sync m16n8k8 TF32 with the 3xTF32 split.
//
// Each fp32 input x is split into big = tf32(x) and small = tf32(x - big); big*big + big*small + small*big
// recovers ~fp32 accuracy (the dropped small*small term is ~2^-22 relative) at three tensor-core mma per product,
// still several times the CUDA-core fp32 rate. Accumulation is fp32.
//
// Tiles: 64 x 64 outputs per block of 4 warps (2 x 2, 32 x 32 each = 2 m16 x 4 n8 tiles), K in steps of 32
// through shared memory ([row][k], 36-float rows: the fragment reads hit 32 distinct banks), the next K step
// prefetched into registers while the current one is multiplied. Long K is cut into slices (GemmProblem::splits)
// so that small outputs still occupy the whole GPU; a step is latency-bound, so fewer steps per block is the win.
#include "../common/status.h"
#include "loss_kernels.h"

namespace dp {
namespace {

constexpr int BM = 64, BN = 64, BK = 32, SK = BK + 4;
constexpr int kThreads = 128;
constexpr int kPerThread = BM * BK / kThreads;  // 8 elements of each operand tile per thread

struct GemmBatch {
  GemmProblem p[kMaxGemmBatch];
  int zstart[kMaxGemmBatch + 1];  // blockIdx.z of problem i's first K slice
};

// Element (i, kk) of an operand, 0 outside (rows, K).
__device__ __forceinline__ float operand_at(const GemmOperand& o, int i, int kk, int rows, int K) {
  if (i >= rows || kk >= K) return 0.f;
  const int r = o.trans ? kk : i;
  const int c = o.trans ? i : kk;
  const float* base = r < o.split ? o.base0 + (size_t)r * o.ld : o.base1 + (size_t)(r - o.split) * o.ld;
  return __ldg(base + c);
}

// Which (i, kk) of the 64 x 16 tile this thread's e-th element is: consecutive threads walk the source's
// contiguous direction (kk when not transposed, i when transposed) so loads coalesce.
__device__ __forceinline__ void tile_coord(int trans, int e, int& i, int& kk) {
  const int idx = threadIdx.x + kThreads * e;
  if (trans) {
    kk = idx / BM;
    i = idx % BM;
  } else {
    i = idx / BK;
    kk = idx % BK;
  }
}

__device__ __forceinline__ uint32_t to_tf32(float x) {
  uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r;
}

__device__ __forceinline__ void split(float x, uint32_t& big, uint32_t& small) {
  big = to_tf32(x);
  small = to_tf32(x - __uint_as_float(big));
}

__device__ __forceinline__ void mma1688(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__global__ void __launch_bounds__(kThreads) gemm_3xtf32_kernel(const GemmBatch batch) {
  int pi = 0;
  while ((int)blockIdx.z >= batch.zstart[pi + 1]) ++pi;
  const GemmProblem& P = batch.p[pi];
  const int slice = blockIdx.z - batch.zstart[pi];
  const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
  if (m0 >= P.M || n0 >= P.N) return;
  const int kc = ((P.K + P.splits - 1) / P.splits + BK - 1) / BK * BK;
  const int kbeg = slice * kc, kend = min(P.K, kbeg + kc);
  float* out = P.splits > 1 ? P.part + slice * P.part_stride : P.c;
  const int ldo = P.splits > 1 ? P.N : P.ldc;
  __shared__ float As[BM * SK];
  __shared__ float Bs[BN * SK];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int g = lane >> 2, t = lane & 3;
  const int wm = (warp >> 1) * 32, wn = (warp & 1) * 32;

  float acc[2][4][4];
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.f;

  float ra[kPerThread], rb[kPerThread];
  auto fetch = [&](int k0) {
#pragma unroll
    for (int e = 0; e < kPerThread; ++e) {
      int i, kk;
      tile_coord(P.a.trans, e, i, kk);
      ra[e] = operand_at(P.a, m0 + i, k0 + kk, P.M, kend);
      tile_coord(P.b.trans, e, i, kk);
      rb[e] = operand_at(P.b, n0 + i, k0 + kk, P.N, kend);
    }
  };
  auto stash = [&]() {
#pragma unroll
    for (int e = 0; e < kPerThread; ++e) {
      int i, kk;
      tile_coord(P.a.trans, e, i, kk);
      As[i * SK + kk] = ra[e];
      tile_coord(P.b.trans, e, i, kk);
      Bs[i * SK + kk] = rb[e];
    }
  };

  fetch(kbeg);
  for (int k0 = kbeg; k0 < kend; k0 += BK) {
    __syncthreads();  // the previous step's fragments are read
    stash();
    __syncthreads();
    if (k0 + BK < kend) fetch(k0 + BK);  // in flight while the tensor cores work
#pragma unroll
    for (int ks = 0; ks < BK; ks += 8) {
      uint32_t ab[2][4], as[2][4];
#pragma unroll
      for (int mt = 0; mt < 2; ++mt) {
        const float* a = As + (wm + mt * 16 + g) * SK + ks + t;
        split(a[0], ab[mt][0], as[mt][0]);           // (g, t)
        split(a[8 * SK], ab[mt][1], as[mt][1]);      // (g + 8, t)
        split(a[4], ab[mt][2], as[mt][2]);           // (g, t + 4)
        split(a[8 * SK + 4], ab[mt][3], as[mt][3]);  // (g + 8, t + 4)
      }
#pragma unroll
      for (int nt = 0; nt < 4; ++nt) {
        const float* b = Bs + (wn + nt * 8 + g) * SK + ks + t;
        uint32_t bb0, bs0, bb1, bs1;
        split(b[0], bb0, bs0);  // (k = t, n = g)
        split(b[4], bb1, bs1);  // (k = t + 4, n = g)
#pragma unroll
        for (int mt = 0; mt < 2; ++mt) {
          mma1688(acc[mt][nt], as[mt], bb0, bb1);
          mma1688(acc[mt][nt], ab[mt], bs0, bs1);
          mma1688(acc[mt][nt], ab[mt], bb0, bb1);
        }
      }
    }
  }
  // acc[mt][nt][2h + e] = C[wm + mt*16 + g + 8h][wn + nt*8 + 2t + e]
#pragma unroll
  for (int mt = 0; mt < 2; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int m = m0 + wm + mt * 16 + g + 8 * h;
      if (m >= P.M) continue;
#pragma unroll
      for (int nt = 0; nt < 4; ++nt)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const int n = n0 + wn + nt * 8 + 2 * t + e;
          if (n < P.N) out[(size_t)m * ldo + n] = acc[mt][nt][2 * h + e];
        }
    }
}

// grid (tiles, problem): c = sum of the problem's K slices, in slice order.
__global__ void sum_partials_kernel(const GemmBatch batch) {
  const GemmProblem& P = batch.p[blockIdx.y];
  if (P.splits <= 1) return;
  const size_t total = (size_t)P.M * P.N;
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total; i += (size_t)gridDim.x * blockDim.x) {
    float s = 0.f;
    for (int k = 0; k < P.splits; ++k) s += P.part[k * P.part_stride + i];
    const size_t m = i / P.N, n = i % P.N;
    P.c[m * P.ldc + n] = s;
  }
}

}  // namespace

int gemm_splits(int K, int total_tiles, int sm_count) {
  const int target = 4 * sm_count;
  int s = (target + total_tiles - 1) / total_tiles;
  const int most = K / 128 > 1 ? K / 128 : 1;
  return s < 1 ? 1 : s > most ? most : s;
}

void dp_run_sum_partials(const GemmProblem* problems, int count, cudaStream_t stream) {
  GemmBatch b{};
  bool any = false;
  size_t most = 0;
  for (int i = 0; i < count; ++i) {
    b.p[i] = problems[i];
    if (problems[i].splits > 1) {
      any = true;
      const size_t n = (size_t)problems[i].M * problems[i].N;
      most = most > n ? most : n;
    }
  }
  if (!any) return;
  const int blocks = (int)((most + 255) / 256 < 1024 ? (most + 255) / 256 : 1024);
  sum_partials_kernel<<<dim3(blocks, count), 256, 0, stream>>>(b);
  check_launch("sum_partials_kernel");
}

void dp_run_gemm_3xtf32(const GemmProblem* problems, int count, cudaStream_t stream) {
  GemmBatch b{};
  int max_m = 0, max_n = 0;
  b.zstart[0] = 0;
  for (int i = 0; i < count; ++i) {
    b.p[i] = problems[i];
    if (b.p[i].splits < 1) b.p[i].splits = 1;
    b.zstart[i + 1] = b.zstart[i] + b.p[i].splits;
    max_m = max_m > problems[i].M ? max_m : problems[i].M;
    max_n = max_n > problems[i].N ? max_n : problems[i].N;
  }
  for (int i = count; i < kMaxGemmBatch; ++i) b.zstart[i + 1] = b.zstart[count];
  if (count == 0 || max_m == 0 || max_n == 0) return;
  dim3 grid((max_n + BN - 1) / BN, (max_m + BM - 1) / BM, b.zstart[count]);
  gemm_3xtf32_kernel<<<grid, kThreads, 0, stream>>>(b);
  check_launch("gemm_3xtf32_kernel");
}

}  // namespace dp
