// The scan cases of test_scan (the library's kernels) and test_lab (native/bench: the lab's variants):
// dp_scan_flat / dp_scan_ivf / dp_scan_ivf_pq against a float64 CPU reference on fresh random data, through the
// entry points in target() (the exported ones by default, the lab's under its knobs in test_lab).
#pragma once

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "test_util.h"

namespace dpt {

// What the cases call, and what they say about the kernels a case runs on.
struct ScanTarget {
  decltype(&dp_scan_flat) flat = &dp_scan_flat;
  decltype(&dp_scan_ivf) ivf = &dp_scan_ivf;
  decltype(&dp_scan_ivf_pq) ivf_pq = &dp_scan_ivf_pq;
  // The knobs a case runs under, appended to its name (tools/gpu-kernels-lab.sh reads them from FAIL lines); pq:
  // for an IVF-PQ case.
  const char* (*knobs)(bool pq) = nullptr;
  // INT8 scans of this kind (flat or IVF) run on the int8 tensor cores with 2 query pieces.
  bool (*two_pieces)(int type, bool ivf) = nullptr;
};

inline ScanTarget& target() {
  static ScanTarget t;
  return t;
}


// |q| . colmax(|x|): the scale of a score, for tolerances.
inline double magnitude(const float* q, const Vectors& v) {
  double m = 0;
  for (int d = 0; d < v.dim; ++d) {
    double cm = 0;
    for (int64_t r = 0; r < v.n; r += std::max<int64_t>(1, v.n / 512)) cm = std::max(cm, std::fabs(v.at(r, d)));
    m += std::fabs(q[d]) * cm;
  }
  return m;
}

inline double dot(const float* q, const Vectors& v, int64_t row) {
  double s = 0;
  for (int d = 0; d < v.dim; ++d) s += (double)q[d] * v.at(row, d);
  return s;
}

// The one tolerance change: INT8 scans on the int8 tensor cores with 2 query pieces (the library's flat INT8 scans;
// target().two_pieces says when a case runs on them) round each weight w_d = q_d * scale_d to a multiple of
// max|w| / 16256 (scan_s8.cuh), an error of at most half that per weight, so a score moves by at most 0.5 * max|w| / 16256 * sum_d |c_d| <=
// max|w| * dim * 128 / 32512 (codes |c| <= 128). That bound is added (Java's TestData.tolerance adds the same
// per-row bound, max|w| * sum_d |c_d| / 32512); 3 pieces (~21 bits, like the fp16 kernel's ~22) keep 2e-5 alone.
inline double s8_two_piece_bound(int type, const float* q, const Vectors& v, bool ivf) {
  if (!target().two_pieces(type, ivf)) return 0.0;
  double mx = 0;
  for (int d = 0; d < v.dim; ++d) mx = std::max(mx, std::fabs((double)q[d] * v.scale[d]));
  return mx * v.dim * 128.0 / 32512.0;
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

// Layouts that defeat the sampled-threshold path of large-k flat scans (scan_api.cpp), so that its check must
// catch the miss and the plain scan answer: FP16 rows scaled by 4 (they dominate every top-k)
//   kHotSampled: the 32-row tiles the sample copies (every 32nd tile from the first): the sample's threshold is
//                passed by the sampled hot rows alone, far fewer than k rows -> the k-th slot stays empty;
//   kHotRegion:  rows [n/3, n/3 + 3k): one block's list overflows with hot rows above the final k-th score.
enum Layout { kRandom = 0, kHotSampled = 1, kHotRegion = 2 };

inline void heat_rows(Vectors& v, int layout, int k) {
  if (layout == kRandom) return;
  for (int64_t r = 0; r < v.n; ++r) {
    const bool hot = layout == kHotSampled ? (r / 32) % 32 == 0 : r >= v.n / 3 && r < v.n / 3 + 3 * (int64_t)k;
    if (!hot) continue;
    for (int d = 0; d < v.dim; ++d) {
      const size_t i = (size_t)r * v.dim + d;
      uint16_t h = f2h((float)(4.0 * v.decoded[i]));
      std::memcpy(&v.raw[i * 2], &h, 2);
      v.decoded[i] = h2f(h);
    }
  }
}

inline void flat_case(int type, int64_t n, int dim, int nq, int k, int dup = 1, int layout = kRandom) {
  char what[160];
  std::snprintf(what, sizeof what, "flat %s n=%lld dim=%d nq=%d k=%d dup=%d%s%s", type_name(type), (long long)n, dim,
                nq, k, dup, layout == kHotSampled ? " hot-sampled-tiles" : layout == kHotRegion ? " hot-region" : "",
                target().knobs(false));
  std::printf("  %s\n", what);
  Vectors v = random_vectors(type, n, dim, dup);
  if (type == DP_FP16) heat_rows(v, layout, k);
  std::vector<float> q = random_floats((size_t)nq * dim);
  DevVectors dv(v);
  Dev<float> dq(q);
  Dev<float> out_s((size_t)nq * k);
  Dev<int64_t> out_i((size_t)nq * k);
  out_s.poison();
  out_i.poison();
  OK(target().flat(type, n ? dv.raw.p : nullptr, dv.off(v), dv.sc(v), n, dim, dq.p, nq, k, out_s.p, out_i.p,
                   nullptr));
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
inline Ivf random_ivf(int64_t n, int nlist, bool with_ids) {
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
inline void random_probes(int nq, int nprobe, int nlist, std::vector<int32_t>& probes, std::vector<float>& bias) {
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

inline void ivf_case(int type, int64_t n, int dim, int nlist, int nq, int nprobe, int k, bool with_ids,
                     bool with_bias) {
  char what[200];
  std::snprintf(what, sizeof what, "ivf %s n=%lld dim=%d nlist=%d nq=%d nprobe=%d k=%d ids=%d bias=%d%s",
                type_name(type), (long long)n, dim, nlist, nq, nprobe, k, with_ids, with_bias, target().knobs(false));
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
  OK(target().ivf(type, dv.raw.p, dv.off(v), dv.sc(v), n, dim, doff.p, nlist, with_ids ? dids.p : nullptr, dq.p,
                  nq, dprobes.p, nprobe, with_bias ? dbias.p : nullptr, k, out_s.p, out_i.p, nullptr));
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

// FP32 on the CUDA-core kernels (the coalesced one for rows a multiple of 64 bytes, one row per lane otherwise):
// 1, 4 and 16 query columns, several tiles, partial tiles, ties, chunks, IVF.
inline void fp32_cases() {
  flat_case(DP_FP32, 4099, 128, 5, 64);
  flat_case(DP_FP32, 3001, 16, 1, 10);
  flat_case(DP_FP32, 5000, 64, 3, 100);
  flat_case(DP_FP32, 2000, 96, 40, 7);  // 3 query tiles
  flat_case(DP_FP32, 3000, 48, 2, 25, 4);  // ties
  flat_case(DP_FP32, 300000, 32, 4, 100);  // many chunks, merged
  flat_case(DP_FP32, 20000, 768, 16, 100);
  flat_case(DP_FP32, 1000, 37, 3, 10);  // 148-byte rows: one row per lane either way
  flat_case(DP_FP32, 20, 64, 2, 2048);
  flat_case(DP_FP32, 300000, 64, 2, 1000);  // the sampled threshold of large k
  ivf_case(DP_FP32, 9000, 32, 40, 4, 6, 25, true, true);
  ivf_case(DP_FP32, 2000, 16, 10, 2, 10, 2048, false, true);
}

inline void pq_case(int64_t n, int dim, int m, int nlist, int nq, int nprobe, int k) {
  char what[200];
  std::snprintf(what, sizeof what, "ivf-pq n=%lld dim=%d m=%d nlist=%d nq=%d nprobe=%d k=%d%s", (long long)n, dim,
                m, nlist, nq, nprobe, k, target().knobs(true));
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
  OK(target().ivf_pq(dcodes.p, m, dcb.p, n, dim, doff.p, nlist, dids.p, dq.p, nq, dprobes.p, nprobe, dbias.p, k,
                     out_s.p, out_i.p, nullptr));
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

}  // namespace dpt
