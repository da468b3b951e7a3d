// Device properties cache and stream-ordered temporaries (device.h).
#include "device.h"

#include <mutex>

#include "status.h"

namespace dp {
namespace {
constexpr int kMaxDevices = 64;
std::mutex props_mutex;
DeviceProps props_cache[kMaxDevices];
bool props_valid[kMaxDevices] = {};
}  // namespace

const DeviceProps& device_props() {
  int dev = 0;
  DP_CUDA(cudaGetDevice(&dev));
  if (dev < 0 || dev >= kMaxDevices) throw_error(DP_ERR_INTERNAL, "device ordinal beyond the library's table");
  std::lock_guard<std::mutex> lock(props_mutex);
  if (!props_valid[dev]) {
    DeviceProps p{};
    p.device = dev;
    DP_CUDA(cudaDeviceGetAttribute(&p.sm_count, cudaDevAttrMultiProcessorCount, dev));
    DP_CUDA(cudaDeviceGetAttribute(&p.max_smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    DP_CUDA(cudaDeviceGetAttribute(&p.smem_per_sm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev));
    DP_CUDA(cudaDeviceGetAttribute(&p.max_threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, dev));
    DP_CUDA(cudaDeviceGetAttribute(&p.cc_major, cudaDevAttrComputeCapabilityMajor, dev));
    DP_CUDA(cudaDeviceGetAttribute(&p.cc_minor, cudaDevAttrComputeCapabilityMinor, dev));
    props_cache[dev] = p;
    props_valid[dev] = true;
  }
  return props_cache[dev];
}

TempBuffer::TempBuffer(size_t bytes, cudaStream_t stream) : stream_(stream) {
  if (bytes > 0) DP_CUDA(cudaMallocAsync(&ptr_, bytes, stream));
}

TempBuffer::~TempBuffer() {
  if (ptr_ != nullptr) {
    // Stream-ordered: the kernels queued before this on stream_ still own the memory until they finish.
    // A failure here leaves the error sticky for the next call; a destructor cannot report it.
    (void)cudaFreeAsync(ptr_, stream_);
  }
}

}  // namespace dp
