// Exported in-batch + pre-batch negative loss of densephrases.h: forward and backward in four launches
// (logits GEMM for both sides, row softmax, loss total, gradient GEMMs), all fp32-accurate.
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
    DP_REQUIRE((int64_t)batch + cache <= (1 << 24), "batch + cache must be <= 2^24");
    DP_REQUIRE(d_q_start && d_q_end && d_p_start && d_p_end, "a question or gold phrase pointer is NULL");
    DP_REQUIRE(cache == 0 || (d_c_start && d_c_end), "cache > 0 needs d_c_start and d_c_end");
    DP_REQUIRE(d_loss != nullptr, "d_loss is NULL");
    cudaStream_t s = to_stream(stream);
    const int n = batch + cache;
    TempBuffer logits((size_t)2 * batch * n * sizeof(float), s);  // (side)(batch)(n), then dlogits
    TempBuffer row_loss((size_t)2 * batch * sizeof(float), s);
    float* L = logits.as<float>();
    const float* q[2] = {d_q_start, d_q_end};
    const float* p[2] = {d_p_start, d_p_end};
    const float* c[2] = {d_c_start, d_c_end};
    float* gq[2] = {d_gq_start, d_gq_end};
    float* gp[2] = {d_gp_start, d_gp_end};

    // logits_s = q_s (batch)(dim) x [p_s ; c_s]^T
    GemmProblem fwd[2];
    for (int side = 0; side < 2; ++side) {
      GemmOperand cand{p[side], cache > 0 ? c[side] : p[side], batch, dim, 0};
      fwd[side] = GemmProblem{batch, n, dim, plain(q[side], dim), cand, L + (size_t)side * batch * n, n};
    }
    dp_run_gemm_3xtf32(fwd, 2, s);
    dp_run_softmax_rows(L, batch, n, row_loss.as<float>(), s);
    dp_run_loss_total(row_loss.as<float>(), batch, d_loss, s);

    // gradQ_s = dlogits_s (batch)(n) x [p_s ; c_s] (n)(dim); gradP_s = dlogits_s[:, :batch]^T x q_s
    GemmProblem bwd[4];
    int count = 0;
    for (int side = 0; side < 2; ++side) {
      const float* dl = L + (size_t)side * batch * n;
      if (gq[side] != nullptr) {
        GemmOperand cand_t{p[side], cache > 0 ? c[side] : p[side], batch, dim, 1};
        bwd[count++] = GemmProblem{batch, dim, n, plain(dl, n), cand_t, gq[side], dim};
      }
      if (gp[side] != nullptr) {
        GemmOperand dl_t{dl, dl, 1 << 30, n, 1};
        GemmOperand q_t{q[side], q[side], 1 << 30, dim, 1};
        bwd[count++] = GemmProblem{batch, dim, batch, dl_t, q_t, gp[side], dim};
      }
    }
    dp_run_gemm_3xtf32(bwd, count, s);
    return DP_OK;
  });
}
