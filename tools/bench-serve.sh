#!/usr/bin/env bash
# Load test of `densephrases serve` on loopback: sustained queries/s, p50/p99 latency, errors, heap after GC, at 1, 8
# and 64 concurrent clients; writes benchmarks/results/serve-load.md. Bounded: each level runs --seconds (20) or
# --max-requests (20,000), whichever ends first, after a short warm-up, and the command stops by itself.
#
#   tools/bench-serve.sh                       # small setup: first 1,000 paragraphs of the default corpus, IVF-SQ8
#   tools/bench-serve.sh --clients 1,8,64 --seconds 20 --note "..."   # any ServeLoadMain option (--help lists them)
#   BENCH_DUMP=work/dumps/<dir> tools/bench-serve.sh --nprobe 64       # another dump (its ivf-sq8.idx must exist)
#
# Builds the jar if missing, and the dump + index if missing (with the default model: today pretrained MiniLM with
# untrained heads, so answers are not meaningful; latency and throughput are what this measures). Exit code 1 if any
# request failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export OPT_OUT_TRACKING=true
jar=java/app/target/densephrases.jar
limit=${BENCH_LIMIT:-1000}
dump=${BENCH_DUMP:-work/dumps/serve-bench-first$limit}
if [[ ! -f $jar ]]; then
  echo "bench-serve: building $jar"
  mvn -B -q -Ddensephrases.skipNative=true -DskipTests package
fi
if [[ ! -f $dump/MANIFEST ]]; then
  echo "bench-serve: dumping the first $limit paragraphs of the default corpus into $dump"
  tools/densephrases dump --limit "$limit" --out "$dump"
fi
if [[ ! -f $dump/ivf-sq8.idx ]]; then
  echo "bench-serve: building the IVF-SQ8 index of $dump"
  tools/densephrases index --dump "$dump" --codec sq8
fi
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -Dai.djl.offline=true -Xmx${BENCH_HEAP:-4g} ${DENSEPHRASES_JAVA_OPTS:-} \
  -cp "$jar" org.densephrases.app.ServeLoadMain --dump "$dump" "$@"
