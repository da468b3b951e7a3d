// Device properties cache and stream-ordered temporaries (device.h).
#include "device.h"

#include <cstdint>
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
    // Temporaries come from the device's default stream-ordered pool (TempBuffer). By default the pool hands its
    // memory back to the driver at every synchronization, so each call paid a fresh cudaMallocAsync (measured
    // ~70-80 us per span-scoring call, native/NOTES.md). Keep freed blocks pooled instead: the pool then holds at
    // most the largest temporaries any call needed (per-block top-k lists, a few MB), never the resident data.
    cudaMemPool_t pool = nullptr;
    DP_CUDA(cudaDeviceGetDefaultMemPool(&pool, dev));
    uint64_t keep = UINT64_MAX;
    DP_CUDA(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
    props_cache[dev] = p;
    props_valid[dev] = true;
  }
  return props_cache[dev];
}

TempBuffer::TempBuffer(size_t bytes, cudaStream_t stream) : stream_(stream) {
  (void)device_props();  // first use on a device configures its memory pool (above)
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
