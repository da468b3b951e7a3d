#!/usr/bin/env bash
# The README's main command: build what is needed, encode the corpus into a phrase dump with the default model,
# build an IVF-SQ8 index over it, and answer a few example questions with their evidence. Reruns reuse the jar, the
# dump and the index when present (the dump directory is keyed by model id and corpus checksum, see
# java/app/NOTES.md); a killed dump resumes where it stopped.
#
#   tools/quickstart.sh [--corpus FILE.jsonl[.gz]] [--limit N] [--model NAME|DIR] [--codecs sq8[,pq]] [--no-build]
#                       [-- "question" ...]
#
# --limit N encodes only the first N paragraphs (a quick look: 500 paragraphs take a few minutes on 2 cores);
# the full default corpus (20,963 paragraphs, 3.2M tokens) is the long part with the committed 12-layer model: the
# dump encodes every token (the README gives the measured run and its load); IVF-SQ8 with its recall report ~5 min.
# Set DENSEPHRASES_SKIP_NATIVE=1 to build without the CUDA library.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
corpus=../shared/data/corpus/squad-paragraphs.jsonl.gz
limit=0
model=()
codecs=sq8
build=1
questions=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --corpus) corpus=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --model) model=(--model "$2"); shift 2 ;;
    --codecs) codecs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --) shift; questions=("$@"); break ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "quickstart: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ ${#questions[@]} -eq 0 ]]; then
  questions=("To whom did the Virgin Mary allegedly appear in 1858 in Lourdes France?"
    "What is the Grotto at Notre Dame?"
    "When did Beyonce start becoming popular?"
    "Which NFL team represented the AFC at Super Bowl 50?")
fi
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
times=()

t=$(now)
jar=java/app/target/densephrases.jar
if [[ $build == 1 ]]; then
  native=()
  [[ ${DENSEPHRASES_SKIP_NATIVE:-0} == 1 ]] && native=(-Ddensephrases.skipNative=true)
  echo "quickstart: building (mvn package, tests skipped)"
  mvn -q -B "${native[@]}" -DskipTests -pl java/app -am package
elif [[ ! -f $jar ]]; then
  echo "quickstart: $jar is missing and --no-build was given" >&2; exit 2
fi
times+=("build: $(took "$t") s")

t=$(now)
log=$(mktemp)
tools/densephrases dump --corpus "$corpus" --limit "$limit" "${model[@]}" 2>&1 | grep --line-buffered -v '^WARNING\|^SLF4J' | tee "$log"
dump=$(sed -n 's/^dump-dir: //p' "$log" | tail -n 1)
rm -f "$log"
[[ -n $dump ]] || { echo "quickstart: the dump failed" >&2; exit 1; }
times+=("dump: $(took "$t") s")

t=$(now)
tools/densephrases index --dump "$dump" --codec "$codecs" 2>&1 | grep --line-buffered -v '^WARNING\|^SLF4J'
times+=("index ($codecs): $(took "$t") s")

t=$(now)
tools/densephrases search --dump "$dump" --index "${codecs%%,*}" -k 3 "${model[@]}" "${questions[@]}" 2>&1 \
  | grep -v '^WARNING\|^SLF4J\|^INFO'
times+=("search (${#questions[@]} questions, includes loading the model): $(took "$t") s")

echo "quickstart: done on $(nproc) cores; dump and index in $dump"
printf 'quickstart:   %s\n' "${times[@]}"
