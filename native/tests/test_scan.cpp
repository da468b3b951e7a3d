// dp_scan_flat / dp_scan_ivf / dp_scan_ivf_pq against a float64 CPU reference on fresh random data: every type,
// odd and aligned dims (the CUDA-core and tensor-core kernels), ties, k beyond the candidates, empty lists,
// probe padding and bias, id maps, several chunks and query tiles, PQ with tables in shared and global memory.
#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "common/tuning.h"
#include "test_util.h"

using namespace dpt;

namespace {

const char* type_name(int t) { return t == DP_FP32 ? "fp32" : t == DP_FP16 ? "fp16" : "int8"; }

// |q| . colmax(|x|): the scale of a score, for tolerances.
double magnitude(const float* q, const Vectors& v) {
  double m = 0;
  for (int d = 0; d < v.dim; ++d) {
    double cm = 0;
    for (int64_t r = 0; r < v.n; r += std::max<int64_t>(1, v.n / 512)) cm = std::max(cm, std::fabs(v.at(r, d)));
    m += std::fabs(q[d]) * cm;
  }
  return m;
}

double dot(const float* q, const Vectors& v, int64_t row) {
  double s = 0;
  for (int d = 0; d < v.dim; ++d) s += (double)q[d] * v.at(row, d);
  return s;
}

// The one tolerance change: INT8 scans on the int8 tensor cores with 2 query pieces (tuning().scan_s8_pieces == 2,
// the default for flat scans) round each weight w_d = q_d * scale_d to a multiple of max|w| / 16256 (scan_s8.cu),
// an error of at most half that per weight, so a score moves by at most 0.5 * max|w| / 16256 * sum_d |c_d| <=
// max|w| * dim * 128 / 32512 (codes |c| <= 128). That bound is added (Java's TestData.tolerance adds the same
// per-row bound, max|w| * sum_d |c_d| / 32512); 3 pieces (~21 bits, like the fp16 kernel's ~22) keep 2e-5 alone.
double s8_two_piece_bound(int type, const float* q, const Vectors& v, bool ivf) {
  const dp::Tuning& t = dp::tuning();
  if (type != DP_INT8 || t.scan_s8_pieces != 2 || t.scan_force_generic || (ivf && !t.scan_s8_ivf)) return 0.0;
  double mx = 0;
  for (int d = 0; d < v.dim; ++d) mx = std::max(mx, std::fabs((double)q[d] * v.scale[d]));
  return mx * v.dim * 128.0 / 32512.0;
}

// The knobs a case runs under, in its name (tools/gpu-kernels-lab.sh reads the FAIL lines for them).
const char* knobs() {
  const dp::Tuning& t = dp::tuning();
  static char buf[80];
  std::snprintf(buf, sizeof buf, "%s%s%s%s%s%s%s", t.scan_f32_coalesced ? " f32c" : "",
                t.scan_s8_pieces == 3 ? " s8x3" : t.scan_s8_pieces == 2 ? " s8x2" : "",
                t.scan_s8_pieces == 2 && t.scan_s8_pipelined ? " s8pipe" : "", t.scan_s8_ivf ? " s8ivf" : "",
                t.topk_select ? " select" : "", t.scan_pipelined ? " v2" : "", t.scan_l2_prefetch ? " l2pf" : "");
  return buf;
}

struct DevVectors {
  Dev<uint8_t> raw;
  Dev<float> offset, scale;
  explicit DevVectors(const Vectors& v)
      : raw(std::max<size_t>(1, v.raw.size())), offset(std::max<size_t>(1, v.offset.size())),
        scale(std::max<size_t>(1, v.scale.size())) {
    if (!v.raw.empty()) raw.put(v.raw);
    if (!v.offset.empty()) {
      offset.put(v.offset);
      scale.put(v.scale);
    }
  }
  const float* off(const Vectors& v) const { return v.type == DP_INT8 ? offset.p : nullptr; }
  const float* sc(const Vectors& v) const { return v.type == DP_INT8 ? scale.p : nullptr; }
};

void flat_case(int type, int64_t n, int dim, int nq, int k, int dup = 1, bool force_generic = false) {
  char what[160];
  std::snprintf(what, sizeof what, "flat %s n=%lld dim=%d nq=%d k=%d dup=%d%s%s", type_name(type), (long long)n,
                dim, nq, k, dup, force_generic ? " generic" : "", knobs());
  std::printf("  %s\n", what);
  Vectors v = random_vectors(type, n, dim, dup);
  std::vector<float> q = random_floats((size_t)nq * dim);
  DevVectors dv(v);
  Dev<float> dq(q);
  Dev<float> out_s((size_t)nq * k);
  Dev<int64_t> out_i((size_t)nq * k);
  out_s.poison();
  out_i.poison();
  dp::tuning().scan_force_generic = force_generic;
  OK(dp_scan_flat(type, n ? dv.raw.p : nullptr, dv.off(v), dv.sc(v), n, dim, dq.p, nq, k, out_s.p, out_i.p,
                  nullptr));
  dp::tuning().scan_force_generic = false;
  auto s = out_s.get();
  auto id = out_i.get();
  for (int qi = 0; qi < nq; ++qi) {
    const float* qq = q.data() + (size_t)qi * dim;
    std::vector<double> ref(n);
    for (int64_t r = 0; r < n; ++r) ref[r] = dot(qq, v, r);
    check_topk(what, qi, k, s.data() + (size_t)qi * k, id.data() + (size_t)qi * k, ref,
               2e-5 * magnitude(qq, v) + 1e-6 + s8_two_piece_bound(type, qq, v, false));
  }
}

struct Ivf {
  int nlist;
  std::vector<int64_t> offsets;  // (nlist+1)
  std::vector<int64_t> ids;      // (n)
  std::unordered_map<int64_t, int64_t> row_of;
};

// Random list boundaries (some lists empty) and, with `with_ids`, ids base + a permutation.
Ivf random_ivf(int64_t n, int nlist, bool with_ids) {
  Ivf f;
  f.nlist = nlist;
  std::vector<int64_t> cuts;
  for (int i = 0; i < nlist - 1; ++i) cuts.push_back(randint(0, n));
  for (int i = 0; i < nlist / 8; ++i) cuts[randint(0, nlist - 2)] = cuts[0];  // repeated cuts: empty lists
  std::sort(cuts.begin(), cuts.end());
  f.offsets.push_back(0);
  for (auto c : cuts) f.offsets.push_back(c);
  f.offsets.push_back(n);
  if (with_ids) {
    f.ids.resize(n);
    std::iota(f.ids.begin(), f.ids.end(), 0);
    std::shuffle(f.ids.begin(), f.ids.end(), rng());
    for (auto& x : f.ids) x += 1000000000000ll;
    for (int64_t r = 0; r < n; ++r) f.row_of[f.ids[r]] = r;
  }
  return f;
}

// (query)(nprobe) distinct lists with ~15% padding (-1), and the bias per probe.
void random_probes(int nq, int nprobe, int nlist, std::vector<int32_t>& probes, std::vector<float>& bias) {
  probes.assign((size_t)nq * nprobe, -1);
  bias.resize((size_t)nq * nprobe);
  std::vector<int32_t> perm(nlist);
  for (int qi = 0; qi < nq; ++qi) {
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng());
    for (int p = 0; p < nprobe; ++p) {
      if (p < nlist && uniform(0, 1) > 0.15f) probes[(size_t)qi * nprobe + p] = perm[p];
      bias[(size_t)qi * nprobe + p] = uniform(-2.f, 2.f);
    }
  }
}

