#!/usr/bin/env bash
# One warm GPU machine, two back-to-back device calls (each under the device tool's 10-minute limit, the second
# started within the machine's 30 s warm window): every native test, the kernel lab, the Java CUDA suites and the
# open-domain latency end to end (question encoding included) over the whole corpus.
#
# HERE first: tools/gpu-prepare.sh --session (each call must fit 64 MiB beside the ~40 MiB of tracked files: the
# library is built there and found through DENSEPHRASES_NATIVE, the dev file travels gzipped, the test jars go in
# the second call's .gpu-tests)
# THERE:
#   call 1, carry [".gpu"]:        bash tools/gpu-session.sh start [lab-seconds]
#       keeps .gpu in /root/dpgpu, builds libdensephrases into /root/dp-native, starts the end-to-end run in the
#       background (setsid, under /root/dp-e2e: dump of the whole corpus on the host's cores, IVF-SQ8/PQ, eval-open on
#       CUDA with the CUDA question encoder, then again with the Java one over the same files), then runs the kernel
#       lab (tools/gpu-kernels-lab.sh: build, test_scan, test_lab, the other ctests, lab rows, torch, report)
#   call 2, carry [".gpu-tests"]:  bash tools/gpu-session.sh collect [max-wait-seconds]
#       the Java CUDA suites (tools/gpu-java-tests.sh, CudaQuestionEncoderTest included), then waits for the
#       end-to-end run and copies its tables and a tarball of its logs into $OUT
set -uo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: gpu-session.sh start [lab-seconds] | collect [max-wait-seconds]}
keep=/root/dpgpu
e2e=/root/dp-e2e
lib=/root/dp-native
out=${OUT:-/tmp/dp-session-out}
mkdir -p "$out"
T0=$SECONDS
say() { echo "== $((SECONDS - T0)) s: $*"; }
case $what in
  start)
    lab=${2:-270}
    rm -rf "$keep" "$e2e" && mkdir -p "$keep" "$e2e/out" "$e2e/repo"
    cp -r .gpu/. "$keep/"
    say "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader)"
    { cmake -S native -B "$lib" -DCMAKE_BUILD_TYPE=Release -DDP_BUILD_TESTS=OFF -DDP_BUILD_BENCH=OFF >/dev/null &&
      cmake --build "$lib" -j "$(nproc)" --target densephrases 2>&1 | tail -n 2; } >"$out/native-lib-build.log" 2>&1
    [[ -f $lib/libdensephrases.so ]] || { say "library build failed"; cat "$out/native-lib-build.log"; exit 1; }
    say "libdensephrases.so built in $lib"
    # the background run reads its own copy: this call's repository copy is replaced by the next call's
    cp -r tools models "$e2e/repo/" && ln -s "$keep" "$e2e/repo/.gpu"
    (cd "$e2e/repo" && DENSEPHRASES_NATIVE=$lib/libdensephrases.so OUT="$e2e/out" setsid nohup bash -c '
        o=/root/dp-e2e/out; t0=$SECONDS
        bash tools/gpu-eval-open.sh --work /root/dp-e2e/work --index exact,sq8,pq --backend cuda --questions 1000 \
          --question-encoder cuda --filter-threshold -4.0 > $o/e2e-cuda.log 2>&1
        echo "rc=$? after $((SECONDS - t0)) s" >> $o/e2e-cuda.log
        mv $o/open-domain-gpu.md $o/open-domain-gpu-cudaenc.md
        bash tools/gpu-eval-open.sh --work /root/dp-e2e/work --index sq8,pq --backend cuda --questions 1000 \
          --question-encoder java --reuse > $o/e2e-java.log 2>&1
        echo "rc=$? after $((SECONDS - t0)) s" >> $o/e2e-java.log
        mv $o/open-domain-gpu.md $o/open-domain-gpu-javaenc.md
        touch $o/done' >/dev/null 2>&1 &)
    say "end-to-end run started in the background ($e2e)"
    OUT=$out bash tools/gpu-kernels-lab.sh "$lab" >"$out/lab-stdout.log" 2>&1
    say "lab rc=$?"
    grep -E "^== " "$out/gpu-kernels-lab-tests.log" | tail -n 14
    grep -E "FAIL|failed|Failed" "$out/gpu-kernels-lab-tests.log" | head -n 20
    # at most 8 files come back: the raw logs go into one tarball
    (cd "$out" && tar czf lab-logs.tgz gpu-kernels-ours.log gpu-kernels-torch.log gpu-kernels-lab-tests.log \
       lab-stdout.log native-lib-build.log 2>/dev/null &&
     rm -f gpu-kernels-ours.log gpu-kernels-torch.log lab-stdout.log native-lib-build.log)
    tail -n 3 "$e2e"/out/*.log 2>/dev/null | tail -n 8
    ls -la "$out"
    ;;
  collect)
    wait_s=${2:-420}
    mkdir -p .gpu && cp -rn "$keep"/. .gpu/ && cp -r .gpu-tests/. .gpu/
    DENSEPHRASES_NATIVE=$lib/libdensephrases.so OUT=$out/java bash tools/gpu-java-tests.sh >"$out/java-stdout.log" 2>&1
    say "java CUDA tests rc=$?"
    tail -n 3 "$out/java-stdout.log"
    grep -hE "tests (successful|failed|skipped)|max rel" "$out"/java/gpu-java-tests-*.txt 2>/dev/null | head -n 20
    (cd "$out" && tar czf java-tests.tgz java java-stdout.log && rm -rf java java-stdout.log)
    t=$SECONDS
    while [[ ! -f $e2e/out/done ]] && (( SECONDS - t < wait_s )); do sleep 5; done
    [[ -f $e2e/out/done ]] && say "the end-to-end run is done" || say "the end-to-end run is not done after $wait_s s"
    tail -n 4 "$e2e"/out/e2e-*.log
    cp "$e2e"/out/open-domain-gpu-*.md "$out/" 2>/dev/null
    (cd "$e2e/out" && tar czf "$out/e2e-logs.tgz" --exclude='open-domain-gpu-*.md' . 2>/dev/null)
    ls -la "$out"
    ;;
  *) echo "gpu-session: unknown step $what" >&2; exit 2 ;;
esac
