#!/usr/bin/env bash
# Run HERE (no GPU needed): builds what the GPU machine needs into .gpu/ (git-ignored), which the device tool then
# carries (carry [".gpu"]). The GPU machine has no Java and no DJL, and a call carries at most 64 MiB in all
# (tracked files, models/ included, plus .gpu), so .gpu holds only what the chosen runs need:
#   always:   jre.txz (jlink'd Java 25, tools/make-jre.sh), kernels.jar (libdensephrases.so inside, built by nvcc
#             here for sm_90 + PTX), index.jar, encoder.jar, app.jar, benchmarks.jar, picocli.jar, gson.jar (the
#             DJL-free verbs of org.densephrases.app.SearchSideMain and org.densephrases.bench.scale.BenchScaleMain)
#   --tests   the kernels and index test jars + the JUnit console launcher (tools/gpu-java-tests.sh)
#   --data    the corpus and the SQuAD dev file under .gpu/data/ (tools/gpu-eval-open.sh)
#   --session the split of tools/gpu-session.sh, so that each of its two calls fits beside the tracked files:
#             .gpu = runtime + jars (kernels.jar without libdensephrases.so: built there) + data (dev gzipped),
#             .gpu-tests = the test jars + the JUnit launcher (implies --tests --data)
# Usage: tools/gpu-prepare.sh [--tests] [--data] [--session]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
tests=0; data=0; session=0
for a in "$@"; do
  case $a in
    --tests) tests=1 ;;
    --data) data=1 ;;
    --session) session=1; tests=1; data=1 ;;
    *) echo "gpu-prepare: unknown option $a (use --tests, --data, --session)" >&2; exit 2 ;;
  esac
done
mkdir -p .gpu
rm -rf .gpu/scale .gpu/data .gpu/*-tests.jar .gpu/junit-console.jar .gpu-tests
bash tools/make-jre.sh
mvn -q -B -pl benchmarks -am -DskipTests package
lib=java/kernels/target/classes/native/linux-x86_64/libdensephrases.so
[[ -f $lib ]] || { echo "gpu-prepare: $lib was not built (is nvcc installed?)" >&2; exit 1; }
for m in kernels index encoder search app; do
  cp java/$m/target/densephrases-$m-0.1.0-SNAPSHOT.jar .gpu/$m.jar
done
cp benchmarks/target/densephrases-benchmarks-0.1.0-SNAPSHOT.jar .gpu/benchmarks.jar
cp "$(find ~/.m2/repository/info/picocli/picocli -name 'picocli-*.jar' ! -name '*sources*' | sort | tail -n 1)" .gpu/picocli.jar
cp "$(find ~/.m2/repository/com/google/code/gson/gson -name 'gson-2.13.1.jar' | head -n 1)" .gpu/gson.jar
if (( tests )); then
  for m in kernels index search; do
    "$JAVA_HOME/bin/jar" --create --file .gpu/$m-tests.jar -C java/$m/target/test-classes .
  done
  junit=org.junit.platform:junit-platform-console-standalone:1.11.4
  mvn -q -B dependency:copy -Dartifact=$junit -DoutputDirectory=.gpu -Dmdep.stripVersion=true
  mv -f .gpu/junit-platform-console-standalone.jar .gpu/junit-console.jar
fi
if (( data )); then
  mkdir -p .gpu/data
  cp ../shared/data/corpus/squad-paragraphs.jsonl.gz ../shared/data/squad/dev-v1.1-even.json .gpu/data/
fi
if (( session )); then
  zip -q -d .gpu/kernels.jar 'native/*'
  gzip -9f .gpu/data/dev-v1.1-even.json
  mkdir -p .gpu-tests && mv .gpu/*-tests.jar .gpu/junit-console.jar .gpu-tests/
  echo "gpu-prepare: .gpu-tests holds $(du -sh .gpu-tests | cut -f1) (the second call of tools/gpu-session.sh)"
fi
du -ch .gpu/* | tail -n 1 | sed 's/^/gpu-prepare: .gpu holds /'
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
carried=$(du -sb .gpu | cut -f1)
echo "gpu-prepare: tracked files $((tracked / 1048576)) MiB + .gpu $((carried / 1048576)) MiB of the 64 MiB a device call carries"
