// Helpers of the native tests: device buffers, seeded random data, fp16 on the host, checks that count failures,
// and the no-device skip (exit code 77, ctest SKIP_RETURN_CODE).
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "densephrases.h"

namespace dpt {

constexpr int kSkip = 77;

inline int& failures() {
  static int f = 0;
  return f;
}

#define EXPECT(cond, ...)                                              \
  do {                                                                 \
    if (!(cond)) {                                                     \
      ++::dpt::failures();                                             \
      std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                               \
      std::fprintf(stderr, "\n");                                      \
    }                                                                  \
  } while (0)

// A call that must succeed; on failure prints dp_last_error and aborts the test program (exit 1).
#define OK(call)                                                                                    \
  do {                                                                                              \
    int st_ = (call);                                                                               \
    if (st_ != DP_OK) {                                                                             \
      std::fprintf(stderr, "FAIL %s:%d: %s -> status %d: %s\n", __FILE__, __LINE__, #call, st_,     \
                   dp_last_error());                                                                \
      std::exit(1);                                                                                 \
    }                                                                                               \
  } while (0)

// Returns true when a device answers; otherwise prints why (the caller exits with kSkip).
inline bool have_device() {
  int n = 0;
  int st = dp_device_count(&n);
  if (st != DP_OK) {
    std::printf("no device: %s (status %d); GPU tests skipped\n", dp_last_error(), st);
    return false;
  }
  char name[128];
  int major = 0, minor = 0, sms = 0;
  size_t mem = 0;
  OK(dp_device_info(0, name, sizeof name, &major, &minor, &mem, &sms));
  std::printf("device 0: %s, cc %d.%d, %d SMs, %.1f GiB\n", name, major, minor, sms, mem / 1073741824.0);
  return true;
}

inline uint64_t seed() {
  const char* s = std::getenv("DP_TEST_SEED");
  static uint64_t v = s ? std::strtoull(s, nullptr, 10) : std::random_device{}();
  return v;
}

inline std::mt19937_64& rng() {
  static std::mt19937_64 r(seed());
  return r;
}

inline const char* type_name(int t) { return t == DP_FP32 ? "fp32" : t == DP_FP16 ? "fp16" : "int8"; }

inline float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng()); }
inline int64_t randint(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng()); }
inline float normal() { return std::normal_distribution<float>(0.f, 1.f)(rng()); }

