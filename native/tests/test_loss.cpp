// dp_inbatch_loss against a float64 CPU reference: loss values and the four gradients, with and without a
// cache, odd sizes, NULL gradients skipped.
#include "test_util.h"

using namespace dpt;

namespace {

struct Ref {
  double loss[3];
  std::vector<double> gq[2], gp[2];
};

Ref reference(const std::vector<float>* q, const std::vector<float>* p, const std::vector<float>* c, int b, int cache,
              int dim) {
  Ref r;
  const int n = b + cache;
  double side_loss[2];
  for (int s = 0; s < 2; ++s) {
    auto cand = [&](int j, int d) -> double {
      return j < b ? p[s][(size_t)j * dim + d] : c[s][(size_t)(j - b) * dim + d];
    };
    std::vector<double> dl((size_t)b * n);
    double total = 0;
    for (int i = 0; i < b; ++i) {
      std::vector<double> l(n);
      double mx = -INFINITY;
      for (int j = 0; j < n; ++j) {
        double a = 0;
        for (int d = 0; d < dim; ++d) a += (double)q[s][(size_t)i * dim + d] * cand(j, d);
        l[j] = a;
        mx = std::max(mx, a);
      }
      double sum = 0;
      for (int j = 0; j < n; ++j) sum += std::exp(l[j] - mx);
      const double lse = mx + std::log(sum);
      total += lse - l[i];
      for (int j = 0; j < n; ++j) dl[(size_t)i * n + j] = (std::exp(l[j] - lse) - (i == j)) / (2.0 * b);
    }
    side_loss[s] = total / b;
    r.gq[s].assign((size_t)b * dim, 0);
    r.gp[s].assign((size_t)b * dim, 0);
    for (int i = 0; i < b; ++i)
      for (int j = 0; j < n; ++j) {
        const double g = dl[(size_t)i * n + j];
        for (int d = 0; d < dim; ++d) {
          r.gq[s][(size_t)i * dim + d] += g * cand(j, d);
          if (j < b) r.gp[s][(size_t)j * dim + d] += g * q[s][(size_t)i * dim + d];
        }
      }
  }
  r.loss[0] = 0.5 * (side_loss[0] + side_loss[1]);
  r.loss[1] = side_loss[0];
  r.loss[2] = side_loss[1];
  return r;
}

double rel_err(const std::vector<float>& x, const std::vector<double>& ref) {
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    num += (x[i] - ref[i]) * (x[i] - ref[i]);
    den += ref[i] * ref[i];
  }
  return std::sqrt(num / std::max(den, 1e-300));
}

void loss_case(int b, int cache, int dim, float sigma, bool some_null) {
  char what[160];
  std::snprintf(what, sizeof what, "loss batch=%d cache=%d dim=%d sigma=%g%s", b, cache, dim, sigma,
                some_null ? " (gq_end, gp_start NULL)" : "");
  std::printf("  %s\n", what);
  std::vector<float> q[2], p[2], c[2];
  for (int s = 0; s < 2; ++s) {
    q[s] = random_floats((size_t)b * dim, sigma);
    p[s] = random_floats((size_t)b * dim, sigma);
    c[s] = random_floats((size_t)cache * dim, sigma);
  }
  Ref ref = reference(q, p, c, b, cache, dim);
  Dev<float> dq0(q[0]), dq1(q[1]), dp0(p[0]), dp1(p[1]);
  Dev<float> dc0(std::max<size_t>(1, c[0].size())), dc1(std::max<size_t>(1, c[1].size()));
  if (cache) {
    dc0.put(c[0]);
    dc1.put(c[1]);
  }
  Dev<float> loss(3), gq0((size_t)b * dim), gq1((size_t)b * dim), gp0((size_t)b * dim), gp1((size_t)b * dim);
  for (Dev<float>* d : {&loss, &gq0, &gq1, &gp0, &gp1}) d->poison();
  OK(dp_inbatch_loss(dq0.p, dq1.p, dp0.p, dp1.p, cache ? dc0.p : nullptr, cache ? dc1.p : nullptr, b, cache, dim,
                     loss.p, gq0.p, some_null ? nullptr : gq1.p, some_null ? nullptr : gp0.p, gp1.p, nullptr));
  auto l = loss.get();
  for (int i = 0; i < 3; ++i)
    EXPECT(std::fabs(l[i] - ref.loss[i]) <= 1e-5 * std::fabs(ref.loss[i]) + 1e-6, "%s: loss[%d] %.8g, reference %.8g",
           what, i, l[i], ref.loss[i]);
  struct G {
    const char* name;
    Dev<float>* d;
    const std::vector<double>* r;
    bool skipped;
  } gs[] = {{"gq_start", &gq0, &ref.gq[0], false},
            {"gq_end", &gq1, &ref.gq[1], some_null},
            {"gp_start", &gp0, &ref.gp[0], some_null},
            {"gp_end", &gp1, &ref.gp[1], false}};
  for (auto& g : gs) {
    auto h = g.d->get();
    if (g.skipped) {
      bool untouched = true;
      for (float x : h) untouched &= x > 3e38f;  // still the poison
      EXPECT(untouched, "%s: %s was written although its pointer was NULL", what, g.name);
      continue;
    }
    const double e = rel_err(h, *g.r);
    EXPECT(e <= 2e-5, "%s: %s relative error %.3g", what, g.name, e);
  }
}

}  // namespace

int main() {
  std::printf("test_loss (seed %llu)\n", (unsigned long long)seed());
  if (!have_device()) return kSkip;
  loss_case(1, 0, 8, 1.f, false);
  loss_case(7, 0, 33, 1.f, false);
  loss_case(37, 100, 129, 0.3f, false);
  loss_case(64, 512, 768, 0.05f, true);
  loss_case(130, 3, 65, 0.5f, false);  // M beyond one 64-row tile, tiny cache
  loss_case(16, 40, 17, 3.f, false);   // large logits: the max-subtracted softmax matters
  return finish("test_loss");
}
