# CUDA settings of libdensephrases (included by native/CMakeLists.txt).
#
# Target: Hopper (sm_90 SASS plus compute_90 PTX, so a newer GPU can JIT the PTX), static CUDA runtime (the .so
# depends on the driver's libcuda only), C++17, -O3, hidden visibility (only DP_API symbols leave the .so; a
# linker version script enforces it for the static runtime's symbols too).

# project() has already set CMAKE_CUDA_ARCHITECTURES to the compiler's default, so the targets get theirs
# explicitly: "90" makes CMake pass --generate-code=arch=compute_90,code=[compute_90,sm_90].
set(DP_CUDA_ARCHITECTURES 90 CACHE STRING "CUDA architectures of libdensephrases (CMake CUDA_ARCHITECTURES syntax)")

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CUDA_STANDARD 17)
set(CMAKE_CUDA_STANDARD_REQUIRED ON)
set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_CUDA_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)

set(CMAKE_CXX_FLAGS_RELEASE "-O3")
# -lineinfo only maps SASS to source lines for the profilers; it does not change the code.
set(CMAKE_CUDA_FLAGS_RELEASE "-O3 -lineinfo")

option(DP_PTXAS_VERBOSE "Print registers / shared memory / spills of every kernel" OFF)

# Applies the common compile options to a target with CUDA sources.
function(dp_cuda_options target)
  set_target_properties(${target} PROPERTIES CUDA_ARCHITECTURES "${DP_CUDA_ARCHITECTURES}")
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall>
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra>)
  if(DP_PTXAS_VERBOSE)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Xptxas=-v>)
  endif()
endfunction()
