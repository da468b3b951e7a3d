# What the GPU plans (tools/gpu-train-plan.sh, tools/gpu-qft-plan.sh) share; sourced by them from the repo root after
# they set DPT (the staging folder), R (the run folder) and C (what `collect` brings back).
#   dp ARGS...     the densephrases command line on the staged runtime and jars (heap XMX, default 96g)
#   step NAME CMD  runs CMD once: a finished step leaves $R/NAME.done (its seconds) and is skipped when run again
# It also loads DJL's environment (the JNI `setup` built) and records the card and cores in $C/device.txt.
[[ -f $DPT/djl-cache/djl-env.sh ]] && source "$DPT/djl-cache/djl-env.sh"
export TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=${TORCH_ALLOW_TF32_CUBLAS_OVERRIDE:-1} # TF32 tensor-core matmuls (fp32 I/O)
cp=$(ls "$DPT"/stage/jars/*.jar | tr '\n' ':')${EXTRA_CP:-}
dp() {
  "$DPT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true \
    -Djava.awt.headless=true -Xss4m -Xmx${XMX:-96g} -cp "$cp" org.densephrases.app.Main "$@"
}
step() {
  local name=$1; shift
  if [[ -f $R/$name.done ]]; then echo "== $name: done before"; return 0; fi
  echo "== $name: start $(date -u +%T)"
  local t0; t0=$(date +%s)
  if "$@"; then
    echo "$(($(date +%s) - t0))" >"$R/$name.done"; echo "== $name: done in $(($(date +%s) - t0)) s"
  else
    echo "== $name: FAILED (exit $?)"; return 1
  fi
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$C/device.txt" 2>/dev/null
echo "cpu: $(nproc) cores; TF32 override $TORCH_ALLOW_TF32_CUBLAS_OVERRIDE" >>"$C/device.txt"
