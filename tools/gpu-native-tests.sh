#!/usr/bin/env bash
# On the GPU machine, from the repo root: builds native/ (library, tests, bench) and runs ctest. The log goes to
# benchmarks/results/logs/gpu-native-tests.log and, when OUT is set, into $OUT. Exit status: ctest's.
set -uo pipefail
cd "$(dirname "$0")/.."
log=benchmarks/results/logs/gpu-native-tests.log
mkdir -p benchmarks/results/logs
{
  echo "== $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
  gen=()
  if [[ ! -f native/build/CMakeCache.txt ]] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
  cmake -S native -B native/build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build native/build -j "$(nproc)" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
  (cd native/build && ctest --output-on-failure --timeout 600 2>&1)
} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [[ -n "${OUT:-}" ]]; then cp "$log" "$OUT/"; fi
exit "$rc"