void ivf_case(int type, int64_t n, int dim, int nlist, int nq, int nprobe, int k, bool with_ids, bool with_bias) {
  char what[200];
  std::snprintf(what, sizeof what, "ivf %s n=%lld dim=%d nlist=%d nq=%d nprobe=%d k=%d ids=%d bias=%d%s",
                type_name(type), (long long)n, dim, nlist, nq, nprobe, k, with_ids, with_bias, knobs());
  std::printf("  %s\n", what);
  Vectors v = random_vectors(type, n, dim);
  Ivf f = random_ivf(n, nlist, with_ids);
  std::vector<int32_t> probes;
  std::vector<float> bias;
  random_probes(nq, nprobe, nlist, probes, bias);
  std::vector<float> q = random_floats((size_t)nq * dim);
  DevVectors dv(v);
  Dev<int64_t> doff(f.offsets);
  Dev<int64_t> dids(std::max<size_t>(1, f.ids.size()));
  if (with_ids) dids.put(f.ids);
  Dev<int32_t> dprobes(probes);
  Dev<float> dbias(bias);
  Dev<float> dq(q);
  Dev<float> out_s((size_t)nq * k);
  Dev<int64_t> out_i((size_t)nq * k);
  out_s.poison();
  out_i.poison();
  OK(dp_scan_ivf(type, dv.raw.p, dv.off(v), dv.sc(v), n, dim, doff.p, nlist, with_ids ? dids.p : nullptr, dq.p, nq,
                 dprobes.p, nprobe, with_bias ? dbias.p : nullptr, k, out_s.p, out_i.p, nullptr));
  auto s = out_s.get();
  auto id = out_i.get();
  for (int qi = 0; qi < nq; ++qi) {
    const float* qq = q.data() + (size_t)qi * dim;
    std::vector<double> ref(n, NAN);
    for (int p = 0; p < nprobe; ++p) {
      const int l = probes[(size_t)qi * nprobe + p];
      if (l < 0) continue;
      for (int64_t r = f.offsets[l]; r < f.offsets[l + 1]; ++r)
        ref[r] = dot(qq, v, r) + (with_bias ? bias[(size_t)qi * nprobe + p] : 0.0);
    }
    auto index_of = [&](int64_t i) -> int64_t {
      if (!with_ids) return i;
      auto it = f.row_of.find(i);
      return it == f.row_of.end() ? -1 : it->second;
    };
    check_topk(what, qi, k, s.data() + (size_t)qi * k, id.data() + (size_t)qi * k, ref,
               2e-5 * magnitude(qq, v) + 2e-5 + s8_two_piece_bound(type, qq, v, true), index_of);
  }
}

