#!/usr/bin/env bash
# Run HERE (no GPU needed): builds everything the GPU machine needs into .gpu/ (git-ignored), which the device
# tool then carries: a jlink'd Java 25 runtime, the kernels jar with libdensephrases.so inside (built by nvcc here
# for sm_90 + PTX), the index jar, both modules' tests, and the JUnit console launcher.
#   tools/gpu-prepare.sh
# then on the GPU machine (device tool, carry [".gpu"]):  bash tools/gpu-java-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mkdir -p .gpu
bash tools/make-jre.sh
mvn -q -B -pl java/kernels,java/index -am -DskipTests package
lib=java/kernels/target/classes/native/linux-x86_64/libdensephrases.so
[[ -f $lib ]] || { echo "gpu-prepare: $lib was not built (is nvcc installed?)" >&2; exit 1; }
# the kernels and index modules (the search path: no DJL, which cannot run on the GPU machine) and their tests
for m in kernels index; do
  cp java/$m/target/densephrases-$m-0.1.0-SNAPSHOT.jar .gpu/$m.jar
  "$JAVA_HOME/bin/jar" --create --file .gpu/$m-tests.jar -C java/$m/target/test-classes .
done
junit=org.junit.platform:junit-platform-console-standalone:1.11.4
mvn -q -B dependency:copy -Dartifact=$junit -DoutputDirectory=.gpu -Dmdep.stripVersion=true
mv -f .gpu/junit-platform-console-standalone.jar .gpu/junit-console.jar
du -ch .gpu/* | tail -n 1 | sed 's/^/gpu-prepare: .gpu holds /'
