// dp_last_error and the CUDA status translation (status.h).
#include <string>

#include "status.h"

namespace dp {
namespace {
thread_local std::string last_error = "no error";
}  // namespace

int fail(int status, const std::string& message) {
  try {
    last_error = message;
  } catch (...) {
    // Out of host memory while copying the message: keep the old text rather than throw across the boundary.
  }
  return status;
}

int status_of(cudaError_t err) {
  switch (err) {
    case cudaSuccess:
      return DP_OK;
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
      return DP_ERR_NO_DEVICE;
    case cudaErrorMemoryAllocation:
      return DP_ERR_OUT_OF_MEMORY;
    default:
      return DP_ERR_CUDA;
  }
}

}  // namespace dp

extern "C" DP_API const char* dp_last_error(void) { return dp::last_error.c_str(); }
