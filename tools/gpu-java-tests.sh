#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repo root, after tools/gpu-prepare.sh --tests here and with .gpu carried:
# runs the kernels' contract suite (every backend, CUDA included) and the index module's tests with the jlink'd runtime, once with the
# backend lookup free and once forcing CUDA so that a silent fallback cannot pass; then the search module's
# CudaQuestionEncoderTest (CUDA question encoder vs the Java one), CUDA demanded. Reports go to $OUT (or
# benchmarks/results when $OUT is unset).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-benchmarks/results/logs}
mkdir -p "$out"
outabs=$(cd "$out" && pwd)
source tools/gpu-jre.sh
java=$DP_JAVA
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu-java-device.txt"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
run() { # name, extra JVM flags...
  local name=$1; shift
  "$java" "${flags[@]}" "$@" -jar .gpu/junit-console.jar execute \
    --class-path .gpu/kernels.jar:.gpu/index.jar:.gpu/kernels-tests.jar:.gpu/index-tests.jar --scan-class-path \
    --reports-dir "/tmp/reports-$name" --details=summary --disable-banner 2>&1 | tee "$out/gpu-java-tests-$name.txt"
  return "${PIPESTATUS[0]}"
}
run auto; rc1=$?
run cuda -Ddensephrases.backend=cuda; rc2=$?
# The CUDA question encoder against the Java one on the committed model (from java/search: its tests find the model
# at ../../models), CUDA demanded.
(cd java/search && "$java" "${flags[@]}" -Ddensephrases.requireCuda=true -jar ../../.gpu/junit-console.jar execute \
  --class-path ../../.gpu/kernels.jar:../../.gpu/index.jar:../../.gpu/encoder.jar:../../.gpu/search.jar:../../.gpu/gson.jar:../../.gpu/search-tests.jar \
  --select-class org.densephrases.search.CudaQuestionEncoderTest --reports-dir /tmp/reports-encoder --details=tree \
  --disable-banner 2>&1 | tee "$outabs/gpu-java-tests-encoder.txt"; exit "${PIPESTATUS[0]}")
rc3=$?
echo "gpu-java-tests: exit codes auto=$rc1 forced-cuda=$rc2 cuda-encoder=$rc3"
exit $(( rc1 != 0 || rc2 != 0 || rc3 != 0 ))
