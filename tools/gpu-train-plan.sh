#!/usr/bin/env bash
# The training pipeline that tools/gpu-train.sh `start` runs on the GPU machine (in the background, with setsid).
# Every step leaves $R/<step>.done; a rerun skips finished steps and the trainers resume from their checkpoints, so a
# pipeline cut short by the machine going back continues where it stopped once the payload is staged again.
#
#   1. teacher   12-layer cross-encoder (TEACHER_MODEL, default e5-small-v2), TEACHER_EPOCHS epochs; EM/F1 on the
#                dev file; logits of ALL training questions for distillation
#   2. ablation  (beside the teacher) short student runs, same budget: e5-small-v2 vs bge-small-en-v1.5 (tied
#                layout), and e5-small-v2 with its own question encoder (shared layout: what tying costs)
#   3. student   the ablation's winner (tied), STUDENT_EPOCHS epochs, full objective with distillation
#   4. export    int8 encoders + fp16 heads; eval-rc on the dev file, filter-threshold table
#   2b. augment (optional, AUG=1, after the teacher) generated questions for corpus paragraphs of articles not in
#                the dev file, kept when the teacher answers them exactly ($R/aug/aug.json.gz, stats, examples); then
#                student candidate `aug`: AUG_PRETRAIN_EPOCHS on the augmented file, then SQuAD with the same total
#                steps as a plain candidate of AUG_STUDENT (name:epochs:lambda2:lr). Knobs: AUG_PARAGRAPHS,
#                AUG_PER_PARAGRAPH, AUG_PRETRAIN_EPOCHS, AUG_PRETRAIN_SHARE (at most this % of the total steps, default 25)
#   5. open      dump of the whole corpus (DJL encoder on the GPU), IVF-SQ8 + IVF-PQ, eval-open exact/sq8/pq (CUDA)
# Results (JSON, markdown, loss logs, the exported model) are gathered under $R/collect for `collect`.
set -uo pipefail
DPT=${DPT:-/root/dpt}
s=$DPT/stage; R=$DPT/run; C=$R/collect
mkdir -p "$R" "$C"
TEACHER_MODEL=${TEACHER_MODEL:-e5-small-v2}
TEACHER_EPOCHS=${TEACHER_EPOCHS:-2}
STUDENT_EPOCHS=${STUDENT_EPOCHS:-4}
ABL_STEPS=${ABL_STEPS:-400}
# Student candidates trained side by side on the GPU (name:epochs:lambda2:lr); the best dev F1 is exported as the model.
STUDENTS=${STUDENTS:-a:8:2:1e-4 b:8:4:2e-4}
DEVICE=${DEVICE:-gpu}          # the smoke test here: DEVICE=cpu BACKEND=simd SMOKE=1
BACKEND=${BACKEND:-cuda}
AUG=${AUG:-0}
# 0 = every paragraph of the non-dev articles (19,940): ~1.2 questions generated per paragraph on a 400-paragraph
# sample, so ~23k questions for the teacher (seconds at ~3,000/s); the generation itself is CPU, ~1 min
AUG_PARAGRAPHS=${AUG_PARAGRAPHS:-0}
AUG_PER_PARAGRAPH=${AUG_PER_PARAGRAPH:-8}
AUG_PRETRAIN_EPOCHS=${AUG_PRETRAIN_EPOCHS:-1}
AUG_STUDENT=${AUG_STUDENT:-aug:8:2:1e-4}
if [[ ${SMOKE:-0} == 1 ]]; then # minutes on 2 CPU cores: every command of the plan once, on a sliver of the data
  TRAIN_X="--train-paragraphs 3"; EVAL_X="--paragraphs 2"; TEVAL_X="--eval-paragraphs 2"; DUMP_X="--limit 30"; OPEN_X="--limit 10 --nprobe 8"; ABL_STEPS=2
  TEACHER_EPOCHS=1; STUDENT_EPOCHS=1; AUG_PARAGRAPHS=${AUG_SMOKE_PARAGRAPHS:-4}; AUG_X="--train-paragraphs 3"
  AUG_WRITE=--write-unfiltered # the smoke's 1-step teacher answers next to nothing right: keep the path exercised
else
  TRAIN_X=; EVAL_X=; TEVAL_X=; DUMP_X=; OPEN_X=; AUG_X=; AUG_WRITE=
