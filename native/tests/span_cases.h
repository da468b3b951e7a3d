// The span cases of test_span (the library's kernels) and test_lab (native/bench: the lab's variants):
// dp_span_score against a float64 CPU reference, through the entry point in span_target() (the exported one by
// default, the lab's under its knobs in test_lab).
#pragma once

#include <algorithm>
#include <numeric>

#include "test_util.h"

namespace dpt {

struct SpanTarget {
  decltype(&dp_span_score) span = &dp_span_score;
  const char* (*knobs)() = [] { return ""; };  // the knobs a case runs under, appended to its name
};

inline SpanTarget& span_target() {
  static SpanTarget t;
  return t;
}


inline void span_case(int type, int64_t ntok, int dim, int nq, int kc, int max_len, int direction, int k, int dup) {
  char what[200];
  std::snprintf(what, sizeof what, "span %s tokens=%lld dim=%d nq=%d cand=%d L=%d dir=%d k=%d dup=%d%s",
                type_name(type), (long long)ntok, dim, nq, kc, max_len, direction, k, dup, span_target().knobs());
  std::printf("  %s\n", what);
  Vectors v = random_vectors(type, ntok, dim, dup);
  // Documents of 1..60 tokens, with some empty ones in between.
  std::vector<int64_t> starts = {0};
  while (starts.back() < ntok) {
    if (uniform(0, 1) < 0.1f) starts.push_back(starts.back());
    starts.push_back(std::min<int64_t>(ntok, starts.back() + randint(1, 60)));
  }
  const int64_t ndocs = (int64_t)starts.size() - 1;
  std::vector<float> qs = random_floats((size_t)nq * dim), qe = random_floats((size_t)nq * dim);
  std::vector<int64_t> cand((size_t)nq * kc);
  std::vector<int64_t> perm(ntok);
  for (int q = 0; q < nq; ++q) {
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng());
    for (int c = 0; c < kc; ++c)
      cand[(size_t)q * kc + c] = (c < ntok && uniform(0, 1) > 0.1f) ? perm[c] : -1;
  }
  Dev<uint8_t> dtok(v.raw);
  Dev<float> doff(std::max<size_t>(1, v.offset.size())), dsc(std::max<size_t>(1, v.scale.size()));
  if (type == DP_INT8) {
    doff.put(v.offset);
    dsc.put(v.scale);
  }
  Dev<int64_t> dstarts(starts);
  Dev<float> dqs(qs), dqe(qe);
  Dev<int64_t> dcand(cand);
  Dev<int64_t> other((size_t)nq * kc), ts((size_t)nq * k), te((size_t)nq * k);
  Dev<float> cs((size_t)nq * kc), tsc((size_t)nq * k);
  other.poison();
  cs.poison();
  ts.poison();
  te.poison();
  tsc.poison();
  OK(span_target().span(type, dtok.p, type == DP_INT8 ? doff.p : nullptr, type == DP_INT8 ? dsc.p : nullptr, ntok,
                        dim, dstarts.p, ndocs, dqs.p, dqe.p, nq, dcand.p, kc, max_len, direction, k, other.p, cs.p,
                        ts.p, te.p, tsc.p, nullptr));
  auto h_other = other.get();
  auto h_cs = cs.get();
  auto h_ts = ts.get();
  auto h_te = te.get();
  auto h_tsc = tsc.get();

  int bad = 0;
  for (int q = 0; q < nq; ++q) {
    const float* s = qs.data() + (size_t)q * dim;
    const float* e = qe.data() + (size_t)q * dim;
    auto dotq = [&](const float* w, int64_t row) {
      double a = 0;
      for (int d = 0; d < dim; ++d) a += (double)w[d] * v.at(row, d);
      return a;
    };
    double mag = 0;
    for (int d = 0; d < dim; ++d) mag += (std::fabs(s[d]) + std::fabs(e[d])) * 3.0;
    const double tol = 2e-6 * mag + 1e-5;
    std::vector<double> ref_score(kc, NAN);
    std::vector<int64_t> ref_other(kc, -1);
    for (int c = 0; c < kc; ++c) {
      const int64_t id = cand[(size_t)q * kc + c];
      const size_t o = (size_t)q * kc + c;
      if (id < 0) {
        if (!(h_other[o] == -1 && std::isinf(h_cs[o]) && h_cs[o] < 0) && bad++ < 5)
          EXPECT(false, "%s q=%d cand %d: padding got (%lld, %g)", what, q, c, (long long)h_other[o], h_cs[o]);
        continue;
      }
      const int64_t doc = std::upper_bound(starts.begin(), starts.end(), id) - starts.begin() - 1;
      const int64_t ds = starts[doc], de = starts[doc + 1];
      double best = -INFINITY;
      int64_t best_row = -1;
      if (direction == 0) {
        for (int64_t j = id; j < std::min<int64_t>(id + max_len, de); ++j) {
          const double x = dotq(e, j);
          if (x > best) best = x, best_row = j;
        }
        ref_score[c] = dotq(s, id) + best;
      } else {
        for (int64_t i = id; i > std::max<int64_t>(id - max_len, ds - 1); --i) {
          const double x = dotq(s, i);
          if (x > best) best = x, best_row = i;
        }
        ref_score[c] = dotq(e, id) + best;
      }
      ref_other[c] = best_row;
      if (!(std::fabs(h_cs[o] - ref_score[c]) <= tol) && bad++ < 5)
        EXPECT(false, "%s q=%d cand %d (token %lld): score %.7g, reference %.7g", what, q, c, (long long)id,
               h_cs[o], ref_score[c]);
      if (h_other[o] != best_row) {
        // Accept only a partner inside the window whose reference score is within rounding of the best but not
        // exactly equal to it (an exact tie, from repeated vectors, must go to the nearest partner).
        const int64_t g = h_other[o];
        const bool inside = direction == 0 ? (g >= id && g < std::min<int64_t>(id + max_len, de))
                                           : (g <= id && g > std::max<int64_t>(id - max_len, ds - 1));
        const double gs = inside ? (direction == 0 ? dotq(e, g) : dotq(s, g)) : -INFINITY;
        if (!(inside && std::fabs(gs - best) <= tol && gs != best) && bad++ < 5)
          EXPECT(false, "%s q=%d cand %d (token %lld): partner %lld, reference %lld", what, q, c, (long long)id,
                 (long long)g, (long long)best_row);
      }
    }
    // top-k: identify a span by its candidate; the returned pair must be that candidate's (token, partner).
    std::vector<int64_t> tid(k);
    for (int r = 0; r < k; ++r) {
      const size_t o = (size_t)q * k + r;
      const int64_t tok = direction == 0 ? h_ts[o] : h_te[o];
      const int64_t part = direction == 0 ? h_te[o] : h_ts[o];
      int64_t c = -1;
      if (tok >= 0)
        for (int j = 0; j < kc; ++j)
          if (cand[(size_t)q * kc + j] == tok) c = j;
      if (c >= 0 && part != h_other[(size_t)q * kc + c] && bad++ < 5)
        EXPECT(false, "%s q=%d rank %d: partner %lld differs from cand_other %lld", what, q, r, (long long)part,
               (long long)h_other[(size_t)q * kc + c]);
      if (tok < 0 && !(part == -1) && bad++ < 5)
        EXPECT(false, "%s q=%d rank %d: empty slot with partner %lld", what, q, r, (long long)part);
      tid[r] = tok < 0 ? -1 : c;
    }
    check_topk(what, q, k, h_tsc.data() + (size_t)q * k, tid.data(), ref_score, tol);
  }
}

}  // namespace dpt