void pq_case(int64_t n, int dim, int m, int nlist, int nq, int nprobe, int k, bool global_lut) {
  char what[200];
  std::snprintf(what, sizeof what, "ivf-pq n=%lld dim=%d m=%d nlist=%d nq=%d nprobe=%d k=%d%s", (long long)n, dim,
                m, nlist, nq, nprobe, k, global_lut ? " global-lut" : "");
  std::printf("  %s\n", what);
  const int dsub = dim / m;
  std::vector<uint8_t> codes((size_t)n * m);
  for (auto& c : codes) c = (uint8_t)randint(0, 255);
  std::vector<float> cb = random_floats((size_t)m * 256 * dsub, 0.3f);
  Ivf f = random_ivf(n, nlist, true);
  std::vector<int32_t> probes;
  std::vector<float> bias;
  random_probes(nq, nprobe, nlist, probes, bias);
  std::vector<float> q = random_floats((size_t)nq * dim);
  Dev<uint8_t> dcodes(codes);
  Dev<float> dcb(cb);
  Dev<int64_t> doff(f.offsets);
  Dev<int64_t> dids(f.ids);
  Dev<int32_t> dprobes(probes);
  Dev<float> dbias(bias);
  Dev<float> dq(q);
  Dev<float> out_s((size_t)nq * k);
  Dev<int64_t> out_i((size_t)nq * k);
  out_s.poison();
  out_i.poison();
  dp::tuning().pq_force_global_lut = global_lut;
  OK(dp_scan_ivf_pq(dcodes.p, m, dcb.p, n, dim, doff.p, nlist, dids.p, dq.p, nq, dprobes.p, nprobe, dbias.p, k,
                    out_s.p, out_i.p, nullptr));
  dp::tuning().pq_force_global_lut = false;
  auto s = out_s.get();
  auto id = out_i.get();
  for (int qi = 0; qi < nq; ++qi) {
    const float* qq = q.data() + (size_t)qi * dim;
    std::vector<double> lut((size_t)m * 256);
    double mag = 0;
    for (int sq = 0; sq < m; ++sq) {
      double mx = 0;
      for (int c = 0; c < 256; ++c) {
        double a = 0;
        for (int d = 0; d < dsub; ++d) a += (double)qq[sq * dsub + d] * cb[((size_t)sq * 256 + c) * dsub + d];
        lut[(size_t)sq * 256 + c] = a;
        mx = std::max(mx, std::fabs(a));
      }
      mag += mx;
    }
    std::vector<double> ref(n, NAN);
    for (int p = 0; p < nprobe; ++p) {
      const int l = probes[(size_t)qi * nprobe + p];
      if (l < 0) continue;
      for (int64_t r = f.offsets[l]; r < f.offsets[l + 1]; ++r) {
        double a = bias[(size_t)qi * nprobe + p];
        for (int sq = 0; sq < m; ++sq) a += lut[(size_t)sq * 256 + codes[(size_t)r * m + sq]];
        ref[r] = a;
      }
    }
    auto index_of = [&](int64_t i) -> int64_t {
      auto it = f.row_of.find(i);
      return it == f.row_of.end() ? -1 : it->second;
    };
    check_topk(what, qi, k, s.data() + (size_t)qi * k, id.data() + (size_t)qi * k, ref, 1e-5 * mag + 2e-5,
               index_of);
  }
}

}  // namespace

