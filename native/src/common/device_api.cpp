// Exported library, device, memory and stream functions of densephrases.h.
#include <cstring>
#include <string>

#include "device.h"
#include "status.h"

using dp::guarded;
using dp::to_stream;

extern "C" {

DP_API int dp_abi_version(void) { return DP_ABI_VERSION; }

DP_API int dp_device_count(int* count) {
  return guarded("dp_device_count", [&] {
    DP_REQUIRE(count != nullptr, "count is NULL");
    *count = 0;
    int n = 0;
    DP_CUDA(cudaGetDeviceCount(&n));
    if (n <= 0) dp::throw_error(DP_ERR_NO_DEVICE, "the CUDA driver reports no device");
    *count = n;
    return DP_OK;
  });
}

DP_API int dp_device_info(int device, char* h_name, size_t name_len, int* cc_major, int* cc_minor,
                          size_t* total_mem, int* sm_count) {
  return guarded("dp_device_info", [&] {
    int n = 0;
    DP_CUDA(cudaGetDeviceCount(&n));
    DP_REQUIRE(device >= 0 && device < n,
               "device " + std::to_string(device) + " is out of range [0, " + std::to_string(n) + ")");
    cudaDeviceProp p;
    DP_CUDA(cudaGetDeviceProperties(&p, device));
    if (h_name != nullptr && name_len > 0) {
      size_t len = std::strlen(p.name);
      if (len >= name_len) len = name_len - 1;
      std::memcpy(h_name, p.name, len);
      h_name[len] = '\0';
    }
    if (cc_major) *cc_major = p.major;
    if (cc_minor) *cc_minor = p.minor;
    if (total_mem) *total_mem = p.totalGlobalMem;
    if (sm_count) *sm_count = p.multiProcessorCount;
    return DP_OK;
  });
}

DP_API int dp_set_device(int device) {
  return guarded("dp_set_device", [&] {
    int n = 0;
    DP_CUDA(cudaGetDeviceCount(&n));
    DP_REQUIRE(device >= 0 && device < n,
               "device " + std::to_string(device) + " is out of range [0, " + std::to_string(n) + ")");
    DP_CUDA(cudaSetDevice(device));
    return DP_OK;
  });
}

DP_API int dp_malloc(void** d_ptr, size_t bytes) {
  return guarded("dp_malloc", [&] {
    DP_REQUIRE(d_ptr != nullptr, "d_ptr is NULL");
    *d_ptr = nullptr;
    if (bytes == 0) return DP_OK;  // a zero-byte buffer is NULL; dp_free(NULL) is a no-op
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, bytes);
    if (err != cudaSuccess) {
      (void)cudaGetLastError();  // an allocation failure is not sticky; clear it so later calls do not see it
      dp::throw_error(dp::status_of(err), "cudaMalloc(" + std::to_string(bytes) + " bytes): " +
                                              cudaGetErrorString(err));
    }
    *d_ptr = p;
    return DP_OK;
  });
}

DP_API int dp_free(void* d_ptr) {
  return guarded("dp_free", [&] {
    if (d_ptr != nullptr) DP_CUDA(cudaFree(d_ptr));
    return DP_OK;
  });
}

DP_API int dp_mem_info(size_t* free_bytes, size_t* total_bytes) {
  return guarded("dp_mem_info", [&] {
    DP_REQUIRE(free_bytes != nullptr && total_bytes != nullptr, "free_bytes or total_bytes is NULL");
    DP_CUDA(cudaMemGetInfo(free_bytes, total_bytes));
    return DP_OK;
  });
}

namespace {
int copy(const char* fn, void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, void* stream) {
  return guarded(fn, [&] {
    if (bytes == 0) return DP_OK;
    DP_REQUIRE(dst != nullptr && src != nullptr, "a pointer is NULL");
    DP_CUDA(cudaMemcpyAsync(dst, src, bytes, kind, to_stream(stream)));
    return DP_OK;
  });
}
}  // namespace

DP_API int dp_memcpy_h2d(void* d_dst, const void* h_src, size_t bytes, void* stream) {
  return copy("dp_memcpy_h2d", d_dst, h_src, bytes, cudaMemcpyHostToDevice, stream);
}

DP_API int dp_memcpy_d2h(void* h_dst, const void* d_src, size_t bytes, void* stream) {
  return copy("dp_memcpy_d2h", h_dst, d_src, bytes, cudaMemcpyDeviceToHost, stream);
}

DP_API int dp_memcpy_d2d(void* d_dst, const void* d_src, size_t bytes, void* stream) {
  return copy("dp_memcpy_d2d", d_dst, d_src, bytes, cudaMemcpyDeviceToDevice, stream);
}

DP_API int dp_memset(void* d_dst, int value, size_t bytes, void* stream) {
  return guarded("dp_memset", [&] {
    if (bytes == 0) return DP_OK;
    DP_REQUIRE(d_dst != nullptr, "d_dst is NULL");
    DP_CUDA(cudaMemsetAsync(d_dst, value, bytes, to_stream(stream)));
    return DP_OK;
  });
}

DP_API int dp_stream_create(void** stream) {
  return guarded("dp_stream_create", [&] {
    DP_REQUIRE(stream != nullptr, "stream is NULL");
    *stream = nullptr;
    // A blocking stream (not cudaStreamNonBlocking): work on it stays ordered with the legacy default stream,
    // so a caller that copies on NULL and launches on this stream (or the reverse) still sees its data.
    cudaStream_t s = nullptr;
    DP_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamDefault));
    *stream = s;
    return DP_OK;
  });
}

DP_API int dp_stream_destroy(void* stream) {
  return guarded("dp_stream_destroy", [&] {
    if (stream != nullptr) DP_CUDA(cudaStreamDestroy(to_stream(stream)));
    return DP_OK;
  });
}

DP_API int dp_stream_synchronize(void* stream) {
  return guarded("dp_stream_synchronize", [&] {
    DP_CUDA(cudaStreamSynchronize(to_stream(stream)));
    return DP_OK;
  });
}

}  // extern "C"
