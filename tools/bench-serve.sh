#!/usr/bin/env bash
# Load and abuse test of `densephrases serve` on loopback; writes benchmarks/results/serve-load.md and serve-load.png.
# Three parts, each bounded in time and count, stopping by itself (about 3 minutes in all with the defaults):
#   levels     sustained queries/s, p50/p99, errors, heap after GC at 1, 8 and 64 closed-loop clients (--seconds 20 or
#              --max-requests 20,000 per level, after a --warmup-seconds 3 warm-up)
#   flood      2 light clients (k=1, from 127.0.0.2) while 6 clients (127.0.0.1) send 64-question batches: at the cost
#              limit, the same abandoned 150 ms after sending, and over the limit (--mix-seconds 30)
#   slowloris  2 light clients while 200 connections from 127.0.0.3 trickle one header byte every 3 s (--mix-seconds 30)
# The server runs with its default guards (see java/app/NOTES.md, serve).
#
#   tools/bench-serve.sh                       # the first 1,000 paragraphs of the default corpus, default model, IVF-SQ8
#   tools/bench-serve.sh --mixes flood --mix-seconds 20 --note "..."   # any ServeLoadMain option (--help lists them)
#   BENCH_DUMP=work/dumps/<dir> tools/bench-serve.sh --nprobe 64       # another dump (its ivf-sq8.idx must exist)
#
# Builds the jars (the app's and the benchmarks') if missing, and the dump (BENCH_LIMIT paragraphs, default 1000) +
# index if missing, with the default model. Exit code 1 if any request of the levels or of the light clients failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export OPT_OUT_TRACKING=true
jar=java/app/target/densephrases.jar
bench=benchmarks/target/densephrases-benchmarks-0.1.0-SNAPSHOT.jar
limit=${BENCH_LIMIT:-1000}
if [[ ! -f $jar || ! -f $bench ]]; then
  echo "bench-serve: building $jar and $bench"
  mvn -B -q -Ddensephrases.skipNative=true -DskipTests -pl benchmarks -am package
fi
if [[ -n ${BENCH_DUMP:-} ]]; then
  dump=$BENCH_DUMP
else
  # The default model's dump of the first $limit paragraphs: its directory is keyed by model id and corpus checksum,
  # so a dump made with another model is never picked up; an existing one is checked and reused.
  echo "bench-serve: the first $limit paragraphs of the default corpus, dumped with the default model (reused if there)"
  log=$(mktemp)
  tools/densephrases dump --limit "$limit" 2>&1 | grep --line-buffered -v '^WARNING\|^SLF4J' | tee "$log"
  dump=$(sed -n 's/^dump-dir: //p' "$log" | tail -n 1)
  rm -f "$log"
  [[ -n $dump ]] || { echo "bench-serve: the dump failed" >&2; exit 1; }
fi
if [[ ! -f $dump/ivf-sq8.idx ]]; then
  echo "bench-serve: building the IVF-SQ8 index of $dump"
  tools/densephrases index --dump "$dump" --codec sq8
fi
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -Dai.djl.offline=true -Xmx${BENCH_HEAP:-4g} ${DENSEPHRASES_JAVA_OPTS:-} \
  -cp "$bench:$jar" org.densephrases.bench.serve.ServeLoadMain --dump "$dump" "$@"
