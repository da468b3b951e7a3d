// Cached properties of the current device, read once per device (kernels size grids and shared memory from them).
#pragma once

#include <cuda_runtime.h>

namespace dp {

struct DeviceProps {
  int device;
  int sm_count;
  int max_smem_optin;     // bytes of dynamic shared memory a block may opt into (227 KB on Hopper)
  int smem_per_sm;        // bytes of shared memory per multiprocessor
  int max_threads_per_sm;
  int cc_major, cc_minor;
};

// Properties of the current device (cudaGetDevice); throws dp::Error when CUDA fails.
const DeviceProps& device_props();

// Stream-ordered temporary device memory, freed on the same stream when the scope ends (also on unwinding).
class TempBuffer {
 public:
  TempBuffer(size_t bytes, cudaStream_t stream);
  ~TempBuffer();
  TempBuffer(const TempBuffer&) = delete;
  TempBuffer& operator=(const TempBuffer&) = delete;
  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }

 private:
  void* ptr_ = nullptr;
  cudaStream_t stream_;
};

inline cudaStream_t to_stream(void* s) { return static_cast<cudaStream_t>(s); }

}  // namespace dp
