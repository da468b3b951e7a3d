#!/usr/bin/env bash
# Query-side fine-tuning on the GPU machine (issue 13, part 1): what `tools/gpu-train.sh start tools/gpu-qft-plan.sh`
# runs there (setsid; each step leaves $R/<step>.done and is skipped when run again).
#
#   1. before   dump of the whole corpus with the phrase model (MODEL, default the committed models/e5-small-tied;
#               DJL encoder on the GPU), IVF-SQ8 + IVF-PQ, eval-open exact/sq8/pq on CUDA: the "before" row
#   2. qft      train-query runs side by side (QFT_RUNS, "name:no-positive policy:epochs:lr ..."): retrieval from
#               QFT_INDEX (default sq8, the service's index) on CUDA over all SQuAD train questions, top-100, batch 64
#   3. after    per run (side by side): eval-open exact/sq8/pq with the tuned question side on the SAME dump and
#               indexes, and eval-rc on dev with the question side beside the phrase model
# Results (markdown, JSON, loss logs, the question-side exports) are gathered under $R/collect for `collect`.
set -uo pipefail
DPT=${DPT:-/root/dpt}
s=$DPT/stage; R=$DPT/run-qft; C=$R/collect
mkdir -p "$R" "$C"
MODEL=${MODEL:-$PWD/models/e5-small-tied}
XMX=${XMX:-64g} # three JVMs side by side
QFT_RUNS=${QFT_RUNS:-gold:gold:1:3e-5 skip:skip:1:3e-5 gold2:gold:2:3e-5}
QFT_INDEX=${QFT_INDEX:-sq8}
DEVICE=${DEVICE:-gpu}          # the smoke test here: DEVICE=cpu BACKEND=simd SMOKE=1
BACKEND=${BACKEND:-cuda}
if [[ ${SMOKE:-0} == 1 ]]; then
  DUMP_X="--limit 40"; OPEN_X="--limit 10 --nprobe 4"; QFT_X="--limit 16 --batch 8"; RC_X="--paragraphs 2"; IDX_X="--nlist 4 --m 48"
else
  DUMP_X=; OPEN_X=; QFT_X=; RC_X=; IDX_X=
fi
train=$s/data/train-v1.1.reconstructed.json.gz
dev=$s/data/dev-v1.1-even.json
corpus=$s/data/squad-paragraphs.jsonl.gz
source tools/gpu-plan-lib.sh # dp, step, DJL environment, device.txt
if [[ $BACKEND == cuda && -z ${DENSEPHRASES_NATIVE:-} ]]; then # the payload's jars carry no libdensephrases.so
  # outside the repo copy: a later device call re-syncs that tree and does not keep every build folder in it
  nb=$DPT/native-build
  cmake -S native -B "$nb" -DCMAKE_BUILD_TYPE=Release >/dev/null \
    && cmake --build "$nb" -j "$(nproc)" --target densephrases >/dev/null || { echo "native build failed"; exit 1; }
  mkdir -p "$DPT/native-lib" && cp "$nb"/libdensephrases.so* "$DPT/native-lib/"
  export DENSEPHRASES_NATIVE=$DPT/native-lib
  echo "libdensephrases: $(ls "$DPT"/native-lib)"
fi
d=$R/dump

before() {
  rm -rf "$d"
  dp dump --corpus "$corpus" --model "$MODEL" --out "$d" --encoder djl $DUMP_X \
    && dp index --dump "$d" --codec sq8,pq --backend "$BACKEND" $IDX_X \
    && dp eval-open --dump "$d" --model "$MODEL" --dev "$dev" --corpus "$corpus" --index exact,sq8,pq \
      --backend "$BACKEND" --out "$C/open-before.md" --predictions "$R/predictions-before" $OPEN_X
}
qft_one() { # name policy epochs lr
  dp train-query --model "$MODEL" --dump "$d" --index "$QFT_INDEX" --backend "$BACKEND" --train-file "$train" \
    --out "$R/qft-$1" --no-positive "$2" --epochs "$3" --lr "$4" --device "$DEVICE" $QFT_X
}
names() { local c; for c in $QFT_RUNS; do echo "${c%%:*}"; done; }
qft() {
  local pids=() c
  for c in $QFT_RUNS; do
    IFS=: read -r n p e lr <<<"$c"
    ( step "qft-$n" qft_one "$n" "$p" "$e" "$lr" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
after() {
  local pids=() n
  for n in $(names); do
    ( step "after-$n" after_one "$n" ) &
    pids+=($!)
  done
  wait "${pids[@]}"
}
after_one() { # name
  [[ -f $R/qft-$1/question-model.dpm ]] || return 1
  dp eval-open --dump "$d" --model "$R/qft-$1" --dev "$dev" --corpus "$corpus" --index exact,sq8,pq \
    --backend "$BACKEND" --out "$C/open-qft-$1.md" --predictions "$R/predictions-$1" $OPEN_X \
    && dp eval-rc --model-dir "$MODEL" --question-model "$R/qft-$1" --data "$dev" --device "$DEVICE" \
      --results "$C/rc-qft-$1.json" $RC_X
}
rc_before() {
  dp eval-rc --model-dir "$MODEL" --data "$dev" --device "$DEVICE" --results "$C/rc-before.json" $RC_X
}
gather() {
  local p
  for p in $(names); do
    [[ -d $R/qft-$p ]] || continue
    mkdir -p "$C/qft-$p"
    cp "$R/qft-$p"/{config.json,losses.csv,loss-curve.png} "$C/qft-$p/" 2>/dev/null
    [[ -f $R/qft-$p/question-model.dpm ]] && cp "$R/qft-$p"/{question-model.dpm,tokenizer.json} "$C/qft-$p/"
  done
  cp "$R"/*.done "$C/" 2>/dev/null
  true
}

step before before
step qft-all qft; gather
( step rc-before rc_before ) &
after
wait
gather
echo "== pipeline finished $(date -u +%T)"
