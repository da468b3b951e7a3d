#!/usr/bin/env bash
# Builds libdensephrases.so (native/, CUDA) into native/build (incremental, ignored by git) and copies it into
# OUTDIR. The Maven build of java/kernels runs exactly `bash tools/build-native.sh <dir>` from the repo root.
# Without nvcc (PATH, then /usr/local/cuda/bin) it prints one line and exits 0: the Java build goes on and the
# CUDA backend reports itself unavailable at run time. With nvcc, a failing build fails.
set -euo pipefail
out=${1:?usage: tools/build-native.sh OUTDIR}
cd "$(dirname "$0")/.."

nvcc=$(command -v nvcc || true)
if [[ -z "$nvcc" && -x /usr/local/cuda/bin/nvcc ]]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [[ -z "$nvcc" ]]; then
  echo "build-native: nvcc not found (PATH, /usr/local/cuda/bin): the CUDA backend will be unavailable"
  exit 0
fi
if ! command -v cmake >/dev/null; then
  echo "build-native: cmake not found: the CUDA backend will be unavailable"
  exit 0
fi

gen=()
if [[ ! -f native/build/CMakeCache.txt ]] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S native -B native/build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$nvcc" >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build native/build --target densephrases -j "$jobs"
mkdir -p "$out"
cp native/build/libdensephrases.so "$out/"
echo "build-native: $(cd "$out" && pwd)/libdensephrases.so"