// IEEE binary16 <-> float, round to nearest even (host side, matching the device's conversions).
inline uint16_t f2h(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
  if (exp >= 31) return (uint16_t)(sign | 0x7c00u);
  if (exp <= 0) {
    if (exp < -10) return (uint16_t)sign;
    mant |= 0x800000u;
    const int shift = 14 - exp;
    uint32_t h = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return (uint16_t)(sign | h);
  }
  uint32_t h = ((uint32_t)exp << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
  return (uint16_t)(sign | h);
}

inline float h2f(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  int32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t x;
  if (exp == 0) {
    if (mant == 0) {
      x = sign;
    } else {
      exp = 1;
      while (!(mant & 0x400u)) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      x = sign | ((uint32_t)(exp - 15 + 127) << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    x = sign | 0x7f800000u | (mant << 13);
  } else {
    x = sign | ((uint32_t)(exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

// A device buffer of n elements of T (freed at scope end).
template <class T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t count) : n(count) { OK(dp_malloc(reinterpret_cast<void**>(&p), count * sizeof(T))); }
  Dev(const std::vector<T>& h) : Dev(h.size()) { put(h); }
  ~Dev() { dp_free(p); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  void put(const std::vector<T>& h) {
    OK(dp_memcpy_h2d(p, h.data(), h.size() * sizeof(T), nullptr));
  }
  std::vector<T> get() const {
    std::vector<T> h(n);
    OK(dp_stream_synchronize(nullptr));
    OK(dp_memcpy_d2h(h.data(), p, n * sizeof(T), nullptr));
    OK(dp_stream_synchronize(nullptr));
    return h;
  }
  // Fills with the byte 0x7f: floats read 3.39e38, int64 0x7f7f..., so unwritten slots are caught.
  void poison() { OK(dp_memset(p, 0x7f, n * sizeof(T), nullptr)); }
};

// Vectors of one type with their decoded values (the reference's view).
struct Vectors {
  int type = DP_FP32;
  int64_t n = 0;
  int dim = 0;
  std::vector<uint8_t> raw;  // bytes as stored on the device
  std::vector<float> offset, scale;  // INT8
  std::vector<double> decoded;       // (n)(dim)

  double at(int64_t row, int d) const { return decoded[(size_t)row * dim + d]; }
};

// Random vectors: FP32/FP16 normal values; INT8 uniform codes in [-128, 127] with per-dim offset/scale.
// `dup` > 1 repeats each row dup times (exact ties).
inline Vectors random_vectors(int type, int64_t n, int dim, int dup = 1) {
  Vectors v;
  v.type = type;
  v.n = n;
  v.dim = dim;
  const int es = type == DP_FP32 ? 4 : type == DP_FP16 ? 2 : 1;
  v.raw.resize((size_t)n * dim * es);
  v.decoded.resize((size_t)n * dim);
  if (type == DP_INT8) {
    v.offset.resize(dim);
    v.scale.resize(dim);
    for (int d = 0; d < dim; ++d) {
      v.offset[d] = uniform(-0.5f, 0.5f);
      v.scale[d] = uniform(0.002f, 0.02f);
    }
  }
  for (int64_t r = 0; r < n; ++r) {
    const int64_t src = (r / dup) * dup;
    for (int d = 0; d < dim; ++d) {
      const size_t i = (size_t)r * dim + d, s = (size_t)src * dim + d;
      if (src != r) {
        std::memcpy(&v.raw[i * es], &v.raw[s * es], es);
        v.decoded[i] = v.decoded[s];
        continue;
      }
      if (type == DP_FP32) {
        float f = normal();
        std::memcpy(&v.raw[i * 4], &f, 4);
        v.decoded[i] = f;
      } else if (type == DP_FP16) {
        uint16_t h = f2h(normal());
        std::memcpy(&v.raw[i * 2], &h, 2);
        v.decoded[i] = h2f(h);
      } else {
        int8_t c = (int8_t)randint(-128, 127);
        v.raw[i] = (uint8_t)c;
        v.decoded[i] = (double)v.offset[d] + (double)v.scale[d] * c;
      }
    }
  }
  return v;
}

inline std::vector<float> random_floats(size_t n, float sigma = 1.f) {
  std::vector<float> x(n);
  for (auto& v : x) v = sigma * normal();
  return x;
}

// Checks one query's top-k against reference scores of every candidate (ref_score[index], NaN = not a
// candidate; index_of maps a returned id to its index, -1 when it is no candidate's id). Scores descending; ids unique candidates whose GPU score matches their reference within tol;
// rank r's score matches the r-th best reference score within tol (ties may swap ids); missing slots (-inf, -1).
inline void check_topk(const char* what, int q, int k, const float* score, const int64_t* id,
                       const std::vector<double>& ref_score, double tol,
                       const std::function<int64_t(int64_t)>& index_of = [](int64_t i) { return i; }) {
  std::vector<double> best;
  for (double s : ref_score)
    if (!std::isnan(s)) best.push_back(s);
  std::sort(best.begin(), best.end(), std::greater<double>());
  const int expect = (int)std::min<size_t>(best.size(), (size_t)k);
  std::vector<int64_t> seen;
  int bad = 0;
  for (int r = 0; r < k && bad < 5; ++r) {
    if (r < expect) {
      const int64_t i = id[r] < 0 ? -1 : index_of(id[r]);
      if (i < 0 || i >= (int64_t)ref_score.size() || std::isnan(ref_score[i])) {
        EXPECT(false, "%s q=%d rank %d: id %lld is not a candidate (score %g)", what, q, r, (long long)i, score[r]);
        ++bad;
        continue;
      }
      if (std::find(seen.begin(), seen.end(), i) != seen.end()) {
        EXPECT(false, "%s q=%d rank %d: id %lld returned twice", what, q, r, (long long)i);
        ++bad;
      }
      seen.push_back(i);
      if (!(std::fabs(score[r] - ref_score[i]) <= tol)) {
        EXPECT(false, "%s q=%d rank %d id %lld: score %.7g, reference %.7g (tol %.3g)", what, q, r, (long long)i,
               score[r], ref_score[i], tol);
        ++bad;
      }
      if (!(std::fabs(score[r] - best[r]) <= tol)) {
        EXPECT(false, "%s q=%d rank %d: score %.7g, reference rank score %.7g (tol %.3g)", what, q, r, score[r],
               best[r], tol);
        ++bad;
      }
      if (r > 0 && !(score[r] <= score[r - 1])) {
        EXPECT(false, "%s q=%d rank %d: not descending (%.7g after %.7g)", what, q, r, score[r], score[r - 1]);
        ++bad;
      }
    } else if (!(id[r] == -1 && std::isinf(score[r]) && score[r] < 0)) {
      EXPECT(false, "%s q=%d rank %d: expected an empty slot (-inf, -1), got (%g, %lld)", what, q, r, score[r],
             (long long)id[r]);
      ++bad;
    }
  }
}

inline int finish(const char* name) {
  if (failures() == 0) {
    std::printf("%s: all checks passed (seed %llu)\n", name, (unsigned long long)seed());
    return 0;
  }
  std::printf("%s: %d check(s) FAILED (seed %llu; rerun with DP_TEST_SEED)\n", name, failures(),
              (unsigned long long)seed());
  return 1;
}

}  // namespace dpt
