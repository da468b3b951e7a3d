// Internal error plumbing of libdensephrases: the thread-local last error, CUDA status translation, and the
// boundary wrapper that keeps every C++ exception inside the library.
#pragma once

#include <cuda_runtime.h>

#include <exception>
#include <new>
#include <string>

#include "densephrases.h"

namespace dp {

// Records `message` as this thread's dp_last_error() and returns `status` (so callers can `return fail(...)`).
int fail(int status, const std::string& message);

// The dp_status of a CUDA error: cudaSuccess -> DP_OK, cudaErrorNoDevice / cudaErrorInsufficientDriver ->
// DP_ERR_NO_DEVICE, cudaErrorMemoryAllocation -> DP_ERR_OUT_OF_MEMORY, anything else -> DP_ERR_CUDA.
int status_of(cudaError_t err);

// Thrown inside the library to unwind to the boundary with a status; never crosses it.
struct Error {
  int status;
  std::string message;
};

[[noreturn]] inline void throw_error(int status, const std::string& message) { throw Error{status, message}; }

// Throws Error for a failed CUDA call (the boundary turns it back into a status and a message).
inline void check_cuda(cudaError_t err, const char* where) {
  if (err != cudaSuccess) {
    throw Error{status_of(err), std::string(where) + ": " + cudaGetErrorString(err)};
  }
}

// Checks the launch just made (configuration errors, and sticky errors of earlier work).
inline void check_launch(const char* kernel) { check_cuda(cudaGetLastError(), kernel); }

// Runs `body` (returning an int status) so that nothing escapes: dp::Error keeps its status, std::bad_alloc
// is DP_ERR_OUT_OF_MEMORY, any other exception DP_ERR_INTERNAL.
template <class F>
int guarded(const char* function, F&& body) noexcept {
  try {
    return body();
  } catch (const Error& e) {
    return fail(e.status, std::string(function) + ": " + e.message);
  } catch (const std::bad_alloc&) {
    return fail(DP_ERR_OUT_OF_MEMORY, std::string(function) + ": host allocation failed");
  } catch (const std::exception& e) {
    return fail(DP_ERR_INTERNAL, std::string(function) + ": internal error: " + e.what());
  } catch (...) {
    return fail(DP_ERR_INTERNAL, std::string(function) + ": internal error (unknown exception)");
  }
}

// Argument validation: throws DP_ERR_INVALID_ARGUMENT with the message when `cond` is false.
#define DP_REQUIRE(cond, msg)                                          \
  do {                                                                 \
    if (!(cond)) ::dp::throw_error(DP_ERR_INVALID_ARGUMENT, (msg));    \
  } while (0)

#define DP_CUDA(call) ::dp::check_cuda((call), #call)

}  // namespace dp
