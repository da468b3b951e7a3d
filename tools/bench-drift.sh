#!/usr/bin/env bash
# Index drift: a dump + IVF-SQ8 index built on 80% of a corpus subset, the other 20% added with `densephrases add`
# (old centroids and codec), then `index --retrain`, each compared with a full rebuild: first-stage recall@10 against
# exact search with the real dev questions, open-domain EM/F1 on dev-even, time to add vs time to rebuild. Writes
# benchmarks/results/drift.md and drift.png. Work files under work/drift/ (git-ignored).
#
#   tools/bench-drift.sh                                   # 5,000 paragraphs, 1,000 questions (~45 min on the shared 2 cores)
#   tools/bench-drift.sh --paragraphs 0 --questions 0      # the whole corpus and all 5,397 questions (hours here)
#   tools/bench-drift.sh --split titles --out benchmarks/results/drift-titles.md  # add whole unseen articles
#   tools/bench-drift.sh --paragraphs 300 --questions 50 --out /tmp/drift.md   # a quick look
#
# Options: --corpus --dev --paragraphs --questions --add-fraction (0.2) --split random|titles --nprobe (8,32)
# --recall-questions (200) --exact yes|no --work --out --model. A second run on the same subset reuses the full rebuild (and reports its earlier times).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export OPT_OUT_TRACKING=true
jar=java/app/target/densephrases.jar
bench=benchmarks/target/densephrases-benchmarks-0.1.0-SNAPSHOT.jar
if [[ ! -f $jar || ! -f $bench ]]; then
  echo "bench-drift: building $jar and $bench"
  mvn -B -q -Ddensephrases.skipNative=true -DskipTests -pl benchmarks -am package
fi
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -Dai.djl.offline=true -Djava.util.logging.SimpleFormatter.format='%4$s %5$s%6$s%n' \
  ${DENSEPHRASES_JAVA_OPTS:-} -cp "$bench:$jar" org.densephrases.bench.drift.DriftBenchMain "$@"
