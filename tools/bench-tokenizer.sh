#!/usr/bin/env bash
# Tokenizer throughput, pure-Java WordPiece vs DJL's HuggingFace tokenizers (benchmarks/.../TokenizerThroughput):
# every 10th corpus paragraph, one thread, 3 s warm-up + 10 s measurement per implementation (about 30 s).
#
# Usage: tools/bench-tokenizer.sh [corpus.jsonl.gz] [tokenizer.json]
#   JAVA_HOME   a JDK 25 (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   BENCH_OPTS  JVM options, e.g. "-Dseconds=20 -Dwarmup=5"
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file=benchmarks/target/tokenizer-classpath.txt
mvn -q -Ddensephrases.skipNative=true -pl benchmarks -am -DskipTests compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$cp_file" -Dmdep.includeScope=compile
# shellcheck disable=SC2086 # BENCH_OPTS is a list of options
"$JAVA_HOME/bin/java" ${BENCH_OPTS:-} -Dai.djl.offline=true -cp "benchmarks/target/classes:$(cat "$cp_file")" \
  org.densephrases.bench.TokenizerThroughput "$@"