fi
train=$s/data/train-v1.1.reconstructed.json.gz
dev=$s/data/dev-v1.1-even.json
corpus=$s/data/squad-paragraphs.jsonl.gz
source tools/gpu-plan-lib.sh # dp, step, DJL environment, device.txt

teacher() {
  dp teacher --model "$TEACHER_MODEL" --out "$R/teacher" --epochs "$TEACHER_EPOCHS" --batch 64 --lr 1e-4 \
    --warmup 0.1 --train-file "$train" --eval-data "$dev" --results "$R/teacher/results.json" \
    --write-logits "$R/teacher/logits.bin" --device "$DEVICE" $TRAIN_X $TEVAL_X
}
abl() { # name model layout
  local d=$R/abl-$1
  dp train --model "$2" --layout "$3" --out "$d" --train-file "$train" --batch 32 --max-steps "$ABL_STEPS" \
    --lr 1e-4 --device "$DEVICE" --checkpoint-steps 100000 --checkpoint-minutes 60 --lambda2 0 $TRAIN_X \
    && dp export --checkpoint "$d/checkpoint.bin" --out "$d/export" --dtype fp32 \
    && dp eval-rc --model-dir "$d/export" --data "$dev" --results "$d/results.json" --device "$DEVICE" $EVAL_X
}
ablation() {
  step abl-e5-tied abl e5-tied e5-small-v2 tied && step abl-bge-tied abl bge-tied bge-small-en-v1.5 tied \
    && step abl-e5-shared abl e5-shared e5-small-v2 shared
}
winner() {
  python3 - "$R" <<'EOF'
import json, sys
r = sys.argv[1]
f1 = {m: json.load(open(f"{r}/abl-{m}-tied/results.json")).get("f1", 0) for m in ("e5", "bge")}
print("e5-small-v2" if f1["e5"] >= f1["bge"] else "bge-small-en-v1.5")
EOF
}
student_one() { # name epochs lambda2 lr
  local m; m=$(winner) || return 1
  echo "student $1 encoder: $m (ablation winner), $2 epochs, lambda2 $3, lr $4"
  dp train --model "$m" --layout tied --out "$R/student-$1" --train-file "$train" --batch 64 --epochs "$2" \
    --lambda2 "$3" --lr "$4" --teacher-logits "$R/teacher/logits.bin" --device "$DEVICE" --checkpoint-minutes 3 $TRAIN_X \
    && rm -rf "$R/model-$1" \
    && dp export --checkpoint "$R/student-$1/checkpoint.bin" --out "$R/model-$1" --dtype int8 \
    && dp eval-rc --model-dir "$R/model-$1" --data "$dev" --results "$R/model-$1/results.json" --device "$DEVICE" $EVAL_X \
      --filter-thresholds=-4,-3.5,-3,-2.5,-2,-1.5,-1
}
augment() { # the augmented training file: corpus paragraphs of the articles not in the dev file, teacher-filtered
  mkdir -p "$R/aug"
  dp augment --corpus "$corpus" --teacher "$R/teacher" --exclude-titles-of "$dev" --out "$R/aug/aug.json.gz" \
    --limit "$AUG_PARAGRAPHS" --per-paragraph "$AUG_PER_PARAGRAPH" --device "$DEVICE" --stats "$R/aug/stats.json" \
    --examples "$R/aug/augmentation-examples.md" $AUG_WRITE
}
student_aug() { # name epochs lambda2 lr: pre-train on the augmented file, then SQuAD; total steps = a plain candidate's
  local m; m=$(winner) || return 1
  local total pre
  total=$(dp train --model "$m" --layout tied --out "$R/plan-$1" --train-file "$train" --batch 64 --epochs "$2" \
    --plan-only $TRAIN_X | tail -1) || return 1
  pre=$(dp train --model "$m" --layout tied --out "$R/plan-$1-pre" --train-file "$R/aug/aug.json.gz" --batch 64 \
    --epochs "$AUG_PRETRAIN_EPOCHS" --plan-only $AUG_X | tail -1) || return 1
  local cap=$((total * ${AUG_PRETRAIN_SHARE:-25} / 100)); ((cap < 1)) && cap=1
  ((pre > cap)) && pre=$cap
  ((pre >= total)) && pre=$((total - 1))
  ((pre >= 1)) || { echo "student $1: a budget of $total steps leaves none for the augmented file"; return 1; }
  echo "student $1 encoder: $m; $pre steps on the augmented file, then $((total - pre)) on SQuAD (total $total)"
  dp train --model "$m" --layout tied --out "$R/student-$1-pre" --train-file "$R/aug/aug.json.gz" --batch 64 \
    --epochs "$AUG_PRETRAIN_EPOCHS" --max-steps "$pre" --lambda2 0 --lr "$4" --device "$DEVICE" \
    --checkpoint-minutes 3 $AUG_X \
    && dp train --model "$m" --layout tied --out "$R/student-$1" --train-file "$train" --batch 64 --epochs "$2" \
    --max-steps "$((total - pre))" --init-checkpoint "$R/student-$1-pre/checkpoint.bin" --lambda2 "$3" --lr "$4" \
    --teacher-logits "$R/teacher/logits.bin" --device "$DEVICE" --checkpoint-minutes 3 $TRAIN_X \
    && rm -rf "$R/model-$1" \
    && dp export --checkpoint "$R/student-$1/checkpoint.bin" --out "$R/model-$1" --dtype int8 \
    && dp eval-rc --model-dir "$R/model-$1" --data "$dev" --results "$R/model-$1/results.json" --device "$DEVICE" $EVAL_X \
      --filter-thresholds=-4,-3.5,-3,-2.5,-2,-1.5,-1
}
students() {
  local pids=() c
  for c in $STUDENTS; do
    IFS=: read -r n e l lr <<<"$c"
    ( step "student-$n" student_one "$n" "$e" "$l" "$lr" ) &
    pids+=($!)
  done
  if [[ $AUG == 1 ]]; then
    IFS=: read -r n e l lr <<<"$AUG_STUDENT"
    ( step augment augment && step "student-$n" student_aug "$n" "$e" "$l" "$lr" ) &
    pids+=($!)
  fi
  wait "${pids[@]}"
  python3 - "$R" $STUDENTS $([[ $AUG == 1 ]] && echo "$AUG_STUDENT") <<'EOF'
import json, os, sys
r = sys.argv[1]
best = None
for c in sys.argv[2:]:
    n = c.split(":")[0]
    f = f"{r}/model-{n}/results.json"
    if os.path.exists(f):
        f1 = json.load(open(f)).get("f1", 0)
        print(f"candidate {c}: F1 {f1:.2f}")
        if best is None or f1 > best[1]:
            best = (n, f1)
if best is None:
    sys.exit("no student finished")
os.system(f"rm -rf {r}/model && cp -r {r}/model-{best[0]} {r}/model")
print(f"chosen: {best[0]} (F1 {best[1]:.2f})")
EOF
}
open_domain() {
  local d=$R/dump
  rm -rf "$d"
  dp dump --corpus "$corpus" --model "$R/model" --out "$d" --encoder djl $DUMP_X \
    && dp index --dump "$d" --codec sq8,pq --backend "$BACKEND" \
    && dp eval-open --dump "$d" --model "$R/model" --dev "$dev" --corpus "$corpus" --index exact,sq8,pq \
      --backend "$BACKEND" --out "$C/open-domain-gpu.md" $OPEN_X
}
gather() {
  mkdir -p "$C/teacher" "$C/student" "$C/ablation"
  cp "$R"/teacher/{results.json,losses.csv,config.json} "$C/teacher/" 2>/dev/null
  for a in "$R"/abl-*/; do [[ -d $a ]] && mkdir -p "$C/ablation/$(basename "$a")" \
    && cp "$a"/{results.json,losses.csv} "$C/ablation/$(basename "$a")/" 2>/dev/null; done
  for d in "$R"/student-*/; do [[ -d $d ]] && mkdir -p "$C/$(basename "$d")" \
    && cp "$d"/{losses.csv,config.json} "$C/$(basename "$d")/" 2>/dev/null; done
  for d in "$R"/model-*/; do [[ -f $d/results.json ]] && cp "$d/results.json" "$C/$(basename "$d")-results.json"; done
  [[ -d $R/aug ]] && mkdir -p "$C/aug" && cp "$R"/aug/{stats.json,augmentation-examples.md} "$C/aug/" 2>/dev/null
  [[ -d $R/model ]] && rm -rf "$C/model" && cp -r "$R/model" "$C/model"
  cp "$R"/*.done "$C/" 2>/dev/null
  true
}

( ablation; gather ) &
abl_pid=$!
step teacher teacher; gather
wait "$abl_pid"
step students students && gather && step open open_domain
gather
echo "== pipeline finished $(date -u +%T)"
