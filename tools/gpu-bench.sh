#!/usr/bin/env bash
# THE GPU benchmark: on the GPU machine, from the repo root. Builds native/, runs native/bench/dp_bench (one
# process per group, so one failure does not take the others down) and benchmarks/gpu/torch_baseline.py in the
# same run on the same card, then writes benchmarks/results/gpu-kernels.md and gpu-kernels.png (and the raw
# logs logs/gpu-kernels-ours.log, logs/gpu-kernels-torch.log), copied into $OUT when OUT is set.
#   tools/gpu-bench.sh [--quick] [groups...]      groups: flat ivf pq span loss (default: all)
set -uo pipefail
cd "$(dirname "$0")/.."
quick=()
if [[ "${1:-}" == "--quick" ]]; then quick=(--quick); shift; fi
groups=("$@")
if [[ ${#groups[@]} -eq 0 ]]; then groups=(flat ivf pq span loss); fi
res=benchmarks/results
mkdir -p "$res"

gen=()
if [[ ! -f native/build/CMakeCache.txt ]] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
cmake -S native -B native/build "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
cmake --build native/build -j "$(nproc)" --target dp_bench >/dev/null || exit 1

mkdir -p "$res/logs"
ours=$res/logs/gpu-kernels-ours.log
theirs=$res/logs/gpu-kernels-torch.log
# Logs also go straight into $OUT, so a run stopped at its time limit still brings back what it measured.
log() { if [[ -n "${OUT:-}" ]]; then tee -a "$1" "$OUT/$(basename "$1")"; else tee -a "$1"; fi; }
: >"$ours"
for g in "${groups[@]}"; do
  echo "== dp_bench --group $g" | log "$ours"
  native/build/bench/dp_bench --group "$g" "${quick[@]}" 2>&1 | log "$ours"
done
: >"$theirs"
tgroups=()
for g in "${groups[@]}"; do
  case $g in ivf) ;; *) tgroups+=("$g") ;; esac  # ivf rows compare with the flat int8 brute force
done
if [[ " ${groups[*]} " == *" ivf "* && " ${tgroups[*]} " != *" flat "* ]]; then tgroups+=(flat); fi
for g in "${tgroups[@]}"; do
  echo "== torch_baseline --group $g" | log "$theirs"
  PYTHONUNBUFFERED=1 python3 benchmarks/gpu/torch_baseline.py --group "$g" "${quick[@]}" 2>&1 | log "$theirs"
done
card=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)
python3 benchmarks/gpu/report.py "$ours" "$theirs" "$res" --card "${card:-unknown}" || exit 1
cat "$res/gpu-kernels.md"
if [[ -n "${OUT:-}" ]]; then cp "$res/gpu-kernels.md" "$res/gpu-kernels.png" "$OUT/" 2>/dev/null; fi
exit 0
