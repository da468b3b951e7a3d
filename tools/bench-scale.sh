#!/usr/bin/env bash
# Scale benchmark (org.densephrases.bench.scale.BenchScaleMain in benchmarks/): IVF index size, first-stage search
# latency and throughput vs corpus size on synthetic clustered vectors generated on the fly (never all in memory),
# 10^6..10^8 by default.
#
# Here (CPU, SIMD Java):   tools/bench-scale.sh [bench-scale options]
#     writes benchmarks/results/scale.md, scale-<backend>.tsv and scale-latency.png; builds the jars if missing;
#     --help lists the options.
# For the GPU machine (no Java, no DJL there):
#   1. here:   tools/gpu-prepare.sh   (runtime + every jar, ~25 MB in .gpu/)
#   2. there:  device tool, carry [".gpu"]:  bash tools/bench-scale.sh --gpu [bench-scale options]
#              (backends cuda and simd on the same indexes, results under $OUT: scale-gpu.md, scale-cuda.tsv,
#              scale-cuda-simd.tsv; the jlink'd runtime has no
#              java.desktop, so no PNG there)
#   3. here:   tools/bench-scale.sh --plot benchmarks/results/scale-simd.tsv,<fetched>/scale-cuda.tsv
#              (one PNG with both)
# Check free disk first: an SQ8 index costs (dim + 8) bytes per vector (10^8 x dim 64: 7.2 GB); the command skips a
# size that would not fit.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx12g)
cp=benchmarks/target/densephrases-benchmarks-0.1.0-SNAPSHOT.jar:java/app/target/densephrases.jar

case "${1:-}" in
  --prepare)
    echo "bench-scale: --prepare is now tools/gpu-prepare.sh (it builds every jar the GPU machine needs)" >&2
    exec bash tools/gpu-prepare.sh
    ;;
  --gpu)
    shift
    out=${OUT:-benchmarks/results}
    logs=${OUT:-benchmarks/results/logs}
    mkdir -p "$logs"
    mkdir -p "$out"
    source tools/gpu-jre.sh
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/scale-gpu-device.txt" || true
    cp=.gpu/kernels.jar:.gpu/index.jar:.gpu/encoder.jar:.gpu/app.jar:.gpu/benchmarks.jar:.gpu/picocli.jar:.gpu/gson.jar
    "$DP_JAVA" "${flags[@]}" -cp "$cp" org.densephrases.bench.scale.BenchScaleMain --backend cuda,simd \
      --work /tmp/dp-scale --out "$out/scale-gpu.md" --tsv "$out/scale-cuda.tsv" "$@" 2>&1 | tee "$logs/scale-gpu.log"
    ;;
  --plot)
    shift
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -cp "$cp" org.densephrases.bench.scale.BenchScaleMain --plot "$1" \
      --png "${2:-benchmarks/results/scale-latency.png}"
    ;;
  *)
    [[ -f ${cp%%:*} && -f ${cp#*:} ]] || mvn -q -B -Ddensephrases.skipNative=true -DskipTests -pl benchmarks -am package
    df -h "$(pwd)" | tail -n 1 | awk '{print "bench-scale: " $4 " free on " $6}'
    exec "$JAVA_HOME/bin/java" "${flags[@]}" -cp "$cp" org.densephrases.bench.scale.BenchScaleMain "$@"
    ;;
esac