int main() {
  std::printf("test_scan (seed %llu)\n", (unsigned long long)seed());
  if (!have_device()) return kSkip;

  // flat: odd dims (CUDA-core kernel), aligned dims (tensor cores for FP16/INT8), both paths on the same shape
  flat_case(DP_FP32, 1000, 37, 3, 10);
  flat_case(DP_FP32, 4099, 128, 5, 64);
  flat_case(DP_FP16, 5000, 64, 5, 100);
  flat_case(DP_FP16, 5000, 64, 5, 100, 1, true);
  flat_case(DP_FP16, 3001, 61, 4, 33);
  flat_case(DP_FP16, 2000, 96, 40, 7);  // 3 query tiles
  flat_case(DP_INT8, 7001, 128, 17, 50);  // a 16-query tile and a 1-query tile
  flat_case(DP_INT8, 7001, 128, 17, 50, 1, true);
  flat_case(DP_INT8, 2500, 131, 6, 20);
  flat_case(DP_INT8, 3000, 192, 9, 25, 3);  // ties: each row three times
  flat_case(DP_FP32, 3000, 19, 2, 25, 4);
  flat_case(DP_FP16, 20, 64, 3, 64);  // k > rows
  flat_case(DP_INT8, 20, 67, 2, 2048);
  flat_case(DP_INT8, 10000, 64, 2, 2048);  // largest k
  flat_case(DP_FP16, 300000, 32, 4, 100);  // many chunks, merged
  flat_case(DP_INT8, 20000, 320, 12, 40);   // 5 blocks of 64 bytes per row: odd pipeline stage count
  flat_case(DP_FP16, 9000, 160, 3, 17);
  flat_case(DP_INT8, 30000, 768, 16, 100);  // the benchmark's shape
  flat_case(DP_INT8, 50000, 64, 16, 1000);  // large k, 16 queries in one block
  flat_case(DP_INT8, 200000, 64, 16, 1);
  flat_case(DP_FP32, 1, 5, 1, 1);
  flat_case(DP_FP16, 0, 64, 2, 5);  // no vectors: all slots empty

  // the fp16 tensor-core kernel for INT8 (scan_s8_pieces = 0; the default before the H200 lab run), no select
  std::printf(" fp16 tensor-core kernel for INT8\n");
  dp::tuning().scan_s8_pieces = 0;
  dp::tuning().topk_select = false;
  flat_case(DP_INT8, 7001, 128, 17, 50);
  flat_case(DP_INT8, 2500, 131, 6, 20);
  flat_case(DP_INT8, 3000, 192, 9, 25, 3);
  flat_case(DP_INT8, 10000, 64, 2, 2048);
  flat_case(DP_INT8, 20000, 320, 12, 40);
  flat_case(DP_INT8, 30000, 768, 16, 100);
  flat_case(DP_INT8, 50000, 64, 16, 1000);
  flat_case(DP_FP16, 40000, 64, 5, 2048);
  dp::tuning() = dp::Tuning{};

  // the v2 pipelined loop of the tensor-core scan and two blocks per SM (tuning knobs) on the same kinds of shapes
  dp::tuning().scan_s8_pieces = 0;  // v2 is a loop of the fp16 kernel
  dp::tuning().scan_pipelined = true;
  dp::tuning().scan_flat_blocks_per_sm = 0;
  flat_case(DP_INT8, 20000, 320, 12, 40);
  flat_case(DP_FP16, 9000, 160, 3, 17);
  flat_case(DP_INT8, 30000, 768, 16, 100);
  ivf_case(DP_INT8, 20000, 128, 50, 7, 8, 30, true, true);
  dp::tuning() = dp::Tuning{};

  // int8 tensor cores (scan_s8.cu), 3 and 2 query pieces: query tiles of 8 / 16 / 32 columns, several tiles, odd
  // stage counts, ties, largest k, many chunks, IVF segments
  // (and IVF on it: scan_s8_ivf), then 2 pieces with the double-buffered loads (scan_s8_pipelined)
  for (int pieces : {3, 2, 22}) {
    std::printf(" int8 tensor cores, %d query pieces%s\n", pieces % 10, pieces == 22 ? ", pipelined loads" : "");
    dp::tuning().scan_s8_pieces = pieces % 10;
    dp::tuning().scan_s8_pipelined = pieces == 22;
    dp::tuning().scan_s8_ivf = true;
    flat_case(DP_INT8, 7001, 128, 17, 50);   // a 17-query tile (32 columns)
    flat_case(DP_INT8, 7001, 128, 5, 50);    // 8 columns
    flat_case(DP_INT8, 9001, 192, 12, 40);   // 16 columns, 3 blocks of 64 bytes
    flat_case(DP_INT8, 20000, 320, 70, 40);  // 3 query tiles (32 + 32 + 6)
    flat_case(DP_INT8, 3000, 192, 9, 25, 3);  // ties
    flat_case(DP_INT8, 20, 64, 2, 2048);
    flat_case(DP_INT8, 10000, 64, 2, 2048);
    flat_case(DP_INT8, 30000, 768, 64, 100);  // the benchmark's shape, 64 queries
    flat_case(DP_INT8, 300000, 64, 33, 100);  // many chunks, merged
    ivf_case(DP_INT8, 20000, 128, 50, 7, 8, 30, true, true);
    ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 60, true, true);
    dp::tuning().scan_s8_max_queries_per_block = 16;
    flat_case(DP_INT8, 20000, 768, 40, 100);
    dp::tuning().scan_s8_max_queries_per_block = 8;
    flat_case(DP_INT8, 9001, 192, 12, 40);
    if (pieces == 22) {  // IVF with an even burst count (d = 192): the next tile's first burst crosses segments
      ivf_case(DP_INT8, 20000, 192, 50, 7, 8, 30, true, true);
      ivf_case(DP_INT8, 4000, 192, 300, 2, 280, 40, false, true);
    }
    dp::tuning() = dp::Tuning{};
  }

  // top-k by radix select between rounds (tuning().topk_select): large k (a query fills every ~96 pushes), ties,
  // k beyond the rows, several chunks merged, both tensor-core kernels, IVF
  std::printf(" top-k by radix select, from k = 1 on every kernel\n");
  dp::tuning().topk_select = true;
  dp::tuning().topk_select_min_k = 1;
  dp::tuning().topk_select_min_k_mma = 1;
  dp::tuning().scan_s8_pieces = 0;  // the fp16 kernel first, then the s8 kernel
  flat_case(DP_INT8, 50000, 64, 16, 1000);
  flat_case(DP_INT8, 200000, 64, 16, 1);
  dp::tuning().scan_s8_pieces = 2;
  flat_case(DP_INT8, 50000, 64, 16, 1000);
  flat_case(DP_FP16, 40000, 64, 5, 2048);
  flat_case(DP_INT8, 3000, 192, 9, 25, 3);  // ties
  flat_case(DP_FP16, 2000, 64, 4, 7, 4);    // ties, small k
  flat_case(DP_INT8, 20, 67, 2, 2048);
  flat_case(DP_FP16, 300000, 32, 4, 100);
  flat_case(DP_INT8, 200000, 64, 16, 1);
  flat_case(DP_FP32, 4099, 128, 5, 64);  // CUDA-core kernel: ignores the knob
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 600, true, true);
  dp::tuning().scan_s8_pieces = 3;
  flat_case(DP_INT8, 100000, 128, 40, 2048);
  flat_case(DP_INT8, 30000, 768, 16, 300);
  dp::tuning() = dp::Tuning{};

  // FP32 on the coalesced CUDA-core kernel (tuning().scan_f32_coalesced; rows a multiple of 64 bytes, others keep
  // the one-row-per-lane kernel): 1, 4 and 16 query columns, several tiles, partial tiles, ties, chunks, IVF
  std::printf(" FP32 coalesced\n");
  dp::tuning().scan_f32_coalesced = true;
  flat_case(DP_FP32, 4099, 128, 5, 64);
  flat_case(DP_FP32, 3001, 16, 1, 10);
  flat_case(DP_FP32, 5000, 64, 3, 100);
  flat_case(DP_FP32, 2000, 96, 40, 7);  // 3 query tiles
  flat_case(DP_FP32, 3000, 48, 2, 25, 4);  // ties
  flat_case(DP_FP32, 300000, 32, 4, 100);  // many chunks, merged
  flat_case(DP_FP32, 20000, 768, 16, 100);
  flat_case(DP_FP32, 1000, 37, 3, 10);  // 148-byte rows: the other kernel
  flat_case(DP_FP32, 20, 64, 2, 2048);
  ivf_case(DP_FP32, 9000, 32, 40, 4, 6, 25, true, true);
  ivf_case(DP_FP32, 2000, 16, 10, 2, 10, 2048, false, true);
  dp::tuning() = dp::Tuning{};

  // L2 prefetch of the next tile in the int8 tensor-core kernel (a hint: results must not change), flat and IVF
  std::printf(" L2 prefetch\n");
  dp::tuning().scan_l2_prefetch = true;
  dp::tuning().scan_s8_pieces = 3;
  dp::tuning().scan_s8_ivf = true;
  flat_case(DP_INT8, 30000, 768, 16, 100);
  flat_case(DP_INT8, 20001, 192, 1, 10);
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 60, true, true);
  dp::tuning() = dp::Tuning{};

  // IVF
  ivf_case(DP_INT8, 20000, 128, 50, 7, 8, 30, true, true);
  ivf_case(DP_FP16, 20000, 64, 50, 5, 10, 40, false, false);
  ivf_case(DP_FP32, 9000, 33, 40, 4, 6, 25, true, true);
  ivf_case(DP_FP16, 9000, 45, 40, 4, 6, 25, true, false);
  ivf_case(DP_INT8, 30000, 64, 400, 3, 300, 60, true, true);  // > 256 probes: several groups
  ivf_case(DP_INT8, 500, 64, 64, 3, 4, 500, true, true);      // k beyond the candidates
  ivf_case(DP_FP32, 2000, 16, 10, 2, 10, 2048, false, true);

  // IVF-PQ
  pq_case(20000, 64, 16, 30, 5, 6, 40, false);  // 16-byte code loads, tables in shared memory
  pq_case(20000, 64, 16, 30, 5, 6, 40, true);   // tables through L1
  pq_case(8000, 21, 7, 20, 3, 5, 30, false);    // byte loads
  pq_case(6000, 256, 256, 12, 2, 4, 50, false); // 256 KB tables: automatically through L1
  pq_case(3000, 96, 48, 300, 2, 290, 2048, false);
  return finish("test_scan");
}
