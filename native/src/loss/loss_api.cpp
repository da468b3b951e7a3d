// Exported in-batch + pre-batch negative loss of densephrases.h: forward and backward in at most five launches
// (logits GEMM for both sides, row softmax, loss total, gradient GEMMs, sum of their K slices), fp32-accurate.
#include <string>

#include "../common/device.h"
#include "../common/status.h"
#include "loss_kernels.h"

using namespace dp;

namespace {
std::string str(int64_t v) { return std::to_string(v); }

GemmOperand plain(const float* x, int ld) { return GemmOperand{x, x, 1 << 30, ld, 0}; }
}  // namespace

extern "C" DP_API int dp_inbatch_loss(const float* d_q_start, const float* d_q_end, const float* d_p_start,
                                      const float* d_p_end, const float* d_c_start, const float* d_c_end,
                                      int batch, int cache, int dim, float* d_loss, float* d_gq_start,
                                      float* d_gq_end, float* d_gp_start, float* d_gp_end, void* stream) {
  return guarded("dp_inbatch_loss", [&] {
    DP_REQUIRE(batch >= 1, "batch must be >= 1, got " + str(batch));
    DP_REQUIRE(cache >= 0, "cache must be >= 0, got " + str(cache));
    DP_REQUIRE(dim >= 1 && dim <= DP_MAX_DIM, "dim must be in [1, " + str(DP_MAX_DIM) + "], got " + str(dim));
    DP_REQUIRE((int64_t)batch + cache <= DP_MAX_LOSS_COLUMNS, "batch + cache must be <= 2^24");
    DP_REQUIRE(d_q_start && d_q_end && d_p_start && d_p_end, "a question or gold phrase pointer is NULL");
    DP_REQUIRE(cache == 0 || (d_c_start && d_c_end), "cache > 0 needs d_c_start and d_c_end");
    DP_REQUIRE(d_loss != nullptr, "d_loss is NULL");
    cudaStream_t s = to_stream(stream);
    const int n = batch + cache;
    const int sms = device_props().sm_count;
    auto tiles = [](int m, int nn) { return ((m + 63) / 64) * ((nn + 63) / 64); };
    const float* q[2] = {d_q_start, d_q_end};
    const float* p[2] = {d_p_start, d_p_end};
    const float* c[2] = {d_c_start, d_c_end};
    float* gq[2] = {d_gq_start, d_gq_end};
    float* gp[2] = {d_gp_start, d_gp_end};

    // logits_s = q_s (batch)(dim) x [p_s ; c_s]^T, in s1 K slices: (slice)(side)(batch)(n); the softmax adds the
    // slices and leaves dlogits in slice 0.
    const int s1 = gemm_splits(dim, 2 * tiles(batch, n), sms);
    const size_t side_elems = (size_t)batch * n;
    TempBuffer logits((size_t)s1 * 2 * side_elems * sizeof(float), s);
    TempBuffer row_loss((size_t)2 * batch * sizeof(float), s);
    float* L = logits.as<float>();
    GemmProblem fwd[2];
    for (int side = 0; side < 2; ++side) {
      GemmOperand cand{p[side], cache > 0 ? c[side] : p[side], batch, dim, 0};
      float* out = L + side * side_elems;
      fwd[side] = GemmProblem{batch, n, dim, plain(q[side], dim), cand, out, n, s1, out, 2 * side_elems};
    }
    dp_run_gemm_3xtf32(fwd, 2, s);
    dp_run_softmax_rows(L, s1, 2 * side_elems, batch, n, row_loss.as<float>(), s);
    dp_run_loss_total(row_loss.as<float>(), batch, d_loss, s);

    // gradQ_s = dlogits_s (batch)(n) x [p_s ; c_s] (n)(dim); gradP_s = dlogits_s[:, :batch]^T x q_s
    GemmProblem bwd[4];
    int count = 0, total_tiles = 0;
    for (int side = 0; side < 2; ++side) {
      const float* dl = L + side * side_elems;
      if (gq[side] != nullptr) {
        GemmOperand cand_t{p[side], cache > 0 ? c[side] : p[side], batch, dim, 1};
        bwd[count++] = GemmProblem{batch, dim, n, plain(dl, n), cand_t, gq[side], dim, 1, nullptr, 0};
      }
      if (gp[side] != nullptr) {
        GemmOperand dl_t{dl, dl, 1 << 30, n, 1};
        GemmOperand q_t{q[side], q[side], 1 << 30, dim, 1};
        bwd[count++] = GemmProblem{batch, dim, batch, dl_t, q_t, gp[side], dim, 1, nullptr, 0};
      }
    }
    if (count == 0) return DP_OK;
    total_tiles = count * tiles(batch, dim);
    size_t part_elems = 0;
    for (int i = 0; i < count; ++i) {
      bwd[i].splits = gemm_splits(bwd[i].K, total_tiles, sms);
      if (bwd[i].splits > 1) part_elems += (size_t)bwd[i].splits * batch * dim;
    }
    TempBuffer parts(part_elems * sizeof(float), s);
    size_t off = 0;
    for (int i = 0; i < count; ++i) {
      if (bwd[i].splits > 1) {
        bwd[i].part = parts.as<float>() + off;
        bwd[i].part_stride = (size_t)batch * dim;
        off += (size_t)bwd[i].splits * batch * dim;
      }
    }
    dp_run_gemm_3xtf32(bwd, count, s);
    dp_run_sum_partials(bwd, count, s);
    return DP_OK;
  });
}
