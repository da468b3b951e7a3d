#!/usr/bin/env bash
# Open-domain evaluation on the GPU machine (no Java, no DJL there): run HERE first
#   tools/gpu-prepare.sh --data        (runtime, DJL-free jars, corpus + SQuAD dev into .gpu/)
# then THERE, from the repo root, with the device tool and carry [".gpu"]:
#   bash tools/gpu-eval-open.sh [--model DIR] [--filter-threshold T] [--limit PARAGRAPHS] [--questions N]
#                               [--codec sq8,pq] [--index exact,sq8,pq] [--backend cuda,simd]
#                               [--question-encoder cuda|java|auto] [--work DIR] [--reuse]
# (--reuse: keep the dump and index files an earlier run left in --work, for a second eval-open over them)
# It dumps the corpus with the committed model on the host's CPU cores (pure-Java encoder, SearchSideMain), builds the
# IVF indexes, and runs eval-open for every index x backend, the questions encoded on the GPU (--question-encoder cuda,
# the default here: latency end to end on the GPU); tables and logs go to $OUT (or benchmarks/results, logs to its logs/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-benchmarks/results}
logs=${OUT:-benchmarks/results/logs}
model=models/e5-small-tied; threshold=-Infinity; limit=0; questions=0; codec=sq8,pq; index=exact,sq8,pq
backend=cuda,simd; work=/tmp/dp-open; qenc=cuda; reuse=0
while (( $# )); do
  case $1 in
    --model) model=$2; shift 2 ;;
    --filter-threshold) threshold=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --questions) questions=$2; shift 2 ;;
    --codec) codec=$2; shift 2 ;;
    --index) index=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --question-encoder) qenc=$2; shift 2 ;;
    --reuse) reuse=1; shift ;;
    *) echo "gpu-eval-open: unknown option $1" >&2; exit 2 ;;
  esac
done
corpus=.gpu/data/squad-paragraphs.jsonl.gz
dev=.gpu/data/dev-v1.1-even.json
[[ -f $dev ]] || dev=$dev.gz  # gzipped to fit a call beside the runtime (tools/gpu-session.sh)
for f in $corpus $dev $model/phrase-model.dpm; do
  [[ -f $f ]] || { echo "gpu-eval-open: $f is missing (run tools/gpu-prepare.sh --data here, carry .gpu)" >&2; exit 1; }
done
source tools/gpu-jre.sh
mkdir -p "$out" "$logs" "$work"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$logs/open-domain-gpu-device.txt" || true
echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" | tee -a "$logs/open-domain-gpu-device.txt"
cp=.gpu/kernels.jar:.gpu/index.jar:.gpu/encoder.jar:.gpu/search.jar:.gpu/app.jar:.gpu/picocli.jar:.gpu/gson.jar
dp() {
  "$DP_JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx48g \
    -cp "$cp" org.densephrases.app.SearchSideMain "$@"
}
dump=$work/dump
t0=$(date +%s)
if (( reuse )) && [[ -d $dump ]]; then
  echo "gpu-eval-open: reusing the dump and index files in $dump"
  t1=$(date +%s)
else
  dp dump --corpus "$corpus" --model "$model" --out "$dump" --limit "$limit" --filter-threshold "$threshold" \
    2>&1 | tee "$logs/open-domain-gpu-dump.log"
  t1=$(date +%s)
  dp index --dump "$dump" --codec "$codec" --backend "${backend%%,*}" 2>&1 | tee "$logs/open-domain-gpu-index.log"
fi
t2=$(date +%s)
dp eval-open --dump "$dump" --model "$model" --dev "$dev" --corpus "$corpus" --index "$index" --backend "$backend" \
  --question-encoder "$qenc" --limit "$questions" --out "$out/open-domain-gpu.md" 2>&1 | tee "$logs/open-domain-gpu-eval.log"
t3=$(date +%s)
echo "gpu-eval-open: dump $((t1 - t0)) s, index $((t2 - t1)) s, eval-open $((t3 - t2)) s" | tee -a "$logs/open-domain-gpu-eval.log"
