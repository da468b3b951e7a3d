#!/usr/bin/env bash
# Our SIMD backend vs faiss on the CPU, over the real dump: IVF-SQ8 and IVF-PQ with the same nlist, training sample,
# k-means iterations and nprobe, the same real questions, recall against exact search, q/s for single questions and
# batches, the first stage alone and the whole question. Writes benchmarks/results/cpu-vs-faiss.{md,tsv,png}.
#
#   benchmarks/faiss/run.sh [--dump DIR] [--questions 500] [--nprobe 8,16,32,64,128] [--slow-questions 50]
#                           [--slow-nprobe 16,64] [--nlist 256]
#
# Steps (each reused when its output exists): our indexes (densephrases index --nlist 256, PQ48),
# faiss (benchmarks/faiss/build-faiss.sh: AVX2 build from a release tag + Debian's libfaiss), the export of vectors,
# training sample and questions (CpuPeerMain export, into work/faiss-peer/), their exact top-100 (exact_topk.py),
# then the measurements:
#   ours-simd      our SIMD backend as the JVM picks it (512-bit vectors where the CPU has AVX-512)
#   ours-simd256   the same with -XX:MaxVectorSize=32: 256-bit vectors, what an AVX2-only CPU runs
#   faiss-avx2     faiss built with -DFAISS_OPT_LEVEL=avx2
#   faiss-debian   Debian's libfaiss 1.7.3 (generic, no AVX2: what python3-faiss runs): --slow-questions at
#                  --slow-nprobe only (its SQ8 scan runs a few questions per second)
# Every run uses all cores (2 here) and records the load average before and after it. Needs the app's and this
# module's jars (mvn -B -q -Ddensephrases.skipNative=true -DskipTests -pl benchmarks -am package), python3-numpy and
# python3-matplotlib (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
dump=
questions=500
slow=50
slow_nprobe=16,64
nlist=256 # the index verb's default for the unfiltered 3.2M-token dump; the filtered one (2.3M) would get 128
nprobe=8,16,32,64,128
while [[ $# -gt 0 ]]; do
  case $1 in
    --dump) dump=$2; shift 2 ;;
    --questions) questions=$2; shift 2 ;;
    --slow-questions) slow=$2; shift 2 ;;
    --slow-nprobe) slow_nprobe=$2; shift 2 ;;
    --nprobe) nprobe=$2; shift 2 ;;
    --nlist) nlist=$2; shift 2 ;;
    -h|--help) sed -n 2,19p "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z $dump ]]; then
  dump=$(ls -d work/dumps/*e5-small*squad-paragraphs* 2>/dev/null | head -n 1 || true)
  [[ -n $dump ]] || { echo "run.sh: no dump under work/dumps (make one: tools/densephrases dump)" >&2; exit 2; }
fi
jar=java/app/target/densephrases.jar
bench=benchmarks/target/densephrases-benchmarks-0.1.0-SNAPSHOT.jar
[[ -f $jar && -f $bench ]] || { echo "run.sh: $jar or $bench is missing (mvn -B -DskipTests package)" >&2; exit 2; }
peer=work/faiss-peer
results=benchmarks/results
tsv=$peer/rows.tsv
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx6g)
load() { cut -d' ' -f1-3 /proc/loadavg; }

tools/densephrases index --dump "$dump" --codec sq8,pq --nlist "$nlist" --recall-queries 0 2>&1 | grep -v '^WARNING'
benchmarks/faiss/build-faiss.sh
if [[ ! -f $peer/meta.txt ]]; then
  nice -n 10 "${java[@]}" -cp "$bench:$jar" org.densephrases.bench.faiss.CpuPeerMain export --dump "$dump" --out "$peer" \
    --questions "$questions" --nlist "$nlist" 2>&1 | grep -v '^WARNING'
fi
[[ -f $peer/gt.i64 ]] || nice -n 10 /usr/bin/python3 -s benchmarks/faiss/exact_topk.py "$peer" 100

: > "$tsv.tmp"
run() { # label, command...
  local label=$1; shift
  local before; before=$(load)
  echo "run.sh: $label (load $before)" >&2
  nice -n 10 "$@" | tee -a "$tsv.tmp"
  printf '#load\t%s\t%s\t%s\n' "$label" "$before" "$(load)" >> "$tsv.tmp"
}
measure=(org.densephrases.bench.faiss.CpuPeerMain measure --dump "$dump" --peer "$peer" --nprobe "$nprobe")
run ours-simd "${java[@]}" -cp "$bench:$jar" "${measure[@]}" --label ours-simd
run ours-simd256 "${java[@]}" -XX:MaxVectorSize=32 -cp "$bench:$jar" "${measure[@]}" --label ours-simd256 --whole-nprobe ""
for codec in sq8 pq; do
  run faiss-avx2 work/faiss/bin/faiss-peer-avx2 "$peer" "$codec" faiss-avx2 "$nprobe" 64
  run faiss-debian work/faiss/bin/faiss-peer-debian "$peer" "$codec" faiss-debian "$slow_nprobe" 64 "$slow"
done
mv "$tsv.tmp" "$tsv"
cp "$tsv" "$results/cpu-vs-faiss.tsv.tmp" && mv "$results/cpu-vs-faiss.tsv.tmp" "$results/cpu-vs-faiss.tsv"
/usr/bin/python3 -s benchmarks/faiss/report.py "$results/cpu-vs-faiss.tsv" "$results/cpu-vs-faiss.png" \
  "$results/logs/cpu-vs-faiss-tables.md"
echo "run.sh: rows in $results/cpu-vs-faiss.tsv, plot $results/cpu-vs-faiss.png, tables $results/logs/cpu-vs-faiss-tables.md"
